"""Reads of the tracking-and-tracing identifier codes (Reg. (EU) 2018/574 Chapter III) and how a
code is formed. Selectors for the admin, the printed licence, the verification page, the
exports and the HTTP API: each reads what it needs in one query. docs/identifiers.md."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db.models import IntegerField, Value
from stdnum.iso7064 import mod_37_36

from licensing.models.identifiers import CodeKind, FacilityCode, OperatorCode
from licensing.services.numbers import reserve_values

# After the issuer's prefix: the pool's letter, eight digits, the check character.
SEQUENCE_DIGITS = 8


def issuer_prefix() -> str:
    """Reg. 2018/574 Art. 3(4): the identification code assigned to the ID issuer."""
    return str(settings.TT_ID_ISSUER_CODE)


def format_code(kind: str, value: int) -> str:
    """Art. 15(1), 17(1), 19(1): (a) the ID issuer's identification code, then (b) a sequence
    unique in the issuer's pool: here the pool's letter (E, F or M), the number drawn, and an
    ISO 7064 MOD 37,36 check character (as the licence numbers have) over all of it, so that a
    code misread off a document is caught. The regulation asks for alphanumeric characters
    only: the code has no separators. E.g. ``NOTLAE00000012K``."""
    body = f"{issuer_prefix()}{kind}{value:0{SEQUENCE_DIGITS}d}"
    return body + mod_37_36.calc_check_digit(body)


def new_codes(kind: str, count: int = 1) -> list[str]:
    """``count`` new codes of the pool ``kind``."""
    return codes_of_kinds([kind] * count)


def codes_of_kinds(kinds: list[str]) -> list[str]:
    """A new code for each kind given, in order. The numbers come from one counter for the
    issuer's whole pool, drawn under its row lock (gaps are possible, repeats never), so a bulk
    write draws every code it needs with one reservation."""
    if not kinds:
        return []
    values = reserve_values("tt-codes", len(kinds), savepoint=False)
    return [format_code(kind, value) for kind, value in zip(kinds, values, strict=True)]


CODE_FORMAT = re.compile(rf"^[A-Z0-9]+[EFM]\d{{{SEQUENCE_DIGITS}}}[0-9A-Z]$")


def normalised_code(text: str) -> str:
    return "".join(text.split()).upper()


def is_valid_code(text: str) -> bool:
    """Whether ``text`` is a code of this issuer with the right check character."""
    code = normalised_code(text)
    return (
        code.startswith(issuer_prefix())
        and bool(CODE_FORMAT.match(code))
        and mod_37_36.is_valid(code)
    )


def code_kind(text: str) -> str:
    """The pool (``CodeKind``) of a valid code of this issuer, else ""."""
    code = normalised_code(text)
    if not is_valid_code(code):
        return ""
    return code[len(issuer_prefix())]


def operator_code(party: Any) -> str | None:
    """The active economic operator identifier code (EO_ID) of ``party`` (or its id), if any."""
    party_id = getattr(party, "pk", party)
    return (
        OperatorCode.objects.filter(party_id=party_id, active=True)
        .values_list("code", flat=True)
        .first()
    )


def facility_codes(sites: Iterable[Any]) -> dict[int, str]:
    """site id -> its active facility identifier code (F_ID), for the sites (or ids) given that
    have one; one query."""
    ids = [getattr(site, "pk", site) for site in sites]
    if not ids:
        return {}
    return dict(
        FacilityCode.objects.filter(site_id__in=ids, active=True).values_list("site_id", "code")
    )


def licence_codes(party_id: int, site_ids: Iterable[int]) -> tuple[str, dict[int, str]]:
    """The holder's active EO_ID ("" if none) and site id -> active F_ID of the sites given, in
    one query (a UNION): what a printed licence shows."""
    ids = list(site_ids)
    operators = (
        OperatorCode.objects.filter(party_id=party_id, active=True)
        .order_by()
        .values_list(Value(None, output_field=IntegerField()), "code")
    )
    rows = list(
        operators.union(
            FacilityCode.objects.filter(site_id__in=ids, active=True)
            .order_by()
            .values_list("site_id", "code"),
            all=True,
        )
        if ids
        else operators
    )
    operator = next((code for site_id, code in rows if site_id is None), "")
    return operator, {site_id: code for site_id, code in rows if site_id is not None}


def party_codes(party: Any) -> list[OperatorCode]:
    """Every economic operator code ``party`` was given, newest first, with its facility
    codes (two queries): what the party's admin page lists."""
    return list(
        OperatorCode.objects.filter(party=party)
        .prefetch_related("facility_codes__site")
        .order_by("-issued_at", "-pk")
    )


def site_codes(site: Any) -> list[FacilityCode]:
    """Every facility code ``site`` was given, newest first, with its operator code."""
    return list(
        FacilityCode.objects.filter(site=site)
        .select_related("operator")
        .order_by("-issued_at", "-pk")
    )


def by_code(text: str) -> OperatorCode | FacilityCode | None:
    """The economic operator or facility code ``text`` (active or not), or None. A machine
    code is looked up in ``equipment.identifiers.machine_by_code``."""
    code = normalised_code(text)
    kind = code_kind(code)
    if kind == CodeKind.OPERATOR:
        return OperatorCode.objects.select_related("party").filter(code=code).first()
    if kind == CodeKind.FACILITY:
        return FacilityCode.objects.select_related("site", "operator").filter(code=code).first()
    return None
