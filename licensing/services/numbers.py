"""Human-readable numbers: ``TL-2026-000123-K``, the last character an ISO 7064 MOD 37,36
check character so that a mistyped number is caught at the verification desk."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from stdnum.iso7064 import mod_37_36

from licensing.models.notifications import Sequence


def save_with_reference(obj: Any, *, prefix: str, year: int) -> None:
    """Insert ``obj`` and give it the reference ``PREFIX-2026-000123`` drawn from its id: unique
    as the id is, with no counter to lock (a seizure case, an assistance case, a transit
    notice). The caller holds the transaction."""
    obj.save()
    obj.reference = f"{prefix}-{year}-{obj.pk:06d}"
    obj.save(update_fields=["reference", "updated_at"])


def next_value(name: str) -> int:
    """The next value of a counter, drawn under a row lock (gaps are possible, repeats never)."""
    return reserve_values(name, 1)[0]


def reserve_values(name: str, count: int, *, savepoint: bool = True) -> range:
    """The next ``count`` values of a counter at once, under its row lock: a bulk write draws
    a chunk's numbers in two statements (``savepoint=False`` inside the caller's transaction:
    no savepoint of its own)."""
    with transaction.atomic(savepoint=savepoint):
        if not Sequence.objects.filter(name=name).exists():
            try:
                with transaction.atomic():
                    Sequence.objects.create(name=name, value=0)
            except IntegrityError:
                pass  # another transaction created it first
        Sequence.objects.filter(name=name).update(value=F("value") + count)
        last = Sequence.objects.get(name=name).value
        return range(last - count + 1, last + 1)


def _with_check(prefix: str, year: int, value: int) -> str:
    body = f"{prefix}{year}{value:06d}"
    return f"{prefix}-{year}-{value:06d}-{mod_37_36.calc_check_digit(body)}"


def licence_number(on: dt.date) -> str:
    prefix = settings.LICENCE_NUMBER_PREFIX
    return _with_check(prefix, on.year, next_value(f"licence-{on.year}"))


def application_reference(on: dt.date) -> str:
    return _with_check("A", on.year, next_value(f"application-{on.year}"))


def invoice_number(on: dt.date) -> str:
    return _with_check("F", on.year, next_value(f"invoice-{on.year}"))


NUMBER_FORMAT = re.compile(r"^[A-Z]{1,8}-\d{4}-\d{6}-[0-9A-Z]$")


def as_number(text: str) -> str | None:
    """``text`` as a licence, application or invoice number, if it is one (format and check
    character), else None: a search box can then look it up by its unique index alone."""
    candidate = text.strip().upper()
    if NUMBER_FORMAT.match(candidate) and is_valid_number(candidate):
        return candidate
    return None


# Art. 9.2: a licence brought in from an authority's legacy register keeps the number printed on
# it. Upper-case letters, digits and "/.-", at most 32 characters (the column's length), starting
# with a letter or a digit; no spaces, so that the number read off paper is the number stored.
LEGACY_NUMBER_FORMAT = re.compile(r"^[A-Z0-9][A-Z0-9/.-]{0,31}$")


def as_legacy_number(text: str) -> str | None:
    """``text`` as a legacy licence number (see ``LEGACY_NUMBER_FORMAT``), if it can be one."""
    candidate = text.strip().upper()
    return candidate if LEGACY_NUMBER_FORMAT.match(candidate) else None


def is_valid_number(number: str) -> bool:
    """Whether the check character of a licence, application or invoice number is right."""
    return mod_37_36.is_valid(number.replace("-", "").upper())
