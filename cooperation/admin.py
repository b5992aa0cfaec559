"""The directory of competent authorities (Art. 22.1) in the officers' admin: senior officers
register and correct an authority, and mark a designation withdrawn; licence officers,
inspectors and auditors read it. Every edit is in the audit trail (``KeptAdmin``)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

# The other pages of the app register themselves on import.
from cooperation import cases_admin, disclosures_admin, zones_admin  # noqa: F401
from cooperation.models import Channel, CompetentAuthority
from cooperation.models.authorities import in_force_q
from licensing.admin.base import KeptAdmin


class AuthorityForm(forms.ModelForm):
    channels = forms.MultipleChoiceField(
        label=_("channels"),
        choices=Channel.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("How requests and answers are exchanged with this authority."),
    )

    class Meta:
        model = CompetentAuthority
        fields = (
            "country",
            "name",
            "kind",
            "email",
            "phone",
            "address",
            "channels",
            "agreements",
            "personal_data_allowed",
            "designated_on",
            "withdrawn_on",
        )


class InForceFilter(admin.SimpleListFilter):
    title = _("designation")
    parameter_name = "in_force"

    def lookups(self, request: Any, model_admin: Any) -> list[tuple[str, Any]]:
        return [("yes", _("in force")), ("no", _("withdrawn"))]

    def queryset(self, request: Any, queryset: Any) -> Any:
        if self.value() == "yes":
            return queryset.filter(in_force_q())
        if self.value() == "no":
            return queryset.exclude(in_force_q())
        return queryset


@admin.register(CompetentAuthority)
class CompetentAuthorityAdmin(KeptAdmin):
    form = AuthorityForm
    list_display = ("name", "country", "kind", "personal_data_allowed", "in_force_", "clients")
    list_filter = ("country", "kind", "personal_data_allowed", InForceFilter)
    search_fields = ("name", "email")

    def get_queryset(self, request: Any) -> Any:
        from django.db.models import Count

        return super().get_queryset(request).annotate(client_count=Count("api_clients"))

    @admin.display(description=_("designation in force"), boolean=True)
    def in_force_(self, obj: CompetentAuthority) -> bool:
        return obj.in_force

    @admin.display(description=_("API clients"), ordering="client_count")
    def clients(self, obj: Any) -> int:
        return int(obj.client_count)
