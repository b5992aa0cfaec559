"""Fees (Art. 6.3(c)): invoicing on submission, recording payments."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from licensing.exceptions import DomainError
from licensing.models.applications import Application
from licensing.models.audit import Verb
from licensing.models.fees import FeeSchedule, Invoice, InvoiceLine, Payment
from licensing.services.audit import record_event
from licensing.services.common import locked
from licensing.services.numbers import invoice_number
from licensing.services.rules import payment_blockers, raise_first


class InvalidPayment(DomainError):
    default_message = _("The payment is not valid.")


def fee_for(*, activity: str, kind: str, on: dt.date) -> FeeSchedule | None:
    return (
        FeeSchedule.objects.filter(activity=activity, application_kind=kind, valid_from__lte=on)
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=on))
        .order_by("-valid_from")
        .first()
    )


def issue_invoice(*, application: Application, by: Any) -> Invoice:
    """Invoice the application's fee, one line per activity. Called once, on submission."""
    today = timezone.localdate()
    lines = []
    currency = settings.FEE_CURRENCY
    for activity in application.activities:
        fee = fee_for(activity=activity, kind=application.kind, on=today)
        amount = fee.amount if fee else Decimal("0.00")
        currency = fee.currency if fee else currency
        lines.append((activity, amount))
    invoice = Invoice.objects.create(
        application=application,
        number=invoice_number(today),
        amount=sum((amount for _, amount in lines), Decimal("0.00")),
        currency=currency,
        due_on=today + dt.timedelta(days=settings.INVOICE_DUE_DAYS),
    )
    InvoiceLine.objects.bulk_create(
        InvoiceLine(invoice=invoice, activity=activity, amount=amount) for activity, amount in lines
    )
    record_event(
        application,
        verb=Verb.INVOICE_ISSUED,
        by=by,
        changes={"invoice": invoice.number, "amount": str(invoice.amount), "currency": currency},
    )
    return invoice


@transaction.atomic
def record_payment(
    *, invoice_id: int, by: Any, reference: str, amount: Decimal, paid_on: dt.date
) -> Payment:
    """Licence officers record a payment received against an invoice."""
    invoice = locked(Invoice, invoice_id)
    raise_first(payment_blockers(invoice, by))
    reference = reference.strip()
    if not reference:
        raise InvalidPayment(_("A payment reference is required."))
    if amount <= 0:
        raise InvalidPayment(_("The amount must be greater than zero."))
    if paid_on > timezone.localdate():
        raise InvalidPayment(_("The payment date cannot be in the future."))
    if Payment.objects.filter(reference=reference).exists():
        raise InvalidPayment(_("A payment with this reference is already recorded."))
    payment = Payment.objects.create(
        invoice=invoice, reference=reference, amount=amount, paid_on=paid_on, recorded_by=by
    )
    record_event(
        invoice.application,
        verb=Verb.PAYMENT_RECORDED,
        by=by,
        changes={
            "invoice": invoice.number,
            "reference": reference,
            "amount": str(amount),
            "paid_on": paid_on.isoformat(),
        },
    )
    return payment
