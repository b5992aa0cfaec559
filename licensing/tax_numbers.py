"""Tax registration numbers (Art. 6.3(b)(i)-(ii)) in the forms each country issues them: the
national number and the VAT number, both checked by python-stdnum where it knows them, and kept
in one normal form; and registration numbers (the business register's), checked where the
register's rule is known. Used by the filing's tax step, due diligence's number check and the
returns' counterparts."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from stdnum.exceptions import ValidationError as NumberInvalid
from stdnum.hu import anum
from stdnum.util import get_cc_module

# Hungary's adószám: the 8-digit base number (its ANUM check digit), the VAT code (1 to 5) and
# the county code of the tax office, written 12345678-1-23.
HU_VAT_CODES = "12345"
HU_COUNTY_CODES = {f"{n:02d}" for n in (*range(2, 21), 22, 41, 42, 43, 44, 51)}


def hungarian_tax_number(number: str) -> str:
    digits = "".join(ch for ch in number if ch.isdigit())
    if len(digits) != 11 or number.strip().upper().startswith("HU"):
        raise NumberInvalid()
    base, vat_code, county = digits[:8], digits[8], digits[9:]
    anum.validate(base)
    if vat_code not in HU_VAT_CODES or county not in HU_COUNTY_CODES:
        raise NumberInvalid()
    return f"{base}-{vat_code}-{county}"


def _stdnum(country: str, name: str) -> Callable[[str], str] | None:
    module: Any = get_cc_module(country, name)
    if module is None:
        return None

    def check(number: str) -> str:
        return str(module.validate(number))  # the compact form, as the register keeps it

    return check


# The national forms python-stdnum knows, beside each country's VAT number.
NATIONAL: dict[str, list[Callable[[str], str] | None]] = {
    "HU": [hungarian_tax_number],
    "NO": [_stdnum("no", "orgnr")],
    "SE": [_stdnum("se", "orgnr")],
    "DE": [_stdnum("de", "stnr"), _stdnum("de", "idnr")],
    "FI": [_stdnum("fi", "ytunnus")],
    "DK": [_stdnum("dk", "cvr")],
    "PL": [_stdnum("pl", "nip")],
}

# Shown as help text: what each of these countries' numbers look like.
EXAMPLES: dict[str, str] = {
    "HU": "12345676-2-41, HU12345676",
    "NO": "988077917, NO988077917MVA",
    "SE": "202100-5489, SE202100548901",
    "DE": "181/815/08155, DE136695976",
    "PL": "PL8567346215",
    "DK": "DK13585628",
    "FI": "2077474-0, FI20774740",
}


def checks_for(country: str) -> list[Callable[[str], str]]:
    """Every check that accepts a tax number of ``country``: its VAT number first."""
    found = [_stdnum(country.lower(), "vat"), *NATIONAL.get(country.upper(), [])]
    return [check for check in found if check is not None]


def normal_tax_number(number: str, country: Any) -> str | None:
    """The number in its normal form when one of the country's forms accepts it; None when none
    does; the number as given for a country python-stdnum does not know."""
    checks = checks_for(str(country))
    if not checks:
        return number
    for check in checks:
        try:
            return check(number)
        except NumberInvalid:
            continue
    return None


def known(country: Any) -> bool:
    return bool(checks_for(str(country)))


# Registration numbers: python-stdnum where it knows the register, else the register's format.
REGISTRATION_MODULES = {"NO": "orgnr", "SE": "orgnr", "DK": "cvr", "FI": "ytunnus"}
REGISTRATION_FORMATS = {
    "HU": re.compile(r"^\d{2}-\d{2}-\d{6}$"),  # cégjegyzékszám
    "DE": re.compile(r"^(HRA|HRB|GnR|PR|VR)\s?\d{1,6}\s?[A-Z]?$"),  # Handelsregister
    "PL": re.compile(r"^(KRS\s?)?\d{10}$"),  # Krajowy Rejestr Sądowy
}


def check_number(country: str, number: str, *, tax: bool) -> str:
    """ "valid", "invalid" or "unchecked" (no rule known for this country)."""
    if tax:
        # Every form the country issues (its national number and its VAT number), as the
        # filing's tax step accepts them.
        if not known(country):
            return "unchecked"
        return "invalid" if normal_tax_number(number, country) is None else "valid"
    cc = country.lower()
    module = None
    if country in REGISTRATION_MODULES:
        module = get_cc_module(cc, REGISTRATION_MODULES[country])
    if module is not None:
        try:
            module.validate(number)
        except NumberInvalid:
            return "invalid"
        return "valid"
    pattern = None if tax else REGISTRATION_FORMATS.get(country)
    if pattern is not None:
        return "valid" if pattern.match(number.strip()) else "invalid"
    return "unchecked"
