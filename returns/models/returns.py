"""A licensee's return for one period (Art. 7.1(b), 9.1, 9.2, 10): per product line the
quantities produced, imported, exported, sold, destroyed and the stock; its suppliers and
customers; the payment methods and banks it used. A return is never changed or deleted: a
correction is a new version with a reason, and the latest version is the one that counts."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_countries.fields import CountryField

from licensing.models.base import Record, choices_check, positive_check
from licensing.models.sites import ProductType
from returns.models.periods import ReturnPeriod


class Measure(models.TextChoices):
    UNITS = "units", _("units (sticks, pieces)")
    KILOGRAMS = "kg", _("kilograms")


class FiledThrough(models.TextChoices):
    FORM = "form", _("the portal's form")
    UPLOAD = "upload", _("an uploaded file")


class Role(models.TextChoices):
    SUPPLIER = "supplier", _("supplier")
    CUSTOMER = "customer", _("customer")


class PaymentMethod(models.TextChoices):
    TRANSFER = "transfer", _("bank transfer")
    CARD = "card", _("card")
    CASH = "cash", _("cash")
    IN_KIND = "in_kind", _("payment in kind")
    OTHER = "other", _("other")


class Return(Record):
    """One version of a period's return. ``version`` 1 is the first filing; each correction
    adds the next, with its reason. The period's ``current`` is the highest version."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    period = models.ForeignKey(
        ReturnPeriod, on_delete=models.PROTECT, related_name="returns", verbose_name=_("period")
    )
    version = models.PositiveSmallIntegerField(_("version"))
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("filed by"),
    )
    filed_at = models.DateTimeField(_("filed at"))
    filed_through = models.CharField(_("filed through"), max_length=8, choices=FiledThrough.choices)
    reason = models.TextField(_("reason for the correction"), blank=True)
    # The checks of the latest run, denormalised for the queue's "flagged" filter: written by
    # duediligence when it checks this version.
    flag_count = models.PositiveSmallIntegerField(_("flags"), default=0)
    checked_at = models.DateTimeField(_("checked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("return")
        verbose_name_plural = _("returns")
        ordering = ("-period__starts_on", "-version")
        constraints = [
            models.UniqueConstraint(fields=["period", "version"], name="return_version_once"),
            positive_check("version", "return_version_positive"),
            choices_check("filed_through", FiledThrough, "return_filed_through_valid"),
            models.CheckConstraint(
                condition=models.Q(version=1) | ~models.Q(reason=""),
                name="return_correction_has_reason",
                violation_error_message=_("A correction needs a reason."),
            ),
        ]

    def __str__(self) -> str:
        return str(
            _("Return %(period)s, version %(version)s")
            % {"period": self.period, "version": self.version}
        )

    @property
    def is_current(self) -> bool:
        latest = self.period.returns.order_by("-version").values_list("version", flat=True)
        return self.version == latest.first()


QUANTITIES = (
    "stock_start",
    "produced",
    "imported",
    "bought",
    "sold",
    "exported",
    "destroyed",
    "stock_end",
)
# The stock equation (Art. 9.1): start + in - out = end.
INFLOWS = ("produced", "imported", "bought")
OUTFLOWS = ("sold", "exported", "destroyed")


def _quantity(label: Any) -> models.DecimalField:
    return models.DecimalField(label, max_digits=16, decimal_places=3, default=0)


class ReturnLine(Record):
    """One product line: a product type in one measure (units or kilograms)."""

    filed_return = models.ForeignKey(
        Return, on_delete=models.PROTECT, related_name="lines", verbose_name=_("return")
    )
    product_type = models.CharField(_("product type"), max_length=16, choices=ProductType.choices)
    measure = models.CharField(_("measure"), max_length=8, choices=Measure.choices)
    stock_start = _quantity(_("stock at the start"))
    produced = _quantity(_("produced"))
    imported = _quantity(pgettext_lazy("quantity", "imported"))
    bought = _quantity(_("bought in the country"))
    sold = _quantity(_("sold in the country"))
    exported = _quantity(pgettext_lazy("quantity", "exported"))
    destroyed = _quantity(_("destroyed"))
    stock_end = _quantity(_("stock at the end"))

    class Meta:
        verbose_name = _("product line")
        verbose_name_plural = _("product lines")
        ordering = ("filed_return", "product_type", "measure")
        constraints = [
            models.UniqueConstraint(
                fields=["filed_return", "product_type", "measure"], name="return_line_once"
            ),
            choices_check("product_type", ProductType, "return_line_product_type_valid"),
            choices_check("measure", Measure, "return_line_measure_valid"),
            *[
                positive_check(name, f"return_line_{name}_not_negative", allow_zero=True)
                for name in QUANTITIES
            ],
        ]

    def __str__(self) -> str:
        return f"{self.get_product_type_display()} ({self.get_measure_display()})"

    def balance(self) -> object:
        """start + in - out - end: zero when the stock equation holds."""
        inflow = sum(getattr(self, name) for name in INFLOWS)
        outflow = sum(getattr(self, name) for name in OUTFLOWS)
        return self.stock_start + inflow - outflow - self.stock_end


class ReturnCounterpart(Record):
    """A supplier or a customer of the period and what was bought from or sold to it, named as
    in an application (Art. 6.3(b)(i)): registration or tax number, country, and its licence
    number when it holds one (Art. 7.4, 14.1(g))."""

    filed_return = models.ForeignKey(
        Return, on_delete=models.PROTECT, related_name="counterparts", verbose_name=_("return")
    )
    role = models.CharField(pgettext_lazy("trade", "role"), max_length=8, choices=Role.choices)
    name = models.CharField(_("name"), max_length=200)
    country = CountryField(_("country"))
    registration_number = models.CharField(_("registration number"), max_length=64, blank=True)
    tax_number = models.CharField(_("tax registration number"), max_length=64, blank=True)
    licence_number = models.CharField(_("licence number"), max_length=40, blank=True)
    product_type = models.CharField(_("product type"), max_length=16, choices=ProductType.choices)
    measure = models.CharField(_("measure"), max_length=8, choices=Measure.choices)
    quantity = models.DecimalField(_("quantity"), max_digits=16, decimal_places=3)
    # The day of the last delivery of the period; the period's end when not given.
    traded_on = models.DateField(_("last traded on"), null=True, blank=True)

    class Meta:
        verbose_name = _("supplier or customer")
        verbose_name_plural = _("suppliers and customers")
        ordering = ("filed_return", "role", "name", "pk")
        constraints = [
            choices_check("role", Role, "return_counterpart_role_valid"),
            choices_check("product_type", ProductType, "return_counterpart_product_type_valid"),
            choices_check("measure", Measure, "return_counterpart_measure_valid"),
            positive_check("quantity", "return_counterpart_quantity_positive"),
        ]
        indexes = [
            # The mirror check finds the returns that name a licensee.
            models.Index(fields=["licence_number"], name="return_counterpart_licence"),
            models.Index(fields=["registration_number"], name="return_counterpart_reg"),
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()}: {self.name}"


class ReturnPayment(Record):
    """Art. 10.1(a), 10.2: how the period's trade was paid, and through which bank."""

    filed_return = models.ForeignKey(
        Return, on_delete=models.PROTECT, related_name="payments", verbose_name=_("return")
    )
    method = models.CharField(_("payment method"), max_length=8, choices=PaymentMethod.choices)
    bank_name = models.CharField(_("bank"), max_length=200, blank=True)
    bank_country = CountryField(_("country of the bank"), blank=True)
    amount = models.DecimalField(_("amount"), max_digits=16, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3)

    class Meta:
        verbose_name = pgettext_lazy("trade", "payment")
        verbose_name_plural = pgettext_lazy("trade", "payments")
        ordering = ("filed_return", "method", "pk")
        constraints = [
            choices_check("method", PaymentMethod, "return_payment_method_valid"),
            positive_check("amount", "return_payment_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.get_method_display()}: {self.amount} {self.currency}"
