"""Forms of the applicant's own steps (Art. 6.3(b)(i)-(ii)): identity, tax registrations,
corporate affiliates, directors and legal representatives. Numbers are checked with
python-stdnum where it knows the country's format."""

from __future__ import annotations

import importlib
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django_countries.fields import Country
from stdnum.exceptions import ValidationError as NumberInvalid

from licensing import tax_numbers
from licensing.models import (
    CorporateAffiliation,
    Party,
    PartyKind,
    Person,
    PersonRole,
    TaxRegistration,
)
from licensing.tax_numbers import normal_tax_number

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")

# Business registration numbers whose format python-stdnum knows, by country.
REGISTRATION_MODULES = {
    "NO": "stdnum.no.orgnr",
    "SE": "stdnum.se.orgnr",
    "DK": "stdnum.dk.cvr",
    "FI": "stdnum.fi.ytunnus",
    "FR": "stdnum.fr.siren",
    "EE": "stdnum.ee.registrikood",
}


def _registration_module(country: str) -> Any:
    name = REGISTRATION_MODULES.get(str(country).upper())
    if name is None:
        return None
    try:
        return importlib.import_module(name)
    except ImportError:
        return None


def check_registration_number(number: str, country: Any) -> str:
    """Art. 6.3(b)(i)-(ii): the business registration number, in the country's format."""
    module = _registration_module(str(country))
    if not number or module is None:
        return number
    try:
        return str(module.validate(number))
    except NumberInvalid as exc:
        raise ValidationError(
            _("Enter a valid business registration number for %(country)s."),
            params={"country": country},
            code="invalid",
        ) from exc


def check_tax_number(number: str, country: Any) -> str:
    """Art. 6.3(b)(i)-(ii): a tax registration number in one of the forms the country issues
    (licensing.tax_numbers), in its normal form."""
    if not number or not country:
        return number
    normal = normal_tax_number(number, country)
    if normal is None:
        raise ValidationError(
            _("Enter a valid tax registration number for %(country)s."),
            params={"country": country},
            code="invalid",
        )
    return normal


class ApplicantTypeForm(forms.Form):
    """Step (a)."""

    kind = forms.ChoiceField(
        label=_("Who is applying?"), choices=PartyKind.choices, widget=forms.RadioSelect
    )


