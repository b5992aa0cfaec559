"""The demo's parties: invented names, real places, numbers with valid check digits.

Every registration, tax and bank number here passes its national check (python-stdnum,
schwifty) but was made up: none belongs to a real business or person."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from schwifty import IBAN
from stdnum.de import vat as de_vat
from stdnum.hu import anum as hu_anum
from stdnum.no import mva as no_mva
from stdnum.no import orgnr as no_orgnr
from stdnum.pl import nip as pl_nip
from stdnum.se import orgnr as se_orgnr
from stdnum.se import vat as se_vat


def checked(is_valid: Callable[[str], bool], stem: int, width: int) -> str:
    """The first number from ``stem`` on, ``width`` digits with its check digit, that is valid."""
    while True:
        for last in range(10):
            candidate = f"{stem:0{width - 1}d}{last}"
            if is_valid(candidate):
                return candidate
        stem += 1


def registration(country: str, seed: int) -> tuple[str, str]:
    """(business registration number, VAT/tax number) in the country's own scheme."""
    if country == "NO":
        org = checked(no_orgnr.is_valid, 92000000 + seed * 7919, 9)
        return org, f"NO{org}MVA" if no_mva.is_valid(f"NO{org}MVA") else org
    if country == "SE":
        org = checked(se_orgnr.is_valid, 556000000 + seed * 7919, 10)
        return f"{org[:6]}-{org[6:]}", f"SE{org}01" if se_vat.is_valid(f"SE{org}01") else org
    if country == "HU":
        anum = checked(hu_anum.is_valid, 1300000 + seed * 7919, 8)
        return f"01-09-{300000 + seed * 17:06d}", f"HU{anum}"
    if country == "DE":
        vat = checked(lambda v: de_vat.is_valid(f"DE{v}"), 12000000 + seed * 7919, 9)
        return f"HRB {40000 + seed * 37}", f"DE{vat}"
    if country == "PL":
        nip = checked(pl_nip.is_valid, 521000000 + seed * 7919, 10)
        return f"KRS {seed * 7919 + 100000:010d}", nip
    raise ValueError(country)


BANKS = {  # a real bank code per country; the account numbers are invented
    "NO": ("1503", 6),
    "SE": ("500", 8),
    "HU": ("1177301", 8),
    "DE": ("37040044", 9),
    "PL": ("10901014", 8),
}


def iban(country: str, seed: int) -> IBAN:
    bank, width = BANKS[country]
    return IBAN.generate(
        country, bank_code=bank, account_code=f"{seed * 104729:0{width}d}"[-width:]
    )


def _p(name: str, role: str, born: str, nationality: str, doc: str) -> dict[str, Any]:
    return {
        "full_name": name,
        "role": role,
        "date_of_birth": dt.date.fromisoformat(born),
        "nationality": nationality,
        "identity_document_type": "passport",
        "identity_document_number": doc,
        "identity_document_country": nationality,
        "identity_document_expires_on": dt.date(2030, 6, 30),
    }


def _site(
    kind: str,
    name: str,
    street: str,
    postcode: str,
    town: str,
    region: str,
    lat: str,
    lon: str,
    capacity: dict[str, int] | None = None,
) -> dict[str, Any]:
    return {
        "kind": kind,
        "name": name,
        "street_address": street,
        "postal_code": postcode,
        "municipality": town,
        "region": region,
        "latitude": Decimal(lat),
        "longitude": Decimal(lon),
        "capacity": capacity or {},
    }


