"""Licence fees (Art. 6.3(c)): a schedule by activity and application kind, an invoice per
application, and recorded payments. No licence is issued while its fee is unpaid."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Sum
from django.utils.translation import gettext_lazy as _

from licensing.models.activities import Activity
from licensing.models.applications import Application, ApplicationKind
from licensing.models.base import Record, ordered_check, positive_check


class FeeSchedule(Record):
    activity = models.CharField(_("activity"), max_length=24, choices=Activity.choices)
    application_kind = models.CharField(
        _("application kind"), max_length=10, choices=ApplicationKind.choices
    )
    amount = models.DecimalField(
        _("amount"), max_digits=12, decimal_places=2, validators=[MinValueValidator(0)]
    )
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)

    class Meta:
        verbose_name = _("fee")
        verbose_name_plural = _("fee schedule")
        ordering = ("activity", "application_kind", "-valid_from")
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "application_kind", "valid_from"], name="one_fee_per_start"
            ),
            # A fee may be zero (an activity the authority does not charge for), never negative.
            positive_check("amount", "fee_amount_not_negative", allow_zero=True),
            ordered_check("valid_from", "valid_until", "fee_dates_in_order", open_end=True),
        ]

    def __str__(self) -> str:
        kind = self.get_application_kind_display()
        return f"{self.get_activity_display()} / {kind}: {self.amount} {self.currency}"


class Invoice(Record):
    application = models.OneToOneField(
        Application, on_delete=models.PROTECT, related_name="invoice", verbose_name=_("application")
    )
    number = models.CharField(_("invoice number"), max_length=32, unique=True)
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3)
    due_on = models.DateField(_("due on"))

    class Meta:
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        ordering = ("-created_at",)
        constraints = [positive_check("amount", "invoice_amount_not_negative", allow_zero=True)]

    def __str__(self) -> str:
        return self.number

    @property
    def amount_paid(self) -> Decimal:
        # Use the annotation of a list query where there is one, to avoid a query per row.
        annotated = getattr(self, "paid_total", None)
        if annotated is not None:
            return Decimal(annotated)
        total = self.payments.aggregate(total=Sum("amount"))["total"]
        return total or Decimal("0")

    @property
    def is_paid(self) -> bool:
        return self.amount_paid >= self.amount


class InvoiceLine(Record):
    invoice = models.ForeignKey(
        Invoice, on_delete=models.PROTECT, related_name="lines", verbose_name=_("invoice")
    )
    activity = models.CharField(_("activity"), max_length=24, choices=Activity.choices)
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)

    class Meta:
        verbose_name = _("invoice line")
        verbose_name_plural = _("invoice lines")
        constraints = [
            positive_check("amount", "invoice_line_amount_not_negative", allow_zero=True)
        ]

    def __str__(self) -> str:
        return f"{self.get_activity_display()}: {self.amount}"


class Payment(Record):
    invoice = models.ForeignKey(
        Invoice, on_delete=models.PROTECT, related_name="payments", verbose_name=_("invoice")
    )
    reference = models.CharField(_("payment reference"), max_length=64, unique=True)
    amount = models.DecimalField(
        _("amount"),
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    paid_on = models.DateField(_("paid on"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ("-paid_on",)
        permissions = [("record_payment", _("Can record fee payments"))]
        constraints = [positive_check("amount", "payment_amount_positive")]

    def __str__(self) -> str:
        return f"{self.reference}: {self.amount}"
