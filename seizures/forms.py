"""The officers' forms for seizures: the case, its persons and items (with the register check
of a machine's serial), and the steps of the custody chain and of disposal. Every refusal is a
message on the field it concerns, and nothing is saved until the whole form is valid."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from equipment.models import DestructionMethod
from licensing.admin.forms import ActionForm
from licensing.exchange.export import ExportFormat
from seizures.models import (
    ItemKind,
    ItemStatus,
    PartyKind,
    SeizedItem,
    SeizureCase,
    SeizurePerson,
    StorageLocation,
)
from seizures.services.cases import register_conflict, register_entry

DATE = forms.DateInput(attrs={"type": "date"})


class CaseForm(forms.ModelForm):
    class Meta:
        model = SeizureCase
        fields = (
            "agency",
            "agency_reference",
            "seized_on",
            "place",
            "country",
            "latitude",
            "longitude",
            "officers",
            "party_kind",
            "party",
            "party_name",
            "party_registration_number",
            "party_tax_number",
            "party_address",
            "party_country",
            "summary",
            "transport",
            "concealment",
            "routing",
            "detection",
        )
        widgets = {"seized_on": DATE}

    def clean_seized_on(self) -> dt.date:
        day: dt.date = self.cleaned_data["seized_on"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("The date of seizure cannot be in the future."))
        return day

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind = data.get("party_kind")
        if kind == PartyKind.LICENSED and not data.get("party"):
            self.add_error("party", _("Choose the party of the register."))
        if kind == PartyKind.UNLICENSED and not (data.get("party_name") or "").strip():
            self.add_error("party_name", _("Enter the name of the party."))
        if kind != PartyKind.LICENSED and data.get("party"):
            self.add_error("party", _("Choose a party of the register only when seized from one."))
        if kind == PartyKind.UNKNOWN:
            for name in ("party_name", "party_registration_number", "party_tax_number"):
                if (data.get(name) or "").strip():
                    self.add_error(name, _("Leave this empty when the party is unknown."))
        if (data.get("latitude") is None) != (data.get("longitude") is None):
            self.add_error("longitude", _("Enter both coordinates, or neither."))
        return data


class PersonForm(forms.ModelForm):
    class Meta:
        model = SeizurePerson
        fields = (
            "full_name",
            "role",
            "date_of_birth",
            "nationality",
            "id_document_country",
            "id_document_number",
        )
        widgets = {"date_of_birth": DATE}


class ItemForm(forms.ModelForm):
    """A new item; with a store, it is taken into custody there as the chain's first step."""

    store = forms.ModelChoiceField(
        label=_("Kept at"), queryset=StorageLocation.objects.filter(active=True), required=False
    )
    received_by = forms.CharField(label=_("Received by"), max_length=200, required=False)

    class Meta:
        model = SeizedItem
        fields = (
            "kind",
            "description",
            "make",
            "model",
            "serial_number",
            "cloned",
            "product_type",
            "tobacco_form",
            "brand",
            "quantity",
            "unit",
            "value",
            "currency",
            "markings",
            "manufactured_in",
            "manufactured_on",
        )
        widgets = {
            "manufactured_on": DATE,
            "description": forms.TextInput(attrs={"size": 24}),
            "markings": forms.Textarea(attrs={"rows": 2, "cols": 24}),
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        instance: SeizedItem = self.instance
        if data.get("kind") == ItemKind.MACHINE and not self.errors.get("serial_number"):
            probe = SeizedItem(
                kind=ItemKind.MACHINE,
                make=data.get("make") or "",
                serial_number=data.get("serial_number") or "",
            )
            entry = register_entry(probe)
            instance.register_machine = entry
            conflict = register_conflict(entry, bool(data.get("cloned")))
            if conflict is not None:
                self.add_error("cloned", str(conflict))
        return data


class MoveForm(ActionForm):
    to_location = forms.ModelChoiceField(
        label=_("Move to"), queryset=StorageLocation.objects.filter(active=True)
    )
    handed_over_by = forms.CharField(label=_("Handed over by"), max_length=200)
    received_by = forms.CharField(label=_("Received by"), max_length=200)
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2, "cols": 60})
    )
    # Where the page showed the item: a move recorded meanwhile by someone else is refused.
    expected_from = forms.IntegerField(label="", required=False, widget=forms.HiddenInput)

    def __init__(self, data: object = None, *, obj: Any = None) -> None:
        super().__init__(data, obj=obj)
        if obj is not None:
            self.fields["expected_from"].initial = obj.location_id
            self.fields["to_location"].queryset = StorageLocation.objects.filter(  # type: ignore[attr-defined]
                active=True
            ).exclude(pk=obj.location_id)


class ReleaseForm(ActionForm):
    order_reference = forms.CharField(label=_("Court order reference"), max_length=120)
    released_to = forms.CharField(
        label=_("Released to"),
        max_length=200,
        help_text=_("The owner, or e.g. the state treasury for forfeited cash."),
    )
    released_on = forms.DateField(label=_("Released on"), widget=DATE)
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2, "cols": 60})
    )

    def clean_released_on(self) -> dt.date:
        day: dt.date = self.cleaned_data["released_on"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("The date cannot be in the future."))
        return day


class OrderDestructionForm(ActionForm):
    items = forms.ModelMultipleChoiceField(
        label=_("Items to destroy"),
        queryset=SeizedItem.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    method = forms.ChoiceField(label=_("Method"), choices=DestructionMethod.choices)
    planned_on = forms.DateField(label=_("Planned date"), widget=DATE)
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text=_("E.g. the confiscation order. Kept in the audit trail."),
    )

    def __init__(self, data: object = None, *, obj: Any = None) -> None:
        super().__init__(data, obj=obj)
        if obj is not None:
            held = obj.items.filter(state=ItemStatus.HELD).exclude(kind=ItemKind.CASH)
            self.fields["items"].queryset = held.order_by("number")  # type: ignore[attr-defined]

    def clean_planned_on(self) -> dt.date:
        day: dt.date = self.cleaned_data["planned_on"]
        if day < timezone.localdate():
            raise forms.ValidationError(_("The planned date cannot be in the past."))
        return day


class ExportForm(forms.Form):
    format = forms.ChoiceField(
        label=_("Format"),
        choices=[
            (ExportFormat.JSON, ExportFormat.JSON.label),
            (ExportFormat.CSV, ExportFormat.CSV.label),
        ],
    )
    purpose = forms.CharField(
        label=_("Requesting authority or purpose"),
        max_length=500,
        help_text=_("Art. 21.1(e). Kept in the audit trail with the export."),
    )
    persons = forms.BooleanField(
        label=_("Include the persons involved (Art. 21.1(b))"), required=False
    )


class ReceiveForm(forms.Form):
    file = forms.FileField(
        label=_("Records from another Party (JSON)"),
        help_text=_("The same shape as this authority's JSON export. All or nothing."),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > 5 * 1024 * 1024:
            raise forms.ValidationError(_("The file is larger than 5 MB."))
        return upload
