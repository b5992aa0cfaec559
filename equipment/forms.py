"""The forms of the equipment pages (portal and inspection page). They only check their input;
the services decide and refuse with a message in the user's language."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from equipment.models import DestructionMethod, MachineKind
from licensing.models.sites import Site
from licensing.portal.case_forms import MultipleFileField, MultipleFileInput

MAX_PHOTOS = 10
DATE = forms.DateInput(attrs={"type": "date"})


class AcquisitionForm(forms.Form):
    """Art. 6.3(h), 14.1(g): from a licensee, or from a declared foreign manufacturer or
    exporter."""

    make = forms.CharField(label=_("Make (manufacturer)"), max_length=120)
    model = forms.CharField(label=_("Model"), max_length=120)
    serial_number = forms.CharField(label=_("Serial number"), max_length=80)
    kind = forms.ChoiceField(label=_("Kind"), choices=MachineKind.choices)
    hs_code = forms.CharField(
        label=_("HS code"), max_length=13, help_text=_("For example 8478 or 8478.10.")
    )
    year = forms.IntegerField(
        label=_("Year of manufacture"), min_value=1900, max_value=2100, required=False
    )
    site = forms.ModelChoiceField(
        label=_("Site where it will be installed"), queryset=Site.objects.none()
    )
    planned_on = forms.DateField(label=_("Date of the acquisition"), widget=DATE)
    seller_licence_number = forms.CharField(
        label=_("Seller's licence number"),
        max_length=32,
        required=False,
        help_text=_("When you buy from a licensee."),
    )
    foreign_supplier = forms.CharField(
        label=_("Foreign manufacturer or exporter"),
        max_length=200,
        required=False,
        help_text=_("When you buy from abroad: its name, and its country below."),
    )
    foreign_country = CountryField(blank=True).formfield(
        label=_("Country of the supplier"), required=False
    )

    def __init__(self, *args: Any, sites: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = sites  # type: ignore[attr-defined]


class DisposalForm(forms.Form):
    buyer_licence_number = forms.CharField(
        label=_("Buyer's licence number"),
        max_length=32,
        help_text=_("The buyer must hold a licence for manufacturing."),
    )
    planned_on = forms.DateField(label=_("Date of the disposal"), widget=DATE)


class MoveForm(forms.Form):
    to_site = forms.ModelChoiceField(label=_("Move to site"), queryset=Site.objects.none())
    planned_on = forms.DateField(
        label=_("Date of the move"),
        widget=DATE,
        help_text=_("Notify the move before it happens (Article 6.3(g))."),
    )

    def __init__(self, *args: Any, sites: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to_site"].queryset = sites  # type: ignore[attr-defined]


class DestructionRequestForm(forms.Form):
    method = forms.ChoiceField(label=_("Method"), choices=DestructionMethod.choices)
    planned_on = forms.DateField(label=_("Planned date"), widget=DATE)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["planned_on"].help_text = _(
            "At least %(days)d days from today: an inspector of the authority must be present."
        ) % {"days": settings.DESTRUCTION_NOTICE_DAYS}


class DestructionRecordForm(forms.Form):
    """Art. 6.3(i): what the inspector witnessed."""

    witnessed_at = forms.DateTimeField(
        label=_("Date and time of the destruction"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
    method = forms.ChoiceField(label=_("Method used"), choices=DestructionMethod.choices)
    serials_seen = forms.CharField(
        label=_("Serial numbers seen"),
        widget=forms.Textarea(attrs={"rows": 4, "autocapitalize": "characters"}),
        help_text=_("One per line, as read on each machine's plate."),
        required=False,
    )
    witnesses = forms.CharField(
        label=_("Witnesses present"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Names and roles, one per line."),
    )
    photos = MultipleFileField(
        label=_("Photos"),
        required=False,
        widget=MultipleFileInput(
            attrs={"accept": "image/jpeg,image/png", "capture": "environment"}
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["photos"].help_text = _(
            "JPEG or PNG, up to %(count)d photos of at most %(mb)d MB each."
        ) % {"count": MAX_PHOTOS, "mb": settings.DESTRUCTION_PHOTO_MAX_BYTES // 2**20}

    def clean_witnessed_at(self) -> Any:
        value = self.cleaned_data["witnessed_at"]
        if value > timezone.now():
            raise forms.ValidationError(_("The destruction cannot be recorded before it happens."))
        return value

    def clean_photos(self) -> list[Any]:
        files = list(self.cleaned_data.get("photos") or [])
        if len(files) > MAX_PHOTOS:
            raise forms.ValidationError(
                _("Attach at most %(count)d photos.") % {"count": MAX_PHOTOS}
            )
        return files

    def serials(self) -> list[str]:
        return [
            line.strip() for line in self.cleaned_data["serials_seen"].splitlines() if line.strip()
        ]