# key: the name the stories use. ``applicant``: the demo applicant user acts for the party.
PARTIES: list[dict[str, Any]] = [
    {
        "key": "fjord",
        "kind": "legal",
        "country": "NO",
        "language": "nb",
        "applicant": True,
        "legal_name": "Fjordtobakk AS",
        "trade_name": "Fjordtobakk",
        "incorporated": "2009-03-12",
        "place": "Bergen",
        "address": "Sandviksveien 112, 5035 Bergen, Norway",
        "email": "post@fjordtobakk.example",
        "phone": "+47 55 00 12 34",
        "persons": [
            _p("Sigrid Aasen", "director", "1974-05-02", "NO", "NO3318841"),
            _p("Henrik Moe", "legal_representative", "1981-11-19", "NO", "NO5520917"),
            _p("Torunn Aasen", "beneficial_owner", "1949-02-08", "NO", "NO1029384"),
        ],
        "sites": [
            _site(
                "manufacturing",
                "Sandviken factory",
                "Sandviksveien 112",
                "5035",
                "Bergen",
                "Vestland",
                "60.404120",
                "5.320880",
                {"cigarettes": 900_000_000, "roll_your_own": 120_000_000},
            ),
            _site(
                "warehouse",
                "Ågotnes bonded warehouse",
                "Ågotnesvegen 40",
                "5363",
                "Øygarden",
                "Vestland",
                "60.405230",
                "4.994500",
            ),
        ],
        "products": [
            ("cigarettes", "Fjord Original 20", "Fjord"),
            ("roll_your_own", "Fjord Shag 50 g", "Fjord"),
        ],
    },
    {
        "key": "nordlys",
        "kind": "legal",
        "country": "NO",
        "language": "nb",
        "legal_name": "Nordlys Import AS",
        "trade_name": "Nordlys",
        "incorporated": "2014-09-01",
        "place": "Oslo",
        "address": "Strømsveien 245, 0668 Oslo, Norway",
        "email": "firmapost@nordlys-import.example",
        "phone": "+47 22 00 45 67",
        "persons": [
            _p("Magnus Eide", "director", "1978-07-23", "NO", "NO7712093"),
            _p("Line Berg", "legal_representative", "1985-01-30", "NO", "NO6612458"),
        ],
        "sites": [
            _site(
                "warehouse",
                "Alnabru terminal",
                "Strømsveien 245",
                "0668",
                "Oslo",
                "Oslo",
                "59.928420",
                "10.840150",
            ),
        ],
        "products": [("cigars", "Nordlys Selección Coronas", "Nordlys Selección")],
    },
    {
        "key": "solberg",
        "kind": "natural",
        "country": "NO",
        "language": "nb",
        "applicant": True,
        "legal_name": "Kari Solberg",
        "trade_name": "Solberg Kiosk og Tobakk",
        "born": "1969-04-14",
        "nationality": "NO",
        "address": "Storgata 61, 9008 Tromsø, Norway",
        "email": "kari@solberg-kiosk.example",
        "phone": "+47 77 00 98 76",
        "sites": [
            _site(
                "retail",
                "Solberg Kiosk",
                "Storgata 61",
                "9008",
                "Tromsø",
                "Troms",
                "69.648860",
                "18.955370",
            ),
        ],
    },
    {
        "key": "tisza",
        "kind": "legal",
        "country": "HU",
        "language": "hu",
        "legal_name": "Tisza Dohány Kft.",
        "trade_name": "Tisza Dohány",
        "incorporated": "2003-06-17",
        "place": "Szeged",
        "address": "Budapesti út 14, 6728 Szeged, Hungary",
        "email": "iroda@tiszadohany.example",
        "phone": "+36 62 000 123",
        "persons": [
            _p("Nagy Balázs", "director", "1970-10-05", "HU", "HU8812345"),
            _p("Tóth Judit", "legal_representative", "1983-03-27", "HU", "HU8876543"),
        ],
        "sites": [
            _site(
                "manufacturing",
                "Szegedi gyár",
                "Budapesti út 14",
                "6728",
                "Szeged",
                "Csongrád-Csanád",
                "46.273600",
                "20.118400",
                {"cigarettes": 1_500_000_000, "cigars": 4_000_000},
            ),
            _site(
                "warehouse",
                "Kiskundorozsmai raktár",
                "Negyvennyolcas utca 3",
                "6791",
                "Szeged",
                "Csongrád-Csanád",
                "46.279800",
                "20.070900",
            ),
        ],
        "products": [("cigarettes", "Tisza Classic", "Tisza"), ("cigars", "Tisza Szivar", "Tisza")],
    },
    {
        "key": "alfold",
        "kind": "legal",
        "country": "HU",
        "language": "hu",
        "legal_name": "Alföldi Dohánytermesztő Bt.",
        "trade_name": "Alföldi Dohány",
        "incorporated": "1996-02-20",
        "place": "Nyíregyháza",
        "address": "Tokaji út 88, 4400 Nyíregyháza, Hungary",
        "email": "info@alfoldidohany.example",
        "phone": "+36 42 000 456",
        "persons": [_p("Szabó Imre", "director", "1962-12-01", "HU", "HU7734512")],
        "sites": [
            _site(
                "other",
                "Dohányföld és szárító",
                "Tokaji út 88",
                "4400",
                "Nyíregyháza",
                "Szabolcs-Szatmár-Bereg",
                "47.983100",
                "21.745900",
                {"raw_tobacco": 850_000},
            ),
        ],
        "products": [("raw_tobacco", "Virginia leaf, flue-cured", "")],
    },
    {
        "key": "kovacs",
        "kind": "natural",
        "country": "HU",
        "language": "hu",
        "legal_name": "Kovács Eszter",
        "trade_name": "Nemzeti Dohánybolt Piac utca",
        "born": "1988-08-09",
        "nationality": "HU",
        "address": "Piac utca 27, 4025 Debrecen, Hungary",
        "email": "kovacs.eszter@dohanybolt.example",
        "phone": "+36 52 000 789",
        "sites": [
            _site(
                "retail",
                "Dohánybolt Piac utca",
                "Piac utca 27",
                "4025",
                "Debrecen",
                "Hajdú-Bihar",
                "47.529200",
                "21.626300",
            ),
        ],
    },
    {
        "key": "duna",
        "kind": "legal",
        "country": "HU",
        "language": "en",
        "legal_name": "Duna Logisztika Zrt.",
        "trade_name": "Duna Logisztika",
        "incorporated": "2011-05-03",
        "place": "Budapest",
        "address": "Csepeli kikötő, Weiss Manfréd út 5, 1211 Budapest, Hungary",
        "email": "compliance@dunalogisztika.example",
        "phone": "+36 1 000 2345",
        "persons": [
            _p("Horváth Gergely", "director", "1976-06-15", "HU", "HU6654321"),
            _p("Varga Krisztina", "legal_representative", "1984-09-09", "HU", "HU6612398"),
        ],
        "sites": [
            _site(
                "warehouse",
                "Csepeli raktárbázis",
                "Weiss Manfréd út 5",
                "1211",
                "Budapest",
                "Budapest",
                "47.420400",
                "19.067300",
            ),
        ],
    },
    {
        "key": "rheinland",
        "kind": "legal",
        "country": "DE",
        "language": "en",
        "legal_name": "Rheinland Tabakwaren GmbH",
        "trade_name": "Rheinland Tabak",
        "incorporated": "1998-11-02",
        "place": "Köln",
        "address": "Butzweilerhofallee 3, 50829 Köln, Germany",
        "email": "info@rheinland-tabak.example",
        "phone": "+49 221 0001234",
        "persons": [
            _p("Klaus Becker", "director", "1959-03-18", "DE", "C01X00T47"),
            _p("Petra Schumann", "legal_representative", "1972-12-24", "DE", "C01X00T82"),
        ],
        "sites": [
            _site(
                "warehouse",
                "Lager Ossendorf",
                "Butzweilerhofallee 3",
                "50829",
                "Köln",
                "Nordrhein-Westfalen",
                "50.973900",
                "6.895100",
            ),
        ],
    },
    {
        "key": "elbe",
        "kind": "legal",
        "country": "DE",
        "language": "en",
        "legal_name": "Elbe Tabakhandel GmbH",
        "trade_name": "Elbe Tabak",
        "incorporated": "2016-01-15",
        "place": "Hamburg",
        "address": "Am Sandtorkai 50, 20457 Hamburg, Germany",
        "email": "kontakt@elbe-tabak.example",
        "phone": "+49 40 0005678",
        "persons": [
            _p("Jan Petersen", "director", "1980-02-11", "DE", "C01X00R19"),
            _p("Sabine Krüger", "legal_representative", "1977-05-06", "DE", "C01X00R55"),
        ],
        "sites": [
            _site(
                "warehouse",
                "Lager Waltershof",
                "Köhlbranddeich 20",
                "21129",
                "Hamburg",
                "Hamburg",
                "53.524900",
                "9.925400",
            ),
            _site(
                "warehouse",
                "Lager Köln-Ossendorf (übernommen)",
                "Butzweilerhofallee 3",
                "50829",
                "Köln",
                "Nordrhein-Westfalen",
                "50.973900",
                "6.895100",
            ),
        ],
        "affiliate": ("rheinland", "sister company"),
    },
    {
        "key": "gota",
        "kind": "legal",
        "country": "SE",
        "language": "en",
        "legal_name": "Göta Snus AB",
        "trade_name": "Göta Snus",
        "incorporated": "2005-04-21",
        "place": "Göteborg",
        "address": "Ringögatan 12, 417 07 Göteborg, Sweden",
        "email": "info@gotasnus.example",
        "phone": "+46 31 000 12 34",
        "persons": [
            _p("Karin Holm", "director", "1971-08-30", "SE", "SE91234567"),
            _p("Oskar Wallin", "legal_representative", "1986-04-04", "SE", "SE91234999"),
        ],
        "sites": [
            _site(
                "manufacturing",
                "Ringön snusfabrik",
                "Ringögatan 12",
                "417 07",
                "Göteborg",
                "Västra Götaland",
                "57.721100",
                "11.948200",
                {"smokeless": 60_000_000},
            ),
        ],
        "products": [("smokeless", "Göta Vit Portion", "Göta"), ("smokeless", "Göta Lös", "Göta")],
    },
    {
        "key": "nyberg",
        "kind": "natural",
        "country": "SE",
        "language": "en",
        "legal_name": "Lars Nyberg",
        "trade_name": "Nyberg Tobaksmäkleri",
        "born": "1965-01-22",
        "nationality": "SE",
        "address": "Stortorget 9, 211 22 Malmö, Sweden",
        "email": "lars@nyberg-maklare.example",
        "phone": "+46 40 000 98 76",
        "convictions": "2021: fined for brokering raw tobacco without the required "
        "notification (Malmö District Court, case B 1234-21).",
        "sites": [
            _site(
                "office",
                "Kontor Stortorget",
                "Stortorget 9",
                "211 22",
                "Malmö",
                "Skåne",
                "55.605900",
                "13.001600",
            ),
        ],
    },
    {
        "key": "wisla",
        "kind": "legal",
        "country": "PL",
        "language": "en",
        "legal_name": "Wisła Tytoń Sp. z o.o.",
        "trade_name": "Wisła Tytoń",
        "incorporated": "2012-07-09",
        "place": "Kraków",
        "address": "ul. Półłanki 64, 30-740 Kraków, Poland",
        "email": "biuro@wislatyton.example",
        "phone": "+48 12 000 34 56",
        "persons": [
            _p("Tomasz Wójcik", "director", "1975-10-10", "PL", "AYZ123456"),
            _p("Agnieszka Mazur", "legal_representative", "1982-06-21", "PL", "AYZ654321"),
        ],
        "sites": [
            _site(
                "warehouse",
                "Magazyn Rybitwy",
                "ul. Półłanki 64",
                "30-740",
                "Kraków",
                "Małopolskie",
                "50.030800",
                "20.018200",
            ),
        ],
        "products": [("cigarettes", "Wisła King Size", "Wisła")],
    },
    {
        # Due diligence (Art. 6.3(d)): its director also directs Wisła Tytoń, whose licence
        # is revoked; the officer's review of its application shows the link.
        "key": "oder",
        "kind": "legal",
        "country": "DE",
        "language": "en",
        "legal_name": "Oder Import GmbH",
        "trade_name": "Oder Import",
        "incorporated": "2025-09-01",
        "place": "Frankfurt (Oder)",
        "address": "Lindenstraße 7, 15230 Frankfurt (Oder), Germany",
        "email": "info@oder-import.example",
        "phone": "+49 335 0004321",
        "persons": [_p("Tomasz Wójcik", "director", "1975-10-10", "PL", "AYZ123456")],
        "sites": [
            _site(
                "warehouse",
                "Lager Frankfurt (Oder)",
                "Lindenstraße 7",
                "15230",
                "Frankfurt (Oder)",
                "Brandenburg",
                "52.342400",
                "14.553600",
            ),
        ],
    },
    {
        "key": "baltyk",
        "kind": "legal",
        "country": "PL",
        "language": "en",
        "legal_name": "Bałtyk Dystrybucja Sp. z o.o.",
        "trade_name": "Bałtyk",
        "incorporated": "2017-03-01",
        "place": "Gdańsk",
        "address": "ul. Marynarki Polskiej 100, 80-557 Gdańsk, Poland",
        "email": "kontakt@baltyk-dystrybucja.example",
        "phone": "+48 58 000 11 22",
        "persons": [_p("Michał Kowalczyk", "director", "1979-09-14", "PL", "AYZ777888")],
        "sites": [
            _site(
                "warehouse",
                "Magazyn Port Północny",
                "ul. Marynarki Polskiej 100",
                "80-557",
                "Gdańsk",
                "Pomorskie",
                "54.387600",
                "18.657300",
            ),
        ],
    },
]
