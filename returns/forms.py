"""The rows of a return (Art. 9.1, 9.2, 10): a product line, a supplier or customer, a payment.
Each form's field names are the model's, and the columns of an uploaded file: the portal's
form and ``returns.upload`` check a row with the same form, so both refuse the same things
with the same words. A row left wholly empty counts for nothing (an extra row, or a
correction's row cleared to remove it)."""

from __future__ import annotations

import copy
from decimal import Decimal
from typing import Any

from django import forms
from django.forms.utils import ErrorDict
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from licensing.models.sites import ProductType
from licensing.tax_numbers import check_number
from returns.models import Measure, PaymentMethod, Role
from returns.models.returns import QUANTITIES
from returns.services.filing import ReturnData

BLANK = [("", "—")]
NUMBER = {
    "invalid": _("Enter a number, such as 1250 or 12.5."),
    "max_decimal_places": _("Enter at most %(max)s decimals."),
    "max_digits": _("This number is too large."),
    "max_whole_digits": _("This number is too large."),
}
QUANTITY_LABELS = {
    "stock_start": _("Stock at the start"),
    "produced": _("Produced"),
    "imported": _("Imported"),
    "bought": _("Bought in the country"),
    "sold": _("Sold in the country"),
    "exported": _("Exported"),
    "destroyed": _("Destroyed"),
    "stock_end": _("Stock at the end"),
}


def _with_codes(message: Any, codes: str) -> str:
    return str(message) % {"codes": codes}


# Translated when shown, not when the module is imported.
with_codes = lazy(_with_codes, str)


def quantity_field(label: Any, *, required: bool = False) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=required,
        min_value=0,
        max_digits=16,
        decimal_places=3,
        error_messages={**NUMBER, "min_value": _("A quantity cannot be negative.")},
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )


class CodeChoiceField(forms.ChoiceField):
    """A select in the form, a code in a file: ``NO``, ``no`` and `` No `` are the same."""

    def __init__(self, *args: Any, upper: bool = False, **kwargs: Any) -> None:
        self.upper = upper
        super().__init__(*args, **kwargs)

    def to_python(self, value: Any) -> str:
        text = super().to_python(value).strip()
        return text.upper() if self.upper else text.lower()


def country_field(label: Any, *, required: bool = True) -> CodeChoiceField:
    return CodeChoiceField(
        label=label,
        required=required,
        upper=True,
        choices=[*BLANK, *countries],
        error_messages={
            "invalid_choice": _("Enter a country's two-letter ISO code, such as NO or HU.")
        },
    )


def product_type_field() -> CodeChoiceField:
    codes = ", ".join(ProductType.values)
    return CodeChoiceField(
        label=_("Product type"),
        choices=[*BLANK, *ProductType.choices],
        error_messages={
            "invalid_choice": with_codes(_("Unknown product type. Use one of: %(codes)s."), codes)
        },
    )


def measure_field() -> CodeChoiceField:
    return CodeChoiceField(
        label=_("Measure"),
        choices=[*BLANK, *Measure.choices],
        error_messages={"invalid_choice": _("Use units or kg.")},
    )


class RowForm(forms.Form):
    """A row of a formset or of a file; blank when every field was left empty."""

    def is_blank(self) -> bool:
        if not self.is_bound:
            return True
        return not any(
            str(self.data.get(self.add_prefix(name)) or "").strip() for name in self.fields
        )

    def full_clean(self) -> None:
        if self.is_bound and self.is_blank():
            self._errors = ErrorDict()
            self.cleaned_data = {}
            return
        super().full_clean()


class LineForm(RowForm):
    """Art. 9.1: one product type in one measure, and its stock equation's figures."""

    product_type = product_type_field()
    measure = measure_field()
    stock_start = quantity_field(QUANTITY_LABELS["stock_start"])
    produced = quantity_field(QUANTITY_LABELS["produced"])
    imported = quantity_field(QUANTITY_LABELS["imported"])
    bought = quantity_field(QUANTITY_LABELS["bought"])
    sold = quantity_field(QUANTITY_LABELS["sold"])
    exported = quantity_field(QUANTITY_LABELS["exported"])
    destroyed = quantity_field(QUANTITY_LABELS["destroyed"])
    stock_end = quantity_field(QUANTITY_LABELS["stock_end"])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name in QUANTITIES:
            if name not in self.errors and data.get(name) is None:
                data[name] = Decimal(0)  # an empty quantity is none
        return data


