"""Screening keys: the normalised form under which two spellings of one identifier meet.

"Tobakk Nord AS", "TOBAKK NORD A/S" and "Tobakk-Nord as" are one name; "NO 912 345 678 MVA" and
"912345678MVA" one Norwegian tax number; "de89 3704 0044 0532 0130 00" one IBAN. Each function
returns ``""`` when nothing is left to compare, and callers index no empty key."""

from __future__ import annotations

import datetime as dt
import functools
import re
import unicodedata

from equipment.serials import normalised_serial

# Legal-form suffixes of the countries the authority meets (NO, SE, DK, FI, DE, AT, HU, PL, UK,
# FR, IT, NL, BE, ES, CZ), after punctuation has become spaces and case has been folded.
LEGAL_FORMS = (
    "sp z o o",
    "sp k",
    "s a",
    "a s",
    "k f t",
    "as",
    "asa",
    "ans",
    "da",
    "enk",
    "ab",
    "hb",
    "kb",
    "aps",
    "oy",
    "oyj",
    "gmbh",
    "gmbh co kg",
    "ag",
    "kg",
    "ohg",
    "ug",
    "kft",
    "zrt",
    "nyrt",
    "bt",
    "kkt",
    "ev",
    "ltd",
    "limited",
    "plc",
    "llp",
    "llc",
    "inc",
    "corp",
    "sa",
    "sarl",
    "sas",
    "srl",
    "spa",
    "bv",
    "nv",
    "sro",
    "spzoo",
)
_FORMS = sorted(LEGAL_FORMS, key=len, reverse=True)
_NOT_WORD = re.compile(r"[^0-9a-z]+")
_NOT_ALNUM = re.compile(r"[^0-9A-Z]+")
_POSTCODE = re.compile(r"^(?:[a-z]{1,2}\s?)?(\d{3,5}(?:\s\d{2})?)\b")


@functools.lru_cache(maxsize=4096)  # an address is folded line by line, then again whole
def fold(text: str) -> str:
    """Lower case, accents removed (ø and æ have no decomposition: spelled out), punctuation
    and whitespace collapsed to single spaces."""
    text = text.casefold().replace("ø", "o").replace("æ", "ae").replace("ß", "ss")
    text = text.replace("đ", "d").replace("ł", "l")
    if not text.isascii():  # ASCII has nothing to decompose
        decomposed = unicodedata.normalize("NFKD", text)
        text = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _NOT_WORD.sub(" ", text).strip()


def name_key(name: str) -> str:
    """A party's or person's name without its legal form: "Tisza Dohány Kft." -> "tisza dohany"."""
    words = fold(name)
    changed = True
    while changed and words:
        changed = False
        for form in _FORMS:
            if words == form:
                return words  # a name that is only a legal form is kept as it is
            if words.endswith(" " + form):
                words = words[: -len(form) - 1].rstrip()
                changed = True
                break
    return words


def number_key(country: str, number: str) -> str:
    """A registration or tax number: the country and its letters and digits only. A leading
    country code that repeats the country ("NO912345678MVA" in Norway) is dropped, so both
    spellings meet."""
    country = (country or "").upper()
    alnum = _NOT_ALNUM.sub("", (number or "").upper())
    if country and alnum.startswith(country) and len(alnum) > len(country) + 2:
        alnum = alnum[len(country) :]
    if not alnum:
        return ""
    return f"{country}:{alnum}"


def iban_key(iban: str) -> str:
    return _NOT_ALNUM.sub("", (iban or "").upper())


def account_key(country: str, account_number: str) -> str:
    """An account without IBAN: the bank's country and the account's letters and digits."""
    alnum = _NOT_ALNUM.sub("", (account_number or "").upper())
    return f"{(country or '').upper()}:{alnum}" if alnum else ""


def serial_key(serial: str) -> str:
    """The equipment register's own rule, so that a declared serial and a registered one
    are compared alike (``equipment.serials``)."""
    return normalised_serial(serial)


def address_key(*, street: str, postcode: str = "", country: str = "") -> str:
    """Postcode, then street and number: "0154 karl johans gate 1" (the town adds nothing once
    the postcode is known, and is spelled in many ways)."""
    street_words = fold(street)
    if not street_words:
        return ""
    code = _NOT_WORD.sub("", fold(postcode))
    parts = [(country or "").lower(), code, street_words]
    return " ".join(part for part in parts if part)


def free_address_key(text: str, country: str = "") -> str:
    """A postal address typed as lines ("Karl Johans gate 1\\n0154 Oslo"): the first line is the
    street, a line that starts with a postcode gives the postcode. Post-box lines are skipped:
    a post box is not where a business is."""
    lines = [line.strip() for line in (text or "").splitlines() if line.strip()]
    street, postcode = "", ""
    for line in lines:
        folded = fold(line)
        match = _POSTCODE.match(folded)
        if match and not postcode and street:
            postcode = match.group(1)
        elif not street:
            street = line
    if not street and lines:
        street = lines[0]
    if fold(street).startswith(("postboks", "pb ", "box ", "postfach", "pf ")):
        return ""
    return address_key(street=street, postcode=postcode, country=country)


def person_key(full_name: str, date_of_birth: dt.date | None) -> str:
    """A natural person: name and date of birth. Without a date of birth a name alone is too
    weak to link two parties, so no key."""
    name = fold(full_name)
    if not name or date_of_birth is None:
        return ""
    return f"{name}|{date_of_birth.isoformat()}"


def id_document_key(country: str, number: str) -> str:
    return number_key(country, number)
