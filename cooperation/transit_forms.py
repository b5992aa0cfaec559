"""The holder's transit notice (Art. 12.3) and the confirmation that the goods left, as the
portal shows them; each form checks what the service checks, so the message stands beside the
field and what was typed is kept."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cooperation.models import FreeZone, TransitNotice
from cooperation.models.zones import open_zone_q
from cooperation.services.errors import (
    DeclarationRequired,
    EntersInPast,
    EntersTooLate,
    LeavesBeforeEntering,
    NoTransitLicence,
    WholeUnitsOnly,
    WindowTooLong,
    ZoneClosed,
)
from cooperation.services.transit import check_notice
from licensing.exceptions import DomainError
from licensing.models.activities import TRANSIT_ACTIVITIES, with_any_activity
from licensing.models.licences import Licence, LicenceState
from licensing.selectors import acting_parties

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
ERROR_FIELDS: dict[type[DomainError], str] = {
    NoTransitLicence: "licence",
    LeavesBeforeEntering: "leaves_by",
    WholeUnitsOnly: "quantity",
    WindowTooLong: "leaves_by",
    EntersInPast: "enters_on",
    EntersTooLate: "enters_on",
    DeclarationRequired: "no_intermingling_declared",
    ZoneClosed: "from_free_zone",
}


def transit_licences(user: Any) -> Any:
    """The active licences for transporting or brokering of the parties the user acts for."""
    return (
        Licence.objects.filter(holder__in=acting_parties(user), state=LicenceState.ACTIVE)
        .filter(with_any_activity(TRANSIT_ACTIVITIES))
        .select_related("holder")
        .order_by("number")
    )


class TransitNoticeForm(forms.ModelForm):
    class Meta:
        model = TransitNotice
        fields = (
            "licence",
            "kind",
            "goods",
            "description",
            "quantity",
            "unit",
            "consignment",
            "origin_country",
            "destination_country",
            "entry_point",
            "exit_point",
            "route",
            "transport",
            "vehicle",
            "seals",
            "enters_on",
            "leaves_by",
            "from_free_zone",
            "no_intermingling_declared",
        )
        widgets = {"enters_on": DATE, "leaves_by": DATE, "route": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        licence: Any = self.fields["licence"]
        licence.queryset = transit_licences(user)
        only = list(licence.queryset[:2])
        if len(only) == 1:  # the one licence the user can notify under, chosen already
            licence.initial = only[0].pk
        licence.label_from_instance = lambda obj: f"{obj.number} ({obj.holder})"
        zone: Any = self.fields["from_free_zone"]
        zone.queryset = FreeZone.objects.filter(open_zone_q())
        zone.required = False

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        notice = TransitNotice(**data)
        notice.party = data["licence"].holder
        try:
            check_notice(notice)
        except DomainError as error:
            self.add_error(ERROR_FIELDS.get(type(error)), str(error))
        return data


class ExitForm(forms.Form):
    left_on = forms.DateField(label=_("The goods left on"), widget=DATE)
    at_point = forms.CharField(
        label=_("Exit point"),
        max_length=200,
        required=False,
        help_text=_("Leave empty if it was the exit point notified."),
    )

    def clean_left_on(self) -> dt.date:
        left_on: dt.date = self.cleaned_data["left_on"]
        if left_on > timezone.localdate():
            raise forms.ValidationError(_("The day cannot be in the future."))
        return left_on
