"""The Party's aggregate report (Art. 20.1, 32; issue 22): the figures of a period from the
licences, the returns and the seizures; read by senior officers and auditors only (Art.
20.3); its downloads escaped and audited; a bad period refused at the field."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal
from typing import Any

import openpyxl
import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from licensing.models import AuditEvent, Verb
from licensing.services import licences as lic
from reports.party_report import party_report
from returns.models import Return
from seizures.models import SeizedItem, Unit
from seizures.services import cases
from tests.documents.test_printing import pdf_text
from tests.factories import LicenceFactory, PartyFactory
from tests.factories.returns import ReturnFactory, ReturnLineFactory, ReturnPeriodFactory
from tests.portal.cases_world import client_for
from tests.seizures.helpers import open_case, tobacco

pytestmark = pytest.mark.django_db

URL = "/admin/reports/party-report/"


def cigarettes(sticks: int, brand: str, value: str) -> SeizedItem:
    return SeizedItem(
        kind="product",
        product_type="cigarettes",
        brand=brand,
        quantity=Decimal(sticks),
        unit=Unit.STICK,
        value=Decimal(value),
        currency="NOK",
    )


@pytest.fixture
def world(officer: Any) -> dict[str, Any]:
    """A quarter's returns (one corrected), two seizures in the period and one before it,
    two licences issued now, one of them suspended."""
    period = ReturnPeriodFactory()
    first = ReturnFactory(period=period, lines=False)
    ReturnLineFactory(filed_return=first, imported=Decimal(10000))
    correction = ReturnFactory(period=period, version=2, reason="Miscounted.", lines=False)
    ReturnLineFactory(filed_return=correction, imported=Decimal(12000), produced=Decimal(500))
    earlier = ReturnPeriodFactory(
        starts_on=period.starts_on - dt.timedelta(days=92),
        ends_on=period.starts_on - dt.timedelta(days=1),
    )
    ReturnLineFactory(filed_return=ReturnFactory(period=earlier, lines=False))

    yesterday = timezone.localdate() - dt.timedelta(days=1)
    moss = open_case(officer, seized_on=yesterday)
    cases.add_item(case_id=moss.pk, item=tobacco(300), by=officer)
    cases.add_item(case_id=moss.pk, item=cigarettes(20000, "=HYPERLINK(1)", "40000"), by=officer)
    again = open_case(officer, seized_on=yesterday)
    cases.add_item(case_id=again.pk, item=cigarettes(5000, "=HYPERLINK(1)", "10000"), by=officer)
    before = open_case(officer, seized_on=period.starts_on - dt.timedelta(days=10))
    cases.add_item(case_id=before.pk, item=tobacco(999), by=officer)

    licence = LicenceFactory()
    LicenceFactory()
    lic.suspend_licence(licence_id=licence.pk, by=officer, ground="other", reason="Stock missing.")
    return {"starts_on": period.starts_on, "ends_on": timezone.localdate()}


def tables(report: Any) -> dict[str, list[list[Any]]]:
    return {table.key: table.rows for table in report.tables}


def test_the_figures_of_the_period_come_from_the_returns_seizures_and_licences(
    world: dict[str, Any], django_assert_num_queries: Any
) -> None:
    with django_assert_num_queries(8):  # one aggregate per table, two for the decisions
        report = party_report(**world)
    rows = tables(report)
    # Art. 20.1(b): the correction (version 2) counts, not version 1; the earlier quarter not.
    assert rows["trade"] == [
        ["cigarettes", "units (sticks, pieces)", Decimal(500), Decimal(12000), Decimal(0)]
    ]
    assert Return.objects.count() == 3
    # Art. 20.1(a): the two seizures of the period, by kind; the one before it not.
    assert rows["seizures"] == [
        ["tobacco products", "cigarettes", "sticks", 2, Decimal(25000)],
        ["tobacco", "", "kg", 1, Decimal(300)],
    ]
    assert rows["values"] == [["NOK", 2, Decimal(50000)]]
    assert rows["descriptions"][0] == [
        "tobacco products",
        "cigarettes",
        "=HYPERLINK(1)",
        2,
        Decimal(25000),
        "sticks",
    ]
    assert rows["places"] == [["Kartbladveien 12, 1526 Moss", 2, 3]]
    decisions = dict(map(tuple, rows["decisions"]))
    assert decisions["New licences issued"] == 2 + 2  # and the two of the returns' periods
    assert decisions["Licences suspended"] == 1
    assert decisions["Licences revoked"] == 0
    # Today's licences by activity: each of the four holds import and wholesale; one suspended.
    licences = next(table for table in report.tables if table.key == "licences")
    suspended = licences.headings.index("suspended")
    assert [(row[0], row[suspended], row[-1]) for row in licences.rows] == [
        ("import", 1, 4),
        ("wholesaling", 1, 4),
    ]


def test_a_period_with_nothing_in_it_gives_empty_tables_and_a_sentence(
    senior: Any, world: dict[str, Any]
) -> None:
    long_ago = {"starts_on": "1990-01-01", "ends_on": "1990-12-31"}
    page = client_for(senior).get(URL, long_ago)
    assert page.status_code == 200
    text = page.content.decode()
    assert "Nothing in this period." in text
    report = party_report(starts_on=dt.date(1990, 1, 1), ends_on=dt.date(1990, 12, 31))
    assert all(not t.rows for t in report.tables if t.key != "licences")


@pytest.mark.parametrize(
    ("period", "error"),
    [
        ({"starts_on": "2025-06-01", "ends_on": "2025-05-31"}, "The end date is before the start"),
        ({"starts_on": "2010-01-01", "ends_on": "2020-01-02"}, "at most 10 years"),
        ({"starts_on": "2025-13-40", "ends_on": "2025-12-31"}, "Enter a valid date."),
        ({"starts_on": "", "ends_on": "2025-12-31"}, "This field is required."),
        ({"starts_on": "9999-12-31", "ends_on": "9999-12-31"}, "Enter a date between 1900"),
        ({"starts_on": "0001-01-01", "ends_on": "0001-12-31"}, "Enter a date between 1900"),
        ({"starts_on": ["2025-01-01", "<script>"], "ends_on": "2025-12-31"}, "Enter a valid date"),
    ],
)
def test_a_bad_period_is_refused_at_the_field_and_no_report_is_made(
    senior: Any, period: dict[str, Any], error: str
) -> None:
    page = client_for(senior).get(URL, period)
    assert page.status_code == 200
    text = page.content.decode()
    assert error in text
    assert page.context["report"] is None
    assert 'role="alert"' in text
    # A download asked with the bad period is not made either, and nothing is recorded.
    events = AuditEvent.objects.count()
    refused = client_for(senior).get(URL, {**period, "download": "csv"})
    assert refused["Content-Type"].startswith("text/html")
    assert AuditEvent.objects.count() == events


def test_only_senior_officers_and_auditors_read_it(
    senior: Any, auditor: Any, officer: Any, registrar: Any, inspector: Any, applicant_for: Any
) -> None:
    # Art. 20.3: confidential by default.
    for reader in (senior, auditor):
        page = client_for(reader).get(reverse("admin:index"))
        assert URL in page.content.decode()
        assert client_for(reader).get(URL).status_code == 200
    for other in (officer, registrar, inspector):
        assert URL not in client_for(other).get(reverse("admin:index")).content.decode()
        assert client_for(other).get(URL).status_code == 403
        assert client_for(other).get(URL, {"download": "csv"}).status_code == 403
    applicant = applicant_for(PartyFactory())
    assert client_for(applicant).get(URL).status_code == 302  # the admin's log-in
    assert not AuditEvent.objects.filter(verb=Verb.EXPORTED).exists()


def test_the_csv_is_escaped_and_each_download_is_audited(
    auditor: Any, world: dict[str, Any]
) -> None:
    period = {key: value.isoformat() for key, value in world.items()}
    response = client_for(auditor).get(URL, {**period, "download": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="party-report-')
    assert "no-store" in response["Cache-Control"]
    content = response.content.decode("utf-8-sig")
    cells = [cell for row in csv.reader(io.StringIO(content)) for cell in row]
    assert "'=HYPERLINK(1)" in cells  # a formula is text in a spreadsheet
    assert "=HYPERLINK(1)" not in cells
    assert "Confidential (Art. 20.3)" in cells
    event = AuditEvent.objects.get(verb=Verb.EXPORTED)
    assert event.actor == auditor
    assert event.changes == {
        "format": "csv",
        "starts_on": period["starts_on"],
        "ends_on": period["ends_on"],
    }


def test_the_xlsx_holds_the_same_figures_as_text_and_numbers(
    senior: Any, world: dict[str, Any]
) -> None:
    period = {key: value.isoformat() for key, value in world.items()}
    response = client_for(senior).get(URL, {**period, "download": "xlsx"})
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0]
    values = [cell.value for row in sheet.iter_rows() for cell in row if cell.value != ""]
    assert "=HYPERLINK(1)" in values  # written as text, not a formula
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
    assert 12000 in values
    assert AuditEvent.objects.filter(verb=Verb.EXPORTED, changes__format="xlsx").count() == 1


def test_the_report_speaks_norwegian_and_hungarian(senior: Any, world: dict[str, Any]) -> None:
    period = {key: value.isoformat() for key, value in world.items()}
    for language, title in (
        ("nb", "Partens samlede rapport"),
        ("hu", "A Részes Fél összesített jelentése"),
    ):
        client = client_for(senior)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        page = client.get(URL, period).content.decode()
        assert f'lang="{language}"' in page
        assert title in page


def test_the_pdf_is_printed_in_the_readers_language_and_audited(
    senior: Any, world: dict[str, Any]
) -> None:
    period = {key: value.isoformat() for key, value in world.items()}
    client = client_for(senior)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "hu"
    response = client.get(URL, {**period, "download": "pdf"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].endswith('.pdf"')
    text = " ".join(pdf_text(response.content).split())
    assert "A Részes Fél összesített jelentése" in text
    assert "Bizalmas (20. cikk (3) bekezdés)." in text
    assert "Kartbladveien 12, 1526 Moss" in text  # the place of the two seizures
    assert "=HYPERLINK(1)" in text  # printed as text, as typed
    event = AuditEvent.objects.get(verb=Verb.EXPORTED)
    assert (event.actor, event.changes["format"]) == (senior, "pdf")
