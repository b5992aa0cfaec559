"""The holder's returns pages (Art. 9.1, 9.2): what is due, filing by the form, corrections
with a reason; only the periods of the parties the user acts for."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from licensing.models import AuditEvent, Verb
from returns.models import FiledThrough, Return, ReturnPeriod
from tests.factories.returns import ReturnFactory, ReturnPeriodFactory
from tests.returns.files import counterpart, formsets, line, payment

pytestmark = pytest.mark.django_db


def url(name: str, period: ReturnPeriod, **kwargs: Any) -> str:
    return reverse(f"returns:{name}", kwargs={"period_id": period.pk, **kwargs})


@pytest.fixture
def period() -> ReturnPeriod:
    return ReturnPeriodFactory()


@pytest.fixture
def holder(client: Client, period: ReturnPeriod, applicant_for: Any) -> Any:
    user = applicant_for(period.party)
    client.force_login(user)
    return user


def test_the_list_shows_only_the_periods_of_the_parties_the_user_acts_for(
    client: Client, period: ReturnPeriod, holder: Any
) -> None:
    older = ReturnPeriodFactory(
        licence=period.licence,
        starts_on=period.starts_on - dt.timedelta(days=92),
        ends_on=period.starts_on - dt.timedelta(days=1),
        due_on=period.starts_on + dt.timedelta(days=19),
    )
    theirs = ReturnPeriodFactory()
    page = client.get(reverse("returns:periods")).content.decode()
    assert url("period", period) in page and url("period", older) in page
    assert url("period", theirs) not in page and str(theirs.licence.number) not in page
    assert page.index(url("period", period)) < page.index(url("period", older))  # newest first
    assert "Overdue" in page  # the older period, unfiled long past its due date


def test_the_list_shows_the_status_and_version_of_a_filed_period(
    client: Client, holder: Any, period: ReturnPeriod
) -> None:
    ReturnFactory(period=period, filed_by=holder)
    page = client.get(reverse("returns:periods")).content.decode()
    assert "Filed" in page and "version 1" in page and "Correct" in page


def test_another_partys_period_is_not_found_on_every_page(client: Client, holder: Any) -> None:
    theirs = ReturnPeriodFactory()
    for name in ("period", "file", "upload"):
        assert client.get(url(name, theirs)).status_code == 404
    assert client.post(url("file", theirs), formsets([line()])).status_code == 404
    assert client.get(url("dry_run", theirs, token="x")).status_code == 404
    assert not Return.objects.exists()


def test_a_visitor_who_is_not_signed_in_is_sent_to_sign_in(
    client: Client, period: ReturnPeriod
) -> None:
    response = client.get(url("period", period))
    assert response.status_code == 302 and reverse("portal:login") in response.url


def test_a_return_filed_through_the_form_keeps_its_rows_and_is_audited(
    client: Client, period: ReturnPeriod, holder: Any
) -> None:
    response = client.post(
        url("file", period),
        formsets(
            [line(), line(measure="kg", stock_start="", imported="5.125", sold="5.125")],
            [counterpart()],
            [payment(currency="nok")],
        ),
    )
    assert response.status_code == 302 and response.url == url("period", period)
    filed = Return.objects.get(period=period)
    assert (filed.version, filed.filed_through, filed.filed_by) == (1, FiledThrough.FORM, holder)
    kg = filed.lines.get(measure="kg")
    assert (kg.stock_start, kg.imported) == (Decimal(0), Decimal("5.125"))
    assert filed.counterparts.get().registration_number == "923609016"
    assert filed.payments.get().currency == "NOK"
    assert AuditEvent.objects.for_object(filed).get().verb == Verb.RETURN_FILED
    page = client.get(response.url).content.decode()
    assert "Kunde AS" in page and "DNB Bank ASA" in page


def test_an_invalid_form_is_shown_again_with_its_errors_and_saves_nothing(
    client: Client, period: ReturnPeriod, holder: Any
) -> None:
    data = formsets(
        [line(stock_start="-5", sold="lots", product_type="snus")],
        [counterpart(registration_number="923609017"), counterpart(registration_number="")],
        [payment(bank_country="", amount="0", currency="NO")],
    )
    response = client.post(url("file", period), data)
    assert response.status_code == 400
    page = response.content.decode()
    for message in (
        "A quantity cannot be negative.",
        "Enter a number, such as 1250 or 12.5.",
        "Unknown product type.",
        "This is not a valid registration number in NO.",
        "Give its registration number or its tax number.",
        "Give the bank&#x27;s country for a transfer or a card.",
        "The amount must be more than 0.",
        "Enter the currency as three letters, such as NOK.",
    ):
        assert message in page, message
    assert 'id="id_line-0-stock_start_error"' in page and 'value="923609017"' in page
    assert not Return.objects.exists()


def test_the_same_product_in_the_same_measure_twice_is_refused(
    client: Client, period: ReturnPeriod, holder: Any
) -> None:
    response = client.post(url("file", period), formsets([line(), line()]))
    assert response.status_code == 400
    assert "already on line 1" in response.content.decode()
    assert not Return.objects.exists()


def test_a_return_without_a_product_line_is_refused_with_the_services_message(
    client: Client, period: ReturnPeriod, holder: Any
) -> None:
    response = client.post(url("file", period), formsets([], [], [payment()]))
    assert response.status_code == 400
    assert "A return needs at least one product line." in response.content.decode()
    assert not Return.objects.exists()


def test_add_another_row_without_javascript_keeps_what_was_typed_and_saves_nothing(
    client: Client, period: ReturnPeriod, holder: Any
) -> None:
    data = formsets([line(sold="9000")], [counterpart(name="Kunde AS")], add_row="counterpart")
    response = client.post(url("file", period), data)
    assert response.status_code == 200
    page = response.content.decode()
    assert 'name="counterpart-TOTAL_FORMS" value="3"' in page  # the typed row and two empty
    assert 'name="line-TOTAL_FORMS" value="2"' in page
    assert 'value="Kunde AS"' in page and 'value="9000"' in page
    assert "There is a problem" not in page
    assert 'data-add-row="counterpart"' in page and 'data-empty-row="counterpart"' in page
    assert not Return.objects.exists()


def test_an_untouched_extra_row_counts_for_nothing(
    client: Client, period: ReturnPeriod, holder: Any
) -> None:
    blank_line = dict.fromkeys(line(), "")
    response = client.post(url("file", period), formsets([line(), blank_line]))
    assert response.status_code == 302
    assert Return.objects.get().lines.count() == 1


def test_a_correction_is_prefilled_needs_a_reason_and_makes_version_2(
    client: Client, period: ReturnPeriod, holder: Any
) -> None:
    first = ReturnFactory(period=period, filed_by=holder)
    page = client.get(url("file", period)).content.decode()
    assert 'name="line-0-stock_start" value="1000.000"' in page and 'name="reason"' in page

    data = formsets([line(sold="8000", stock_end="3000")])
    response = client.post(url("file", period), data)
    assert response.status_code == 400
    assert "Say why you correct the return." in response.content.decode()
    assert Return.objects.filter(period=period).count() == 1

    response = client.post(url("file", period), data | {"reason": "Sales were counted twice."})
    assert response.status_code == 302
    second = Return.objects.get(period=period, version=2)
    assert second.reason == "Sales were counted twice."
    assert second.lines.get().sold == Decimal(8000)
    assert first.lines.get().sold == Decimal(9000)  # the first version is kept as it was
    assert AuditEvent.objects.for_object(second).get().verb == Verb.RETURN_CORRECTED
    detail = client.get(url("period", period)).content.decode()
    assert "Sales were counted twice." in detail and "version 2" in detail


def test_a_period_that_has_not_begun_cannot_be_filed(client: Client, applicant_for: Any) -> None:
    today = timezone.localdate()
    later = ReturnPeriodFactory(
        starts_on=today + dt.timedelta(days=10),
        ends_on=today + dt.timedelta(days=40),
        due_on=today + dt.timedelta(days=60),
    )
    client.force_login(applicant_for(later.party))
    response = client.get(url("file", later))
    assert response.status_code == 302 and response.url == url("period", later)
    assert "Not yet due" in client.get(reverse("returns:periods")).content.decode()


def test_posting_without_the_csrf_token_is_refused(period: ReturnPeriod, holder: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(holder)
    assert client.post(url("file", period), formsets([line()])).status_code == 403
    assert not Return.objects.exists()


def test_the_licence_page_links_to_its_returns(
    client: Client, period: ReturnPeriod, holder: Any
) -> None:
    page = client.get(
        reverse("portal:licence_detail", kwargs={"public_id": period.licence.public_id})
    ).content.decode()
    link = f"{reverse('returns:periods')}?licence={period.licence.public_id}"
    assert link in page
    assert url("period", period) in client.get(link).content.decode()


@pytest.mark.parametrize("language", ["hu", "nb"])
def test_the_pages_work_in_hungarian_and_norwegian(
    client: Client, period: ReturnPeriod, holder: Any, language: str
) -> None:
    client.cookies["django_language"] = language
    data = formsets([line(product_type="snus")], [counterpart(traded_on="2026-01-31")])
    assert client.post(url("file", period), data).status_code == 400
    for page in ("period", "file", "upload"):
        assert client.get(url(page, period)).status_code == 200
    assert client.get(reverse("returns:periods")).status_code == 200
