"""Paying the fee from the portal (Art. 6.3(c)) through a payment provider.

A provider has two steps: ``start`` says how the payment begins (a redirect to the provider's
page, or hidden fields of a form posted back to us) and ``confirm`` checks what came back and
says which payment was made. ``PAYMENT_PROVIDER`` chooses the provider by name (or a dotted
path); the shipped ``SimulatedProvider`` takes no money and records a simulated payment."""

from __future__ import annotations

import re
import uuid
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, ClassVar

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

from licensing.exceptions import DomainError, PermissionDenied, TransitionNotAllowed
from licensing.models.applications import OPEN_STATES, acts_for_party
from licensing.models.audit import Verb
from licensing.models.fees import Invoice, Payment
from licensing.services.audit import record_event
from licensing.services.common import locked
from licensing.services.rules import raise_first


class PaymentFailed(DomainError):
    default_message = _("The payment could not be confirmed. No money has been recorded.")


class AlreadyPaid(DomainError):
    default_message = _("This invoice is already paid in full.")


@dataclass(frozen=True)
class PaymentStart:
    """How a payment begins: send the user to ``redirect_url``, or post ``fields`` back."""

    redirect_url: str = ""
    fields: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class PaymentResult:
    """A payment the provider confirmed: its unique reference and the amount paid."""

    reference: str
    amount: Decimal


class PaymentProvider(ABC):
    name: ClassVar[str]
    label: ClassVar[Any]

    @abstractmethod
    def start(self, invoice: Invoice, *, amount: Decimal) -> PaymentStart:
        """Begin paying ``amount`` of ``invoice``."""

    @abstractmethod
    def confirm(
        self, invoice: Invoice, *, amount: Decimal, data: Mapping[str, str]
    ) -> PaymentResult:
        """Check what the provider sent back; raise ``PaymentFailed`` when it is not a payment."""


class SimulatedProvider(PaymentProvider):
    """For demonstrations and tests: every confirmed payment succeeds, no money moves."""

    name = "simulated"
    label = _("Simulated payment (no money is taken)")
    REFERENCE = re.compile(r"^SIM-[0-9A-F]{32}$")

    def start(self, invoice: Invoice, *, amount: Decimal) -> PaymentStart:
        # One reference per pay page: a second submit of the same page reuses it.
        return PaymentStart(fields={"reference": f"SIM-{uuid.uuid4().hex.upper()}"})

    def confirm(
        self, invoice: Invoice, *, amount: Decimal, data: Mapping[str, str]
    ) -> PaymentResult:
        reference = str(data.get("reference", ""))
        if not self.REFERENCE.match(reference):
            raise PaymentFailed()
        return PaymentResult(reference=reference, amount=amount)


PROVIDERS: dict[str, type[PaymentProvider]] = {SimulatedProvider.name: SimulatedProvider}


def get_provider(name: str | None = None) -> PaymentProvider:
    """The provider named by ``name`` or ``settings.PAYMENT_PROVIDER``: a registered name or
    the dotted path of a ``PaymentProvider`` class."""
    name = name or getattr(settings, "PAYMENT_PROVIDER", "") or SimulatedProvider.name
    provider_class = PROVIDERS.get(name) or import_string(name)
    if not (isinstance(provider_class, type) and issubclass(provider_class, PaymentProvider)):
        raise TypeError(f"{name} is not a PaymentProvider")
    return provider_class()


def outstanding(invoice: Invoice) -> Decimal:
    return max(invoice.amount - invoice.amount_paid, Decimal("0.00"))


def applicant_payment_blockers(invoice: Invoice, user: Any) -> list[DomainError]:
    """Art. 6.3(c): the applicant pays an open application's unpaid invoice."""
    application = invoice.application
    if not acts_for_party(application, user):
        return [PermissionDenied()]
    if application.state not in OPEN_STATES:
        return [TransitionNotAllowed(_("The application is no longer open."))]
    if invoice.is_paid:
        return [AlreadyPaid()]
    return []


@transaction.atomic
def pay_invoice(
    *,
    invoice_id: int,
    by: Any,
    provider: PaymentProvider,
    data: Mapping[str, str],
) -> Payment:
    """A user who acts for the applicant pays the rest of the invoice through ``provider``.

    The invoice row stays locked until the payment is recorded, so a second submit of the pay
    form waits and is then refused as already paid; the reference is unique as well."""
    invoice = locked(Invoice, invoice_id)
    raise_first(applicant_payment_blockers(invoice, by))
    amount = outstanding(invoice)
    result = provider.confirm(invoice, amount=amount, data=data)
    if result.amount != amount:
        raise PaymentFailed(_("The amount paid does not match the amount due."))
    if Payment.objects.filter(reference=result.reference).exists():
        raise AlreadyPaid(_("This payment is already recorded."))
    payment = Payment(
        invoice=invoice,
        reference=result.reference,
        amount=result.amount,
        paid_on=timezone.localdate(),
        recorded_by=by,
    )
    payment.full_clean()
    payment.save()
    record_event(
        invoice.application,
        verb=Verb.PAYMENT_RECORDED,
        by=by,
        changes={
            "invoice": invoice.number,
            "reference": payment.reference,
            "amount": str(payment.amount),
            "paid_on": payment.paid_on.isoformat(),
            "provider": provider.name,
        },
    )
    return payment
