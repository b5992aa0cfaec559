"""The senior officer's forms for partner authorities."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _
from rest_framework.throttling import SimpleRateThrottle

from api.models import PartnerClient
from api.scopes import scope_choices
from cooperation.models import CompetentAuthority
from cooperation.models.authorities import in_force_q
from licensing.admin.forms import ReasonForm


class PartnerForm(forms.ModelForm):
    scopes = forms.MultipleChoiceField(
        label=_("scopes"),
        choices=scope_choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_(
            "What this authority may read or report (Art. 21.1). Nothing is granted by default."
        ),
    )

    class Meta:
        model = PartnerClient
        fields = ("authority", "contact_email", "scopes", "expires_on", "rate")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "authority" in self.fields:  # Art. 22.1: an authority whose designation is in force
            authority = cast(forms.ModelChoiceField, self.fields["authority"])
            authority.queryset = CompetentAuthority.objects.filter(in_force_q())

    def clean_rate(self) -> str:
        rate = self.cleaned_data.get("rate", "").strip()
        if rate:
            try:
                count, _period = SimpleRateThrottle.parse_rate(None, rate)
            except (ValueError, KeyError, IndexError):
                count = 0
            if not count or count < 1:
                raise forms.ValidationError(
                    _("Write a number of requests and a period, e.g. 600/min or 10000/hour.")
                )
        return rate


class RevokeForm(ReasonForm):
    """The reason a partner's access ends (the core's reason form: required, trimmed)."""

    def __init__(self, data: object = None, *, obj: object = None) -> None:
        super().__init__(data, obj=obj)
        self.fields["reason"].help_text = _("Kept with the partner and in the audit trail.")