class IdentityForm(forms.ModelForm):
    """Step (b): the fields every applicant gives; the subclasses add what its kind needs."""

    required_fields: tuple[str, ...] = ()

    class Meta:
        model = Party
        fields: tuple[str, ...] = ()
        widgets = {
            "date_of_birth": DATE,
            "date_of_incorporation": DATE,
            "identity_document_expires_on": DATE,
            "address": forms.Textarea(attrs={"rows": 3}),
            "headquarters_address": forms.Textarea(attrs={"rows": 3}),
            "principal_place_of_business": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in self.required_fields:
            self.fields[name].required = True

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        number = data.get("registration_number")
        if number and data.get("country"):
            try:
                data["registration_number"] = check_registration_number(number, data["country"])
            except ValidationError as exc:
                self.add_error("registration_number", exc)
        return data

    def _update_errors(self, errors: ValidationError) -> None:
        """A field the form has refused (a number with a wrong check digit, a bad date) is left
        empty on the instance, so ``Party.clean`` would add "Required for a legal person" to
        it as well: keep only the form's own message for such a field."""
        if hasattr(errors, "error_dict"):
            errors = ValidationError(
                {name: e for name, e in errors.error_dict.items() if name not in self.errors}
            )
        super()._update_errors(errors)  # type: ignore[misc]


class NaturalIdentityForm(IdentityForm):
    """Art. 6.3(b)(i)."""

    required_fields = (
        "date_of_birth",
        "nationality",
        "identity_document_type",
        "identity_document_number",
        "identity_document_country",
        "address",
    )

    class Meta(IdentityForm.Meta):
        fields = (
            "legal_name",
            "trade_name",
            "registration_number",
            "country",
            "date_of_birth",
            "nationality",
            "identity_document_type",
            "identity_document_number",
            "identity_document_country",
            "identity_document_expires_on",
            "address",
            "email",
            "phone",
        )
        labels = {"legal_name": _("full name"), "country": _("country of residence")}


class LegalIdentityForm(IdentityForm):
    """Art. 6.3(b)(ii)."""

    required_fields = (
        "registration_number",
        "date_of_incorporation",
        "place_of_incorporation",
        "headquarters_address",
        "principal_place_of_business",
    )

    class Meta(IdentityForm.Meta):
        fields = (
            "legal_name",
            "trade_name",
            "registration_number",
            "country",
            "date_of_incorporation",
            "place_of_incorporation",
            "headquarters_address",
            "principal_place_of_business",
            "address",
            "email",
            "phone",
        )
        labels = {"legal_name": _("full legal name"), "country": _("country of incorporation")}


def identity_form_class(kind: str) -> type[IdentityForm]:
    return LegalIdentityForm if kind == PartyKind.LEGAL else NaturalIdentityForm


class TaxRegistrationForm(forms.ModelForm):
    class Meta:
        model = TaxRegistration
        fields = ("country", "number")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        examples = "; ".join(
            f"{Country(code).name}: {forms_of}" for code, forms_of in tax_numbers.EXAMPLES.items()
        )
        self.fields["number"].help_text = format_lazy(
            "{} {}", _("The national tax number or the VAT number, for example:"), examples
        )

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("number") and data.get("country"):
            try:
                data["number"] = check_tax_number(data["number"], data["country"])
            except ValidationError as exc:
                self.add_error("number", exc)
        return data


class DraftRows(forms.BaseModelFormSet):
    """A page of the draft's rows. A posted row id must be one of the rows the page shows (the
    draft's, proposals included): Django would look it up among all approved rows of the model,
    and make a new row of an id it cannot find."""

    def add_fields(self, form: forms.Form, index: int | None) -> None:
        super().add_fields(form, index)
        pk_name = self.model._meta.pk.name
        if pk_name in form.fields:
            field = form.fields[pk_name]
            field.queryset = self.get_queryset()  # type: ignore[attr-defined]
            field.label = _("row")
            field.error_messages["invalid_choice"] = _(
                "This row is not one of this application's. Reload the page and enter it again."
            )


class RemoveLabel:
    """Django's can_delete box, labelled Remove: the services end or unlink what is removed and
    never delete it (Art. 9.5(a))."""

    def add_fields(self, form: forms.Form, index: int | None) -> None:
        super().add_fields(form, index)  # type: ignore[misc]
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = _("Remove")


class RemovableRows(RemoveLabel, DraftRows):
    """Rows the applicant may remove: a Remove box on each saved row, none on a new one."""


def removable_formset(model: Any, form: Any, **kwargs: Any) -> Any:
    kwargs.setdefault("formset", RemovableRows)
    return forms.modelformset_factory(
        model, form=form, extra=1, can_delete=True, can_delete_extra=False, **kwargs
    )


class OneRowPerCountry(RemovableRows):
    def clean(self) -> None:
        super().clean()
        seen: set[str] = set()
        for form in self.forms:
            if self._should_delete_form(form):  # type: ignore[attr-defined]
                continue  # removed: its country may be given again in another row
            country = (
                form.cleaned_data.get("country") if form.has_changed() or form.instance.pk else None
            )
            if country and str(country) in seen:
                raise ValidationError(_("Give one tax registration number per country."))
            if country:
                seen.add(str(country))


TaxRegistrationFormSet = removable_formset(
    TaxRegistration, TaxRegistrationForm, formset=OneRowPerCountry
)

AFFILIATE_IDENTITY = ("name", "registration_number", "country")


class AffiliateForm(forms.ModelForm):
    """Art. 6.3(b)(ii): a corporate affiliate, named by the applicant. On a saved row only the
    relationship can change: the affiliate is another party's record, so naming another
    company is a new row (and Remove for the old one)."""

    name = forms.CharField(label=_("legal name of the affiliate"), max_length=200)
    registration_number = forms.CharField(label=_("business registration number"), max_length=64)
    country = Party._meta.get_field("country").formfield(label=_("country of registration"))
    relationship = forms.CharField(
        label=_("relationship"), max_length=100, help_text=_("For example parent, subsidiary.")
    )
    field_order = ["name", "registration_number", "country", "relationship"]

    class Meta:
        model = CorporateAffiliation
        fields = ("relationship",)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            affiliate = self.instance.affiliate
            self.initial.update(
                name=affiliate.legal_name,
                registration_number=affiliate.registration_number,
                country=affiliate.country.code,
            )
            for name in AFFILIATE_IDENTITY:
                self.fields[name].disabled = True

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        checked = not self.fields["registration_number"].disabled
        if checked and data.get("registration_number") and data.get("country"):
            try:
                data["registration_number"] = check_registration_number(
                    data["registration_number"], data["country"]
                )
            except ValidationError as exc:
                self.add_error("registration_number", exc)
        return data


AffiliateFormSet = removable_formset(CorporateAffiliation, AffiliateForm)


class PersonForm(forms.ModelForm):
    """Art. 6.3(b)(ii): a director or designated legal representative, with the identity
    document that allows identification."""

    class Meta:
        model = Person
        fields = (
            "role",
            "full_name",
            "date_of_birth",
            "nationality",
            "identity_document_type",
            "identity_document_number",
            "identity_document_country",
            "identity_document_expires_on",
        )
        widgets = {"date_of_birth": DATE, "identity_document_expires_on": DATE}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["role"]).choices = [
            (PersonRole.DIRECTOR.value, PersonRole.DIRECTOR.label),
            (PersonRole.LEGAL_REPRESENTATIVE.value, PersonRole.LEGAL_REPRESENTATIVE.label),
        ]
        self.fields["date_of_birth"].required = True
        # The page's default, so that an extra row left as it is counts as untouched (and is
        # ignored) rather than as a director with every other field missing.
        self.fields["role"].initial = PersonRole.DIRECTOR


class AtLeastOneDirector(RemovableRows):
    def clean(self) -> None:
        super().clean()
        if any(self.errors):
            return
        directors = [
            form
            for form in self.forms
            if form not in self.deleted_forms
            and (form.has_changed() or form.instance.pk)
            and form.cleaned_data.get("role") == PersonRole.DIRECTOR
        ]
        if not directors:
            # Art. 6.3(b)(ii): the names of its directors.
            raise ValidationError(_("A legal person needs at least one director."))


PersonFormSet = forms.modelformset_factory(
    Person, form=PersonForm, formset=AtLeastOneDirector, extra=1, can_delete=True
)
