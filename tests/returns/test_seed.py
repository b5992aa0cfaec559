"""``seed_returns``: one quarter's returns of the licences ``seed_demo`` wrote, with COPY on
PostgreSQL and bulk inserts elsewhere (returns/seed.py)."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count

from licensing.models import AuditEvent, Licence
from returns.models import (
    Return,
    ReturnCounterpart,
    ReturnLine,
    ReturnPayment,
    ReturnPeriod,
)
from returns.seed import frequency_of, last_quarter

QUARTER = dt.date(2026, 7, 1)


def seed(command: str, **options: Any) -> str:
    out = io.StringIO()
    call_command(command, stdout=out, **options)
    return out.getvalue()


def expected_periods() -> int:
    return sum(
        3 if frequency_of(activities) == "monthly" else 1
        for activities in Licence.objects.values_list("activities", flat=True)
    )


def assert_seeded_quarter() -> None:
    periods = expected_periods()
    assert ReturnPeriod.objects.count() == periods
    assert Return.objects.count() == ReturnLine.objects.count() == periods
    assert ReturnPayment.objects.count() == periods
    named = Return.objects.filter(counterparts__isnull=False).distinct().count()
    assert 0 < named < periods
    assert ReturnCounterpart.objects.count() == 2 * named
    assert not ReturnPeriod.objects.filter(filed_at__isnull=True).exists()
    assert set(ReturnPeriod.objects.values_list("starts_on", flat=True)) <= {
        QUARTER,
        dt.date(2026, 8, 1),
        dt.date(2026, 9, 1),
    }
    # Every counterpart names another seeded licensee, by its licence number.
    numbers = set(Licence.objects.values_list("number", flat=True))
    assert set(ReturnCounterpart.objects.values_list("licence_number", flat=True)) <= numbers
    # A return that names anyone names one supplier and one customer, another holder each;
    # each sale is the buyer's purchase, except in the rings seeded short (one in fifty).
    roles = ReturnCounterpart.objects.values("filed_return", "role").annotate(n=Count("pk"))
    assert {row["n"] for row in roles} == {1}
    rows = ReturnCounterpart.objects.values_list(
        "role",
        "licence_number",
        "quantity",
        "filed_return__period__starts_on",
        "filed_return__period__licence__number",
        "filed_return__period__party_id",
    )
    said = {(r[0], r[4], r[1], r[3]): r[2] for r in rows}
    holder = {r[4]: r[5] for r in rows}
    assert all(holder[seller] != holder[buyer] for _r, seller, buyer, _s in said)
    mirrored = [
        said.get(("supplier", buyer, seller, starts)) == quantity
        for (role, seller, buyer, starts), quantity in said.items()
        if role == "customer"
    ]
    assert sum(mirrored) >= 0.9 * len(mirrored)
    assert not AuditEvent.objects.filter(verb__startswith="return").exists()


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_seed_returns_files_a_quarter_for_every_seeded_licence_with_copy(settings):
    settings.DEBUG = True
    seed("seed_demo", licences=120, batch_size=40)
    output = seed("seed_returns", quarter=QUARTER, batch_size=50)
    assert "120 licences' returns" in output
    assert_seeded_quarter()
    for line in ReturnLine.objects.all():
        assert line.stock_end >= 0
    # A second run finds every licence filed for the quarter and writes nothing.
    assert "0 licences' returns" in seed("seed_returns", quarter=QUARTER)
    assert_seeded_quarter()


@pytest.mark.django_db
def test_seed_returns_writes_the_same_counts_with_bulk_inserts(settings):
    settings.DEBUG = True
    seed("seed_demo", licences=40, batch_size=40, method="bulk")
    seed("seed_returns", quarter=QUARTER, method="bulk", licences=40)
    assert_seeded_quarter()


@pytest.mark.django_db
def test_seed_returns_refuses_without_debug_or_on_a_day_that_starts_no_quarter(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG is off"):
        seed("seed_returns")
    settings.DEBUG = True
    with pytest.raises(CommandError, match="not the first day of a quarter"):
        seed("seed_returns", quarter=dt.date(2026, 7, 2))


def test_the_default_quarter_is_the_last_whole_one():
    assert last_quarter(dt.date(2026, 12, 5)) == QUARTER
    assert last_quarter(dt.date(2026, 1, 1)) == dt.date(2025, 10, 1)
