"""Licensees by risk score (issue 22; Art. 6.3(e), 7): each party holding a licence in force
or suspended counts once, in the band of its kept score, by activity and region; the register
is counted for the current month only (a month gone by keeps its count); the page shows the
distribution beside the month-by-month table, has no officer filter, and gives its CSV."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import pytest
from django.utils import timezone

from duediligence.models import PartyRiskScore
from reports import figure_risk, figures
from reports.case_flow import month_start
from reports.models import MonthlyFigure
from tests.factories import LicenceFactory, SiteFactory
from tests.portal.cases_world import client_for

pytestmark = pytest.mark.django_db

PAGE = "/admin/reports/figures/risk/"


def score(licence: Any, value: int) -> None:
    PartyRiskScore.objects.update_or_create(
        party_id=licence.holder_id, defaults={"score": value, "computed_at": timezone.now()}
    )


def risk_page() -> figures.Figure:
    found = figures.get("risk")
    assert found is not None
    return found


def counts(**filters: Any) -> dict[str, int]:
    month = month_start(timezone.localdate())
    found = figures.table(risk_page(), month, month, **filters)
    return {s.key: int(v) for s, v in zip(found.series, found.totals, strict=True) if v}


@pytest.fixture
def register() -> dict[str, Any]:
    """Bands 0, 1-14, 15-29, 30-59, 60 and over (the defaults)."""
    clean = LicenceFactory(activities=["retail"])
    score(clean, 0)
    risky = LicenceFactory(activities=["import"])
    risky.sites.add(SiteFactory(party=risky.holder, region="Viken"))
    score(risky, 35)
    # The same holder's second licence: the party still counts once.
    LicenceFactory(holder=risky.holder, activities=["wholesale"])
    suspended = LicenceFactory(activities=["import"], suspended=True)
    score(suspended, 80)
    LicenceFactory(activities=["retail"])  # not yet scored
    expired = LicenceFactory(activities=["retail"], expired=True)  # not in the register
    score(expired, 99)
    return {"risky": risky}


def test_licensees_are_counted_once_in_the_band_of_their_score(register: Any) -> None:
    figures.refresh_snapshots()
    assert counts() == {"from_0": 1, "from_30": 1, "from_60": 1, "unscored": 1}
    assert counts(activity="import") == {"from_30": 1, "from_60": 1}
    assert counts(activity="wholesale") == {"from_30": 1}
    assert counts(region="Viken") == {"from_30": 1}


def test_the_register_is_read_in_chunks_of_parties_with_the_same_count(
    register: Any, monkeypatch: Any
) -> None:
    monkeypatch.setattr(figure_risk, "CHUNK", 2)
    figures.refresh_snapshots()
    assert counts() == {"from_0": 1, "from_30": 1, "from_60": 1, "unscored": 1}


def test_only_the_current_month_is_counted_and_a_past_month_keeps_its_count(
    register: Any, time_machine: Any, senior: Any
) -> None:
    time_machine.move_to(dt.datetime(2026, 3, 15, 12, tzinfo=timezone.get_current_timezone()))
    figures.refresh_snapshots()
    march = dt.date(2026, 3, 1)
    time_machine.move_to(dt.datetime(2026, 4, 2, 12, tzinfo=timezone.get_current_timezone()))
    score(register["risky"], 5)  # the holder's score falls in April
    figures.refresh_snapshots()
    figures.refresh_range(march, dt.date(2026, 4, 1))  # the hourly job leaves it alone
    found = figures.table(risk_page(), march, dt.date(2026, 4, 1))
    column = {s.key: i for i, s in enumerate(found.series)}
    by_month = {month: values for month, values in found.rows}
    assert by_month[march][column["from_30"]] == 1 and by_month[march][column["from_1"]] == 0
    april = by_month[dt.date(2026, 4, 1)]
    assert april[column["from_30"]] == 0 and april[column["from_1"]] == 1
    # A stock: the months do not add up to a total.
    response = client_for(senior).get(PAGE, {"first": "2026-03", "last": "2026-04"})
    assert set(response.context["totals"]) == {""}


def test_the_page_shows_the_distribution_and_its_csv(register: Any, senior: Any) -> None:
    figures.refresh_snapshots()
    this_month = f"{timezone.localdate():%Y-%m}"
    client = client_for(senior)
    response = client.get(PAGE, {"first": this_month, "last": this_month, "officer": "7"})
    assert response.status_code == 200
    assert "officer" not in response.context["form"].fields  # not kept by officer
    rows = {row["label"]: row["value"] for row in response.context["distribution"]["rows"]}
    assert rows == {
        "Score 0": "1",
        "Score 1 to 14": "0",
        "Score 15 to 29": "0",
        "Score 30 to 59": "1",
        "Score 60 and over": "1",
        "Not yet scored": "1",
    }
    assert response.context["charted"] == "Score 30 to 59"  # inspection planning's high risk
    download = client.get(PAGE, {"first": this_month, "last": this_month, "download": "csv"})
    lines = list(csv.reader(io.StringIO(download.content.decode("utf-8-sig"))))
    assert lines == [["Month", *rows], [this_month, "1", "0", "0", "1", "1", "1"]]
    assert MonthlyFigure.objects.filter(figure="risk", officer__gt=0).count() == 0
