"""Time to decision and the backlog by month (issue 22): the monthly sums kept from the
applications and the audit trail, the page that reads only them (its chart's bars are its
table's figures), its CSV, who may read it, and a bad range refused at the field."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from typing import Any

import pytest
from django.utils import timezone

from licensing.models import ApplicationKind, AuditEvent, Verb
from licensing.services import applications as apps
from reports import case_flow
from reports.models import CaseFlow
from reports.tasks import refresh_management_figures
from tests.factories import ApplicationFactory
from tests.portal.cases_world import client_for

pytestmark = pytest.mark.django_db

URL = "/admin/reports/case-flow/"
MARCH = dt.date(2025, 3, 1)


def at(day: int, month: int = 3) -> dt.datetime:
    return dt.datetime(2025, month, day, 12, tzinfo=timezone.get_current_timezone())


@pytest.fixture
def march(officer: Any, time_machine: Any) -> None:
    """In March 2025: four new-licence applications submitted, one approved after 10 days and
    one refused after 100 (submitted in November), one withdrawn, two still open at the end;
    a renewal submitted in February and decided in April."""
    ApplicationFactory(approved=True, submitted_at=at(1), decided_at=at(11))
    ApplicationFactory(refused=True, submitted_at=at(1, 11).replace(year=2024), decided_at=at(1))
    ApplicationFactory(in_review=True, submitted_at=at(2))
    ApplicationFactory(in_review=True, submitted_at=at(3))
    withdrawn = ApplicationFactory(submitted=True, submitted_at=at(4))
    time_machine.move_to(at(20), tick=False)
    apps.withdraw_application(application_id=withdrawn.pk, by=officer, reason="Plans changed.")
    ApplicationFactory(
        approved=True,
        kind=ApplicationKind.RENEWAL,
        submitted_at=at(20, 2),
        decided_at=at(5, 4),
    )
    ApplicationFactory()  # a draft: not in any figure


def test_a_month_is_summed_from_the_applications_and_the_audit_trail(
    march: None, settings: Any
) -> None:
    settings.DECISION_DEADLINE_DAYS = 90
    case_flow.refresh_month(MARCH)
    new = CaseFlow.objects.get(month=MARCH, kind=ApplicationKind.NEW)
    assert (new.submitted, new.approved, new.refused, new.withdrawn) == (4, 1, 1, 1)
    assert new.open_at_end == 2  # submitted, neither decided nor withdrawn by 31 March
    assert new.decision_days == {"10": 1, "120": 1}
    assert new.over_deadline == 1  # the refusal took 120 days
    renewal = CaseFlow.objects.get(month=MARCH, kind=ApplicationKind.RENEWAL)
    assert (renewal.submitted, renewal.approved, renewal.open_at_end) == (0, 0, 1)

    # Refreshed again: the same figures, still one row per kind (the job runs every hour).
    before = list(CaseFlow.objects.order_by("kind").values_list("submitted", "open_at_end"))
    case_flow.refresh_month(MARCH)
    assert CaseFlow.objects.filter(month=MARCH).count() == len(ApplicationKind.values)
    after = list(CaseFlow.objects.order_by("kind").values_list("submitted", "open_at_end"))
    assert after == before


def test_the_figures_read_only_the_sums_in_one_query(
    march: None, django_assert_num_queries: Any
) -> None:
    for month in (dt.date(2025, 2, 1), MARCH, dt.date(2025, 4, 1)):
        case_flow.refresh_month(month)
    with django_assert_num_queries(1):
        lines = case_flow.figures(dt.date(2025, 1, 1), dt.date(2025, 4, 1))
    by_month = {line.month: line for line in lines}
    assert list(by_month) == [dt.date(2025, m, 1) for m in (1, 2, 3, 4)]
    assert by_month[dt.date(2025, 1, 1)].submitted == 0  # a month without rows: zeros
    assert by_month[MARCH].median_days == 65.0  # of 10 and 120
    assert by_month[MARCH].p90_days == 120.0
    assert by_month[dt.date(2025, 4, 1)].decided == 1  # the renewal, decided in April
    renewals = case_flow.figures(MARCH, MARCH, [ApplicationKind.RENEWAL])
    assert (renewals[0].submitted, renewals[0].open_at_end) == (0, 1)


def test_the_job_refreshes_this_month_and_the_one_before(time_machine: Any) -> None:
    time_machine.move_to(at(15), tick=False)
    assert refresh_management_figures.delay().get() >= 2 * len(ApplicationKind.values)
    assert set(CaseFlow.objects.values_list("month", flat=True)) == {dt.date(2025, 2, 1), MARCH}


def test_the_page_draws_the_backlog_from_the_same_figures_as_its_table(
    march: None, senior: Any
) -> None:
    for month in (dt.date(2025, 2, 1), MARCH, dt.date(2025, 4, 1)):
        case_flow.refresh_month(month)
    page = client_for(senior).get(URL, {"first": "2025-02", "last": "2025-04", "kind": ""})
    assert page.status_code == 200
    html = page.content.decode()
    bars = [int(n) for n in re.findall(r"<title>[^<]*: (\d+)</title>", html)]
    table = [row[4] for row in page.context["rows"]]
    # Open at each month's end: February the renewal and the refusal-to-be (submitted in
    # November); March the two in review and the renewal; April the two in review.
    assert bars == table == [2, 3, 2]
    assert "65" in [row[5] for row in page.context["rows"]]
    assert "Decided after 90 days" in html


def test_the_csv_is_the_table_and_is_audited(march: None, auditor: Any) -> None:
    case_flow.refresh_month(MARCH)
    response = client_for(auditor).get(
        URL, {"first": "2025-03", "last": "2025-03", "kind": "new", "download": "csv"}
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][0] == "Month"
    assert rows[1][1:5] == ["4", "2", "1", "2"]
    event = AuditEvent.objects.get(verb=Verb.EXPORTED)
    assert event.changes == {
        "format": "csv",
        "page": "case-flow",
        "first": "2025-03",
        "last": "2025-03",
        "kind": "new",
    }


def test_only_senior_officers_and_auditors_read_it(
    senior: Any, auditor: Any, officer: Any, registrar: Any
) -> None:
    for reader in (senior, auditor):
        assert URL in client_for(reader).get("/admin/").content.decode()
        assert client_for(reader).get(URL).status_code == 200
    for other in (officer, registrar):
        assert URL not in client_for(other).get("/admin/").content.decode()
        assert client_for(other).get(URL).status_code == 403
        assert client_for(other).get(URL, {"download": "csv"}).status_code == 403


@pytest.mark.parametrize(
    ("months", "error"),
    [
        ({"first": "2025-06", "last": "2025-05"}, "The last month is before the first."),
        ({"first": "2010-01", "last": "2020-01"}, "at most 10 years"),
        ({"first": "2025-13", "last": "2025-12"}, "Enter a valid date."),
        ({"first": "9999-01", "last": "9999-02"}, "Enter a date between 1900"),
        ({"first": "2025-01", "last": "2025-02", "kind": "<b>"}, "Select a valid choice."),
    ],
)
def test_a_bad_range_is_refused_at_the_field(
    senior: Any, months: dict[str, str], error: str
) -> None:
    page = client_for(senior).get(URL, months)
    assert page.status_code == 200
    assert error in page.content.decode()
    assert "rows" not in page.context
    events = AuditEvent.objects.count()
    client_for(senior).get(URL, {**months, "download": "csv"})
    assert AuditEvent.objects.count() == events


def test_the_command_rebuilds_a_range_and_refuses_a_bad_month(
    march: None, time_machine: Any
) -> None:
    from django.core.management import CommandError, call_command

    time_machine.move_to(at(15, 4), tick=False)
    out = io.StringIO()
    call_command("refresh_management_figures", "--since", "2025-02", stdout=out)
    assert out.getvalue().strip() == "3 months refreshed, 2025-02 to 2025-04"
    assert CaseFlow.objects.get(month=MARCH, kind=ApplicationKind.NEW).submitted == 4
    for bad in ("2025-13", "March", "2025-05"):
        with pytest.raises(CommandError):
            call_command("refresh_management_figures", "--since", bad)
