"""The counts by state kept by triggers (issue 22, licensing.tallies): on PostgreSQL they
equal the rows' counts after inserts, transitions, bulk updates and a fold, and the dashboard
reads them for whoever sees the whole register; elsewhere nothing is kept and it counts rows."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from django.db import connection

from licensing import dashboard, tallies
from licensing.models import Application, Licence, LicenceState, StateTally
from tests.factories import ApplicationFactory, LicenceFactory

pytestmark = pytest.mark.django_db

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the counts are kept by PostgreSQL triggers"
)


def live(model: Any) -> dict[str, int]:
    return dict(Counter(model.objects.values_list("state", flat=True)))


def kept(table: str) -> dict[str, int]:
    return {state: n for state, n in (tallies.counts(table) or {}).items() if n}


@postgres_only
def test_the_counts_follow_every_kind_of_write() -> None:
    LicenceFactory.create_batch(3)
    LicenceFactory(suspended=True)
    ApplicationFactory(in_review=True)
    assert kept("licence") == live(Licence)
    assert kept("application") == live(Application)

    # One statement changing many rows, and a save that changes no state.
    Licence.objects.filter(state=LicenceState.ACTIVE).update(state=LicenceState.EXPIRED)
    licence = Licence.objects.first()
    assert licence is not None
    licence.save()
    assert kept("licence") == live(Licence) == {"expired": 3, "suspended": 1}

    # Folded: one row per state, the same counts.
    rows = StateTally.objects.count()
    assert tallies.compact() == rows
    assert StateTally.objects.filter(table="licence").count() == 2
    assert kept("licence") == live(Licence)
    assert kept("application") == live(Application)


@postgres_only
def test_the_dashboard_reads_the_kept_counts_for_the_whole_register(senior: Any) -> None:
    LicenceFactory.create_batch(2)
    # A row appended by hand shows that the page reads the kept counts, not the rows.
    StateTally.objects.create(table="licence", state=LicenceState.REVOKED, n=5)
    shown = {t.url.rsplit("=", 1)[1]: t.count for t in dashboard.licence_states(senior)}
    assert shown["active"] == 2
    assert shown["revoked"] == 5


def test_without_the_whole_register_the_rows_are_counted(applicant_for: Any) -> None:
    mine = LicenceFactory()
    LicenceFactory()
    user = applicant_for(mine.holder)
    if tallies.kept():
        StateTally.objects.create(table="licence", state=LicenceState.ACTIVE, n=100)
    shown = {t.url.rsplit("=", 1)[1]: t.count for t in dashboard.licence_states(user)}
    assert shown["active"] == 1
