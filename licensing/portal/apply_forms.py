"""Forms of the filing steps (Art. 6.3(b)). They check input only; saving is the services'."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from licensing.models import (
    Activity,
    BankAccount,
    DeclaredMachine,
    DocumentKind,
    MarketDeclaration,
    Product,
    ProductionCapacity,
    Site,
)
from licensing.portal.apply_party_forms import (  # noqa: F401 - one import for the steps
    AffiliateFormSet,
    ApplicantTypeForm,
    DraftRows,
    PersonFormSet,
    RemovableRows,
    TaxRegistrationFormSet,
    identity_form_class,
    removable_formset,
)


class ActivitiesForm(forms.Form):
    """Step (c), Art. 6.1 and 6.2."""

    activities = forms.MultipleChoiceField(
        label=_("Which activities do you apply for?"),
        choices=Activity.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one activity.")},
    )


class SiteForm(forms.ModelForm):
    """Art. 6.3(b)(iii): a precise business location."""

    class Meta:
        model = Site
        fields = (
            "kind",
            "name",
            "street_address",
            "postal_code",
            "municipality",
            "region",
            "country",
            "latitude",
            "longitude",
        )

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if (data.get("latitude") is None) != (data.get("longitude") is None):
            raise ValidationError(_("Give both latitude and longitude, or neither."))
        return data


SiteFormSet = forms.modelformset_factory(
    Site, form=SiteForm, formset=RemovableRows, extra=1, can_delete=True
)


class CapacityForm(forms.ModelForm):
    """Art. 6.3(b)(iii): production capacity of a manufacturing unit, by product type."""

    class Meta:
        model = ProductionCapacity
        fields = ("site", "product_type", "units_per_year")


def capacity_formset(sites: Any) -> type[forms.BaseModelFormSet]:
    class Restricted(DraftRows):
        def add_fields(self, form: forms.Form, index: int | None) -> None:
            super().add_fields(form, index)
            form.fields["site"].queryset = sites  # type: ignore[attr-defined]

    return forms.modelformset_factory(
        ProductionCapacity, form=CapacityForm, formset=Restricted, extra=1
    )


class ProductForm(forms.ModelForm):
    """Art. 6.3(b)(iv): a tobacco product covered by the application."""

    class Meta:
        model = Product
        fields = ("product_type", "name", "description", "trade_mark", "brand", "design")
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


ProductFormSet = forms.modelformset_factory(
    Product, form=ProductForm, formset=RemovableRows, extra=1, can_delete=True
)


class MachineForm(forms.ModelForm):
    """Art. 6.3(b)(iv) make, model and serial number; (v) where it is installed and used."""

    class Meta:
        model = DeclaredMachine
        fields = ("make", "model", "serial_number", "year", "site", "use")


def machine_formset(sites: Any) -> type[forms.BaseModelFormSet]:
    class Restricted(DraftRows):
        def add_fields(self, form: forms.Form, index: int | None) -> None:
            super().add_fields(form, index)
            form.fields["site"].queryset = sites  # type: ignore[attr-defined]

    return forms.modelformset_factory(
        DeclaredMachine, form=MachineForm, formset=Restricted, extra=1
    )


YES_NO = [("no", _("No, no convictions")), ("yes", _("Yes, there are convictions"))]


class CriminalRecordForm(forms.Form):
    """Art. 6.3(b)(vi): "documentation or a declaration regarding any criminal records"."""

    has_convictions = forms.TypedChoiceField(
        label=_("Are there criminal convictions to declare?"),
        choices=YES_NO,
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    details = forms.CharField(
        label=_("details of convictions"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    document = forms.FileField(
        label=_("criminal-record certificate (PDF, PNG or JPEG)"), required=False
    )

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("has_convictions") and not (data.get("details") or "").strip():
            self.add_error("details", _("Describe the declared convictions."))
        return data


class BankAccountForm(forms.ModelForm):
    """Art. 6.3(b)(vii): complete identification of a bank account."""

    class Meta:
        model = BankAccount
        fields = (
            "iban",
            "account_number",
            "bic",
            "bank_name",
            "bank_country",
            "holder_name",
            "intended_use",
        )

    def clean_iban(self) -> str:
        return str(self.cleaned_data.get("iban") or "").replace(" ", "").upper()

    # The IBAN's country and the bank's, as the applicant confirmed them to differ (a warning
    # answered, not an error: an account abroad is allowed, and due diligence flags it).
    countries_confirmed = forms.CharField(required=False, widget=forms.HiddenInput)

    def clean_bic(self) -> str:
        return str(self.cleaned_data.get("bic") or "").replace(" ", "").upper()

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        iban, country = data.get("iban") or "", str(data.get("bank_country") or "")
        pair = f"{iban[:2]}:{country}"
        differ = len(iban) >= 2 and bool(country) and iban[:2] != country
        if differ and not self.has_error("iban") and data.get("countries_confirmed") != pair:
            # Art. 6.3(b)(vii), 10.2: said once, at the field; Continue again confirms it.
            self.add_error(
                "iban",
                _(
                    "This IBAN is of another country (%(iban)s) than the bank "
                    "(%(bank)s). Check both; if they are right, continue again."
                )
                % {"iban": iban[:2], "bank": country},
            )
            confirmed: Any = self.data.copy()  # type: ignore[attr-defined]  # a QueryDict
            confirmed[self.add_prefix("countries_confirmed")] = pair
            self.data = confirmed
        return data

    # "An IBAN or an account number" is the model's rule (BankAccount.clean): one message, at the
    # IBAN field; the database constraint behind it is then not checked a second time.


BankAccountFormSet = removable_formset(BankAccount, BankAccountForm)


class MarketDeclarationForm(forms.ModelForm):
    """Art. 6.3(b)(viii): intended use and market, and the reasonably anticipated demand."""

    class Meta:
        model = MarketDeclaration
        fields = ("product_type", "market", "intended_use", "anticipated_demand")


MarketDeclarationFormSet = removable_formset(MarketDeclaration, MarketDeclarationForm)

UPLOAD_KINDS = [
    (k.value, k.label)
    for k in (
        DocumentKind.ARTICLES_OF_INCORPORATION,
        DocumentKind.IDENTITY,
        DocumentKind.BANK,
        DocumentKind.OTHER,
    )
]


class DocumentForm(forms.Form):
    kind = forms.ChoiceField(label=_("kind of document"), choices=UPLOAD_KINDS)
    file = forms.FileField(
        label=_("file (PDF, PNG or JPEG)"),
        error_messages={"required": _("Choose a file to upload.")},
    )


class DeclarationForm(forms.Form):
    """Art. 14.1(i)."""

    declared = forms.BooleanField(
        label=_("I declare that the information given is true and complete."), required=False
    )