class CounterpartForm(RowForm):
    """Art. 6.3(b)(i), 7.4, 14.1(g): a supplier or customer, named by its registration or tax
    number, and how much of which product was traded with it."""

    role = CodeChoiceField(
        label=_("Supplier or customer"),
        choices=[*BLANK, *Role.choices],
        error_messages={"invalid_choice": _("Use supplier or customer.")},
    )
    name = forms.CharField(label=_("Name"), max_length=200)
    country = country_field(_("Country"))
    registration_number = forms.CharField(
        label=_("Registration number"), max_length=64, required=False
    )
    tax_number = forms.CharField(label=_("Tax registration number"), max_length=64, required=False)
    licence_number = forms.CharField(
        label=_("Its licence number"),
        max_length=40,
        required=False,
        help_text=_("When it holds a licence in this country."),
    )
    product_type = product_type_field()
    measure = measure_field()
    quantity = forms.DecimalField(
        label=_("Quantity"),
        max_digits=16,
        decimal_places=3,
        min_value=Decimal("0.001"),
        error_messages={**NUMBER, "min_value": _("The quantity must be more than 0.")},
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    traded_on = forms.DateField(
        label=_("Last traded on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Enter a date as YYYY-MM-DD.")},
        help_text=_("The day of the last delivery in the period."),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        registration = data.get("registration_number", "").strip()
        tax_number = data.get("tax_number", "").strip()
        if not registration and not tax_number and "registration_number" not in self.errors:
            self.add_error(
                "registration_number", _("Give its registration number or its tax number.")
            )
        country = data.get("country")
        if not country:
            return data
        checks = (
            ("registration_number", registration, False),
            ("tax_number", tax_number, True),
        )
        for name, number, tax in checks:
            if number and check_number(country, number, tax=tax) == "invalid":
                message = (
                    _("This is not a valid tax number in %(country)s.")
                    if tax
                    else _("This is not a valid registration number in %(country)s.")
                )
                self.add_error(name, message % {"country": country})
        return data


class PaymentForm(RowForm):
    """Art. 10.1(a), 10.2: how the period's trade was paid, and through which bank."""

    method = CodeChoiceField(
        label=_("Payment method"),
        choices=[*BLANK, *PaymentMethod.choices],
        error_messages={
            "invalid_choice": with_codes(
                _("Unknown payment method. Use one of: %(codes)s."), ", ".join(PaymentMethod.values)
            )
        },
    )
    bank_name = forms.CharField(label=_("Bank"), max_length=200, required=False)
    bank_country = country_field(_("Country of the bank"), required=False)
    amount = forms.DecimalField(
        label=_("Amount"),
        max_digits=16,
        decimal_places=2,
        min_value=Decimal("0.01"),
        error_messages={**NUMBER, "min_value": _("The amount must be more than 0.")},
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    currency = forms.RegexField(
        label=_("Currency"),
        regex=r"^[A-Za-z]{3}$",
        max_length=3,
        help_text=_("Three letters, such as NOK, HUF or EUR."),
        error_messages={
            "invalid": _("Enter the currency as three letters, such as NOK."),
            "max_length": _("Enter the currency as three letters, such as NOK."),
        },
    )

    def clean_currency(self) -> str:
        return str(self.cleaned_data["currency"]).upper()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        # Art. 10.2: a transfer or a card payment goes through a bank; where matters.
        through_bank = data.get("method") in (PaymentMethod.TRANSFER, PaymentMethod.CARD)
        if through_bank and not data.get("bank_country") and "bank_country" not in self.errors:
            self.add_error("bank_country", _("Give the bank's country for a transfer or a card."))
        return data


def duplicate_line(seen: dict[tuple[str, str], Any], data: dict[str, Any], where: Any) -> Any:
    """Where the same product type in the same measure came before, or None (and noted)."""
    key = (data.get("product_type", ""), data.get("measure", ""))
    if key in seen:
        return seen[key]
    seen[key] = where
    return None


DUPLICATE_LINE = _(
    "This product type in this measure is already on %(where)s. Give one line for each."
)


class LineFormSet(forms.BaseFormSet):
    def clean(self) -> None:
        seen: dict[tuple[str, str], Any] = {}
        for index, form in enumerate(self.forms):
            if form.errors or form.is_blank():
                continue
            earlier = duplicate_line(seen, form.cleaned_data, index + 1)
            if earlier is not None:
                where = _("line %(number)s") % {"number": earlier}
                form.add_error("product_type", DUPLICATE_LINE % {"where": where})


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Why do you correct the return?"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages={"required": _("Say why you correct the return.")},
    )


PARTS = (
    ("line", LineForm, _("Product line")),
    ("counterpart", CounterpartForm, _("Supplier or customer")),
    ("payment", PaymentForm, _("Payment")),
)


class ReturnForms:
    """The return's three formsets and, for a correction, the reason: one page's form."""

    def __init__(
        self,
        data: Any = None,
        *,
        correction: bool,
        initial: ReturnData | None = None,
        extra: str = "",
        reason: str = "",
    ) -> None:
        self.correction = correction
        initial = initial or ReturnData()
        self.formsets: dict[str, Any] = {}
        for prefix, form, _legend in PARTS:
            rows = getattr(initial, f"{prefix}s")
            formset = forms.formset_factory(
                form,
                formset=LineFormSet if prefix == "line" else forms.BaseFormSet,
                extra=2 if prefix == extra else 1,
                max_num=500,
                absolute_max=500,
            )
            self.formsets[prefix] = formset(data, prefix=prefix, initial=rows or None)
        self.reason = ReasonForm(data, initial={"reason": reason}) if correction else None

    def parts(self) -> list[dict[str, Any]]:
        """In the shape of the portal's formset rows (templates/portal/apply/_parts.html)."""
        return [
            {
                "formset": self.formsets[prefix],
                "legend": legend,
                "forms": [
                    (f"{legend} {number}", form)
                    for number, form in enumerate(self.formsets[prefix].forms, start=1)
                ],
            }
            for prefix, _form, legend in PARTS
        ]

    def is_valid(self) -> bool:
        valid = [formset.is_valid() for formset in self.formsets.values()]
        return all(valid) and (self.reason is None or self.reason.is_valid())

    def has_errors(self) -> bool:
        return any(formset.total_error_count() for formset in self.formsets.values()) or bool(
            self.reason is not None and self.reason.errors
        )

    def cleaned(self) -> ReturnData:
        rows = {
            prefix: [form.cleaned_data for form in formset.forms if not form.is_blank()]
            for prefix, formset in self.formsets.items()
        }
        return ReturnData(
            lines=rows["line"], counterparts=rows["counterpart"], payments=rows["payment"]
        )

    def reason_text(self) -> str:
        return "" if self.reason is None else str(self.reason.cleaned_data.get("reason", ""))

    def posted_reason(self) -> str:
        return "" if self.reason is None else str(self.reason["reason"].value() or "")

    def posted_rows(self) -> ReturnData:
        """What was typed, as it was typed, for showing the page again with one more row."""
        rows: dict[str, list[dict[str, Any]]] = {}
        for prefix, formset in self.formsets.items():
            rows[prefix] = [
                {name: form[name].value() for name in form.fields}
                for form in formset.forms
                if not form.is_blank()
            ]
        return ReturnData(
            lines=rows["line"], counterparts=rows["counterpart"], payments=rows["payment"]
        )


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("The return as a CSV or XLSX file"),
        help_text=_(
            "The columns of the template; one row for each product line, supplier, "
            "customer and payment."
        ),
        error_messages={
            "required": _("Choose the file to upload."),
            "empty": _("The file is empty."),
        },
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )

    def __init__(self, *args: Any, correction: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if correction:
            self.fields["reason"] = copy.deepcopy(ReasonForm.base_fields["reason"])
