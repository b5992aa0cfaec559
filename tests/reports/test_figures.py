"""The management pages read from monthly figures (issue 22): decisions (Art. 6.1, 6.3(a)),
inspections (Art. 6.3(e)), returns (Art. 9.1) and fees (Art. 6.3(c)). A month is summed from
the records by activity and region, idempotently; a page reads only the sums, in one query;
its chart's bars are its table's column; a linked count is the count of the list it opens;
its CSV is audited; who may read it; bad input refused at the field."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from inspections.models import Finding, Severity
from licensing.models import AuditEvent, Verb
from licensing.services.audit import record_event
from reports import figures
from reports.models import MonthlyFigure
from tests.factories import ApplicationFactory, LicenceFactory, PaymentFactory, SiteFactory
from tests.factories.inspections import InspectionFactory
from tests.factories.returns import ReturnPeriodFactory
from tests.portal.cases_world import client_for

pytestmark = pytest.mark.django_db

MARCH = dt.date(2025, 3, 1)
APRIL = dt.date(2025, 4, 1)


def at(day: int, month: int = 3) -> dt.datetime:
    return dt.datetime(2025, month, day, 12, tzinfo=timezone.get_current_timezone())


def page(slug: str) -> figures.Figure:
    found = figures.get(slug)
    assert found is not None
    return found


def changelist_count(client: Any, url: str) -> int:
    response = client.get(url)
    assert response.status_code == 200
    return int(response.context["cl"].result_count)


@pytest.fixture
def in_march(time_machine: Any) -> None:
    time_machine.move_to(at(31, 5), tick=False)  # the months are over when summed


def test_decisions_are_summed_by_activity_region_and_officer(
    officer: Any, officer2: Any, time_machine: Any
) -> None:
    time_machine.move_to(at(10), tick=False)
    licence = LicenceFactory(activities=["import", "wholesale"], suspended=True)
    record_event(licence, verb=Verb.SUSPENDED, by=officer)
    time_machine.move_to(at(31, 5), tick=False)
    refused = ApplicationFactory(
        refused=True, activities=["import"], decided_at=at(3), assigned_officer=officer2
    )
    refused.sites.add(SiteFactory(party=refused.party, region="Viken"))
    ApplicationFactory(refused=True, activities=["export"], decided_at=at(3, 4))  # April

    figures.refresh_month(page("decisions"), MARCH)
    every = figures.table(page("decisions"), MARCH, MARCH)
    assert every.totals == [1, 1, 0]  # refused, suspended, revoked
    imports = figures.table(page("decisions"), MARCH, MARCH, activity="import")
    assert imports.totals == [1, 1, 0]
    wholesale = figures.table(page("decisions"), MARCH, MARCH, activity="wholesale")
    assert wholesale.totals == [0, 1, 0]
    viken = figures.table(page("decisions"), MARCH, MARCH, region="Viken")
    assert viken.totals == [1, 0, 0]
    assert figures.regions(page("decisions")) == ["Viken"]
    # By officer: the refusal's case officer, the suspension's author.
    by_officer = figures.table(page("decisions"), MARCH, MARCH, officer=officer.pk)
    assert by_officer.totals == [0, 1, 0]
    by_case_officer = figures.table(page("decisions"), MARCH, MARCH, officer=officer2.pk)
    assert by_case_officer.totals == [1, 0, 0]
    assert {pk for pk, _name in figures.officers(page("decisions"))} == {officer.pk, officer2.pk}

    # Summed again: the same rows (the job runs every hour).
    rows = MonthlyFigure.objects.filter(figure="decisions").count()
    figures.refresh_month(page("decisions"), MARCH)
    assert MonthlyFigure.objects.filter(figure="decisions").count() == rows
    assert figures.table(page("decisions"), MARCH, MARCH).totals == [1, 1, 0]


def test_inspections_planned_done_overdue_and_findings(in_march: None) -> None:
    done = InspectionFactory(planned_on=dt.date(2025, 3, 5))
    done.submitted_at = at(6)
    done.save(update_fields=["submitted_at"])
    Finding.objects.create(inspection=done, kind="other", severity=Severity.MAJOR, description="x")
    InspectionFactory(planned_on=dt.date(2025, 3, 20))  # never carried out: overdue
    InspectionFactory(planned_on=dt.date(2025, 4, 20))  # April's

    figures.refresh_month(page("inspections"), MARCH)
    march = figures.table(page("inspections"), MARCH, MARCH)
    column = {s.key: total for s, total in zip(march.series, march.totals, strict=True)}
    assert (column["planned"], column["done"], column["overdue"]) == (2, 1, 1)
    assert column["finding_major"] == 1
    assert column["finding_minor"] == 0
    assert figures.table(page("inspections"), MARCH, MARCH, region="Viken").totals == (march.totals)


def test_returns_on_time_late_and_not_filed(in_march: None) -> None:
    due = dt.date(2025, 3, 20)
    on_time, late, _missing = (
        ReturnPeriodFactory(
            starts_on=dt.date(2024, 10, 1), ends_on=dt.date(2024, 12, 31), due_on=due
        )
        for _ in range(3)
    )
    on_time.filed_at = at(19)
    on_time.save(update_fields=["filed_at"])
    late.filed_at = at(25)
    late.save(update_fields=["filed_at"])

    figures.refresh_month(page("returns"), MARCH)
    assert figures.table(page("returns"), MARCH, MARCH).totals == [3, 1, 1, 1]


def test_fees_by_currency(in_march: None) -> None:
    PaymentFactory(paid_on=dt.date(2025, 3, 4), amount=Decimal("100.50"))
    PaymentFactory(paid_on=dt.date(2025, 3, 9), amount=Decimal("20.00"))
    nok = PaymentFactory(paid_on=dt.date(2025, 3, 9), amount=Decimal("900.00"))
    nok.invoice.currency = "NOK"
    nok.invoice.save(update_fields=["currency"])
    PaymentFactory(paid_on=dt.date(2025, 4, 1), amount=Decimal("1.00"))  # April's

    figures.refresh_month(page("fees"), MARCH)
    found = figures.table(page("fees"), MARCH, MARCH)
    assert [s.key for s in found.series] == ["EUR", "NOK"]
    assert found.totals == [Decimal("120.50"), Decimal("900.00")]


def test_a_page_reads_the_sums_in_one_query(in_march: None, django_assert_num_queries: Any) -> None:
    ApplicationFactory(refused=True, decided_at=at(3))
    figures.refresh_range(MARCH, APRIL)
    with django_assert_num_queries(1):
        found = figures.table(page("decisions"), dt.date(2025, 1, 1), APRIL)
    assert [month for month, _values in found.rows] == [dt.date(2025, m, 1) for m in (1, 2, 3, 4)]
    assert found.column("refused") == {
        dt.date(2025, 1, 1): 0,
        dt.date(2025, 2, 1): 0,
        MARCH: 1,
        APRIL: 0,
    }


def test_the_page_draws_its_table_and_links_to_the_list_it_counts(
    in_march: None, senior: Any
) -> None:
    due = dt.date(2025, 3, 20)
    for _ in range(2):
        ReturnPeriodFactory(
            starts_on=dt.date(2024, 10, 1), ends_on=dt.date(2024, 12, 31), due_on=due
        )
    ReturnPeriodFactory(
        starts_on=dt.date(2025, 1, 1), ends_on=dt.date(2025, 3, 31), due_on=dt.date(2025, 4, 20)
    )
    figures.refresh_range(MARCH, APRIL)
    client = client_for(senior)
    response = client.get(
        "/admin/reports/figures/returns/", {"first": "2025-03", "last": "2025-04"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    bars = [int(n) for n in re.findall(r"<title>[^<]*: (\d+)</title>", html)]
    assert bars == [2, 1]  # the periods due in March and in April
    rows = response.context["rows"]
    assert [row["cells"][0]["text"] for row in rows] == ["2", "1"]
    for row, expected in zip(rows, (2, 1), strict=True):
        assert changelist_count(client, row["cells"][0]["url"]) == expected
    # Filtered by activity, the list cannot follow: no link.
    filtered = client.get(
        "/admin/reports/figures/returns/",
        {"first": "2025-03", "last": "2025-04", "activity": "import"},
    )
    assert all(not cell["url"] for row in filtered.context["rows"] for cell in row["cells"])


def test_the_csv_is_the_table_and_is_audited(in_march: None, auditor: Any) -> None:
    PaymentFactory(paid_on=dt.date(2025, 3, 4), amount=Decimal("100.50"))
    figures.refresh_month(page("fees"), MARCH)
    response = client_for(auditor).get(
        "/admin/reports/figures/fees/", {"first": "2025-03", "last": "2025-03", "download": "csv"}
    )
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows == [["Month", "EUR"], ["2025-03", "100.50"]]
    event = AuditEvent.objects.get(verb=Verb.EXPORTED)
    assert event.changes == {
        "format": "csv",
        "page": "fees",
        "first": "2025-03",
        "last": "2025-03",
        "activity": "all",
        "region": "all",
        "officer": "all",
    }


def test_an_empty_period_says_so(senior: Any) -> None:
    response = client_for(senior).get(
        "/admin/reports/figures/inspections/", {"first": "1990-01", "last": "1990-12"}
    )
    assert response.status_code == 200
    assert "Nothing was recorded in these months." in response.content.decode()


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ({"first": "2025-05", "last": "2025-01"}, "last", "The last month is before the first."),
        ({"first": "2010-01", "last": "2025-01"}, "last", "A report covers at most 10 years."),
        ({"first": "garbage", "last": "2025-01"}, "first", "Enter a valid date."),
        ({"first": "2025-01", "last": "2025-01", "region": "Atlantis"}, "region", "Select a valid"),
        ({"first": "2025-01", "last": "2025-01", "officer": "999999"}, "officer", "Select a valid"),
    ],
)
def test_bad_input_is_refused_at_the_field(
    senior: Any, query: dict[str, str], field: str, message: str
) -> None:
    response = client_for(senior).get("/admin/reports/figures/decisions/", query)
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert not AuditEvent.objects.filter(verb=Verb.EXPORTED).exists()


def test_an_officer_and_an_activity_together_are_refused(
    in_march: None, officer: Any, senior: Any
) -> None:
    ApplicationFactory(refused=True, decided_at=at(3), assigned_officer=officer)
    figures.refresh_month(page("decisions"), MARCH)
    query = {"first": "2025-03", "last": "2025-03", "officer": str(officer.pk)}
    response = client_for(senior).get("/admin/reports/figures/decisions/", query)
    assert [row["cells"][0]["text"] for row in response.context["rows"]] == ["1"]
    response = client_for(senior).get(
        "/admin/reports/figures/decisions/", {**query, "activity": "import"}
    )
    assert response.context["form"].errors["officer"] == [
        "Choose an officer, or an activity and a region: the figures are not kept by both."
    ]
    assert "rows" not in response.context


def test_only_senior_officers_and_auditors_read_the_pages(
    officer: Any, senior: Any, auditor: Any, inspector: Any
) -> None:
    for slug in ("decisions", "inspections", "returns", "fees", "risk"):
        url = f"/admin/reports/figures/{slug}/"
        assert client_for(senior).get(url).status_code == 200
        assert client_for(auditor).get(url).status_code == 200
        assert client_for(officer).get(url).status_code == 403
        assert client_for(inspector).get(url + "?download=csv").status_code == 403
        # The breakdown's CSV is refused as its page is.
        assert client_for(officer).get(url + "?download=csv&table=breakdown").status_code == 403
    assert client_for(senior).get("/admin/reports/figures/nothing/").status_code == 404
    assert not AuditEvent.objects.filter(verb=Verb.EXPORTED).exists()


def test_the_job_sums_this_month_and_the_one_before(time_machine: Any) -> None:
    from reports.tasks import refresh_management_figures

    time_machine.move_to(at(15), tick=False)
    ApplicationFactory(refused=True, decided_at=at(3, 2))
    ApplicationFactory(refused=True, decided_at=at(3, 1))  # January: not summed by the job
    refresh_management_figures.delay().get()
    refused = MonthlyFigure.objects.filter(
        figure="decisions", series="refused", activity="", region=""
    )
    assert {(row.month, row.value) for row in refused} == {(dt.date(2025, 2, 1), 1)}


def test_the_open_cases_per_officer_link_to_their_lists(
    officer: Any, officer2: Any, senior: Any, settings: Any
) -> None:
    old = timezone.now() - dt.timedelta(days=70)
    ApplicationFactory(in_review=True, assigned_officer=officer, submitted_at=old)
    ApplicationFactory(in_review=True, assigned_officer=officer)
    ApplicationFactory(in_review=True, assigned_officer=officer2)
    ApplicationFactory(submitted=True)  # not assigned
    ApplicationFactory(approved=True, assigned_officer=officer2)  # decided: not counted
    client = client_for(senior)
    response = client.get("/admin/reports/workload/")
    assert response.status_code == 200
    rows = {row["officer"]: row for row in response.context["rows"]}
    assert rows[officer.get_full_name() or officer.username]["open"] == 2
    assert rows[officer.get_full_name() or officer.username]["bands"] == [1, 1, 0]
    assert rows[officer2.get_full_name() or officer2.username]["open"] == 1
    assert rows["Not assigned"]["open"] == 1
    for row in rows.values():
        assert changelist_count(client, row["url"]) == row["open"]
    csv_response = client.get("/admin/reports/workload/", {"download": "csv"})
    lines = list(csv.reader(io.StringIO(csv_response.content.decode("utf-8-sig"))))
    assert lines[0][:2] == ["Officer", "Open cases"]
    assert len(lines) == 1 + len(rows)
    assert AuditEvent.objects.get(verb=Verb.EXPORTED).changes["page"] == "workload"
    assert client_for(officer).get("/admin/reports/workload/").status_code == 403


def test_a_page_costs_the_same_queries_for_one_month_or_ten_years(
    in_march: None, senior: Any, django_assert_max_num_queries: Any
) -> None:
    """Three queries of the sums (the regions, the officers, the months) and the officers'
    names, whatever the months; none reads the records. (What else a request costs, the
    session and the permissions, depends on the cache of the machine.)"""
    ApplicationFactory(refused=True, decided_at=at(3), assigned_officer=senior)
    figures.refresh_month(page("decisions"), MARCH)
    client = client_for(senior)
    client.get("/admin/reports/figures/decisions/")
    records = ("licensing_application", "licensing_licence", "licensing_auditevent")
    for query in ({"first": "2025-03", "last": "2025-03"}, {"first": "2015-04", "last": "2025-03"}):
        with django_assert_max_num_queries(20) as captured:
            response = client.get("/admin/reports/figures/decisions/", query)
        assert response.status_code == 200
        statements = [q["sql"] for q in captured.captured_queries]
        assert sum("reports_monthlyfigure" in sql for sql in statements) == 3
        assert not any(f'FROM "{table}"' in sql for sql in statements for table in records)
