"""Refusals, suspensions and revocations by ground (issue 22; Art. 6.3(a)): each decision taken
through its service keeps the ground it was proposed or taken on, and the decisions page sums
them by ground beside the month-by-month table, with its CSV; a decision recorded before
grounds were kept counts as "Not recorded"."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import pytest
from django.utils import timezone

from licensing.models import AuditEvent, DecisionGround, Verb
from licensing.services import applications as apps
from licensing.services import licences as lic
from licensing.services.audit import record_event
from reports import figures
from tests.factories import ApplicationFactory, LicenceFactory
from tests.portal.cases_world import client_for

pytestmark = pytest.mark.django_db

MARCH = dt.date(2025, 3, 1)
PAGE = "/admin/reports/figures/decisions/"


def at(day: int, month: int = 3) -> dt.datetime:
    return dt.datetime(2025, month, day, 12, tzinfo=timezone.get_current_timezone())


@pytest.fixture
def decided(time_machine: Any, officer: Any, officer2: Any, senior: Any, senior2: Any) -> None:
    """In March: one refusal (criminal record), two suspensions (fees, taken by one officer;
    an inspection finding, proposed and confirmed), one revocation (offence), and one
    suspension from before grounds were kept; then the month is summed in May."""
    time_machine.move_to(at(10), tick=False)
    application = ApplicationFactory(in_review=True, activities=["import"])
    apps.propose_decision(
        application_id=application.pk,
        by=officer,
        action="refuse",
        ground=DecisionGround.CRIMINAL_RECORD,
        reason="Art. 6.3(b)(vi): a conviction for smuggling.",
    )
    apps.confirm_refusal(application_id=application.pk, by=senior)
    lic.suspend_licence(
        licence_id=LicenceFactory(activities=["retail"]).pk,
        by=officer,
        ground=DecisionGround.FEES,
        reason="The annual fee is unpaid.",
    )
    inspected = LicenceFactory(activities=["import"])
    lic.propose_suspension(
        licence_id=inspected.pk,
        by=officer,
        ground=DecisionGround.INSPECTION,
        reason="Critical finding.",
    )
    lic.confirm_suspension(licence_id=inspected.pk, by=officer2)
    revoked = LicenceFactory(activities=["import"])
    lic.propose_revocation(
        licence_id=revoked.pk, by=officer, ground=DecisionGround.OFFENCE, reason="Art. 14.1."
    )
    lic.confirm_revocation(licence_id=revoked.pk, by=senior2)
    legacy = LicenceFactory(suspended=True, activities=["retail"])
    record_event(legacy, verb=Verb.SUSPENDED, by=officer)
    time_machine.move_to(at(31, 5), tick=False)
    decisions = figures.get("decisions")
    assert decisions is not None
    figures.refresh_month(decisions, MARCH)


def test_the_decisions_are_summed_by_ground(decided: None) -> None:
    decisions = figures.get("decisions")
    assert decisions is not None
    found = figures.table(decisions, MARCH, MARCH)
    assert found.totals == [1, 3, 1]  # refused, suspended, revoked
    rows = {str(label): values for label, values in figures.broken_down(decisions, found)}
    assert rows == {
        str(DecisionGround.CRIMINAL_RECORD.label): [1, 0, 0],
        str(DecisionGround.FEES.label): [0, 1, 0],
        str(DecisionGround.INSPECTION.label): [0, 1, 0],
        str(DecisionGround.OFFENCE.label): [0, 0, 1],
        "Not recorded": [0, 1, 0],
    }
    # Filtered by activity, the breakdown follows the filter.
    imports = figures.table(decisions, MARCH, MARCH, activity="import")
    assert {str(label) for label, _v in figures.broken_down(decisions, imports)} == {
        str(DecisionGround.CRIMINAL_RECORD.label),
        str(DecisionGround.INSPECTION.label),
        str(DecisionGround.OFFENCE.label),
    }


def test_the_page_shows_the_grounds_and_their_csv(decided: None, senior: Any) -> None:
    client = client_for(senior)
    query = {"first": "2025-03", "last": "2025-03"}
    response = client.get(PAGE, query)
    assert response.status_code == 200
    breakdown = response.context["breakdown"]
    assert breakdown["headings"] == [
        "Ground",
        "Applications refused",
        "Licences suspended",
        "Licences revoked",
        "Total",
    ]
    shown = {row["label"]: (row["cells"], row["total"]) for row in breakdown["rows"]}
    assert shown[str(DecisionGround.FEES.label)] == (["0", "1", "0"], "1")
    assert sum(int(total) for _cells, total in shown.values()) == 5  # every decision, once
    html = response.content.decode()
    assert 'id="figure-breakdown"' in html and "download=csv&amp;table=breakdown" in html

    download = client.get(PAGE, {**query, "download": "csv", "table": "breakdown"})
    lines = list(csv.reader(io.StringIO(download.content.decode("utf-8-sig"))))
    assert lines[0] == breakdown["headings"]
    assert [str(DecisionGround.OFFENCE.label), "0", "0", "1", "1"] in lines
    assert len(lines) == 1 + len(breakdown["rows"])
    assert AuditEvent.objects.get(verb=Verb.EXPORTED).changes["page"] == "decisions-breakdown"


def test_a_period_without_decisions_says_so_under_the_grounds(senior: Any) -> None:
    response = client_for(senior).get(PAGE, {"first": "1999-01", "last": "1999-12"})
    assert response.status_code == 200
    assert response.context["breakdown"]["rows"] == []
    assert "Nothing was recorded in these months." in response.content.decode()
