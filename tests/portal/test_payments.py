"""Paying the fee (Art. 6.3(c)) through the payment-provider interface: once, and only while
the application is open and the invoice unpaid."""

from __future__ import annotations

import re
import threading
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.urls import reverse

from licensing.exceptions import DomainError, PermissionDenied, TransitionNotAllowed
from licensing.models import AuditEvent, Payment, Verb
from licensing.services import payments
from tests.factories import ApplicationFactory, PartyFactory
from tests.portal.cases_world import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def party():
    return PartyFactory()


@pytest.fixture
def applicant(applicant_for, party):
    return applicant_for(party)


def url(name, application):
    return reverse(f"portal:{name}", kwargs={"public_id": application.public_id})


def reference_on(page: str) -> str:
    found = re.search(r'name="reference" value="(SIM-[0-9A-F]{32})"', page)
    assert found, "the pay page carries the provider's reference"
    return found.group(1)


def test_fee_page_shows_the_invoice_lines_paid_and_due(applicant, party):
    application = ApplicationFactory(party=party, submitted=True)
    invoice = application.invoice
    page = client_for(applicant).get(url("application_fee", application)).content.decode()
    assert invoice.number in page
    for line in invoice.lines.all():
        assert str(line.amount) in page
    assert "Still to pay" in page
    assert str(invoice.amount) in page
    assert invoice.due_on.strftime("%Y") in page
    assert url("application_pay", application) in page


def test_paying_records_one_payment_by_the_applicant(applicant, party):
    application = ApplicationFactory(party=party, submitted=True)
    client = client_for(applicant)
    reference = reference_on(client.get(url("application_pay", application)).content.decode())

    response = client.post(url("application_pay", application), {"reference": reference})

    assert response.status_code == 302
    payment = Payment.objects.get(invoice=application.invoice)
    assert payment.reference == reference
    assert payment.amount == application.invoice.amount
    assert payment.recorded_by == applicant
    application.invoice.refresh_from_db()
    assert application.invoice.is_paid
    event = AuditEvent.objects.for_object(application).get(verb=Verb.PAYMENT_RECORDED)
    assert event.actor == applicant
    assert event.changes["provider"] == "simulated"


def test_a_double_submit_records_one_payment(applicant, party):
    application = ApplicationFactory(party=party, submitted=True)
    client = client_for(applicant)
    reference = reference_on(client.get(url("application_pay", application)).content.decode())

    client.post(url("application_pay", application), {"reference": reference})
    second = client.post(url("application_pay", application), {"reference": reference}, follow=True)

    assert Payment.objects.filter(invoice=application.invoice).count() == 1
    assert "already paid" in second.content.decode()


def test_two_open_pay_pages_record_one_payment(applicant, party):
    application = ApplicationFactory(party=party, submitted=True)
    client = client_for(applicant)
    first = reference_on(client.get(url("application_pay", application)).content.decode())
    second = reference_on(client.get(url("application_pay", application)).content.decode())
    assert first != second

    client.post(url("application_pay", application), {"reference": first})
    client.post(url("application_pay", application), {"reference": second})

    assert Payment.objects.filter(invoice=application.invoice).count() == 1


def test_paying_a_paid_invoice_is_refused(applicant, party):
    application = ApplicationFactory(party=party, in_review=True, paid=True)
    client = client_for(applicant)
    assert client.get(url("application_pay", application)).status_code == 302
    client.post(url("application_pay", application), {"reference": "SIM-" + "A" * 32})
    assert Payment.objects.filter(invoice=application.invoice).count() == 1


@pytest.mark.parametrize("state", ["withdrawn", "refused"])
def test_paying_a_closed_application_is_refused(applicant, party, state):
    application = ApplicationFactory(party=party, **{state: True})
    response = client_for(applicant).post(
        url("application_pay", application), {"reference": "SIM-" + "B" * 32}, follow=True
    )
    assert not Payment.objects.filter(invoice=application.invoice).exists()
    assert "no longer open" in response.content.decode()


def test_a_forged_reference_is_refused(applicant, party):
    application = ApplicationFactory(party=party, submitted=True)
    client_for(applicant).post(url("application_pay", application), {"reference": "PAID"})
    assert not Payment.objects.exists()


def test_only_a_user_acting_for_the_party_may_pay(applicant_for, party):
    application = ApplicationFactory(party=party, submitted=True)
    stranger = applicant_for(PartyFactory())
    with pytest.raises(PermissionDenied):
        payments.pay_invoice(
            invoice_id=application.invoice.pk,
            by=stranger,
            provider=payments.SimulatedProvider(),
            data={"reference": "SIM-" + "C" * 32},
        )
    assert not Payment.objects.exists()


def test_a_draft_without_invoice_has_nothing_to_pay(applicant, party):
    application = ApplicationFactory(party=party)
    response = client_for(applicant).get(url("application_pay", application))
    assert response.status_code == 302
    assert response["Location"] == url("application_fee", application)


def test_provider_is_chosen_by_setting(settings):
    settings.PAYMENT_PROVIDER = "simulated"
    assert isinstance(payments.get_provider(), payments.SimulatedProvider)
    settings.PAYMENT_PROVIDER = "licensing.services.payments.SimulatedProvider"
    assert isinstance(payments.get_provider(), payments.SimulatedProvider)
    settings.PAYMENT_PROVIDER = "licensing.models.Party"
    with pytest.raises(TypeError):
        payments.get_provider()


def test_a_provider_that_reports_a_wrong_amount_records_nothing(applicant, party):
    class Short(payments.SimulatedProvider):
        name = "short"

        def confirm(self, invoice, *, amount, data):
            return payments.PaymentResult(reference="SHORT-1", amount=amount - Decimal("1"))

    application = ApplicationFactory(party=party, submitted=True)
    with pytest.raises(payments.PaymentFailed):
        payments.pay_invoice(
            invoice_id=application.invoice.pk, by=applicant, provider=Short(), data={}
        )
    assert not Payment.objects.exists()


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_simultaneous_submits_record_exactly_one_payment(applicant_for):
    party = PartyFactory()
    applicant = applicant_for(party)
    application = ApplicationFactory(party=party, submitted=True)
    threads = 8
    barrier = threading.Barrier(threads)
    outcomes: list[str] = []
    lock = threading.Lock()

    def pay(index: int) -> None:
        try:
            user = get_user_model().objects.get(pk=applicant.pk)
            barrier.wait(timeout=30)
            try:
                payments.pay_invoice(
                    invoice_id=application.invoice.pk,
                    by=user,
                    provider=payments.SimulatedProvider(),
                    data={"reference": f"SIM-{index:032X}"},
                )
                outcome = "paid"
            except (DomainError, TransitionNotAllowed) as exc:
                outcome = type(exc).__name__
            with lock:
                outcomes.append(outcome)
        finally:
            connection.close()

    workers = [threading.Thread(target=pay, args=(i,)) for i in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()

    assert outcomes.count("paid") == 1
    assert outcomes.count("AlreadyPaid") == threads - 1
    assert Payment.objects.filter(invoice=application.invoice).count() == 1
