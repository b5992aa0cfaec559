"""The register of disclosures (Art. 5, 21, 22.2) in the officers' admin: read only for
everyone; filtered by channel, recipient, Party and personal data; exported as CSV by auditors
and senior officers (``export_disclosure``), the export itself audited. On a party's page, the
panel "Disclosed to other Parties" lists who has received what about it."""

from __future__ import annotations

from typing import Any

from django import http
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from cooperation.models import CompetentAuthority, Disclosure
from cooperation.services import disclosures
from licensing.admin.base import KeptAdmin
from licensing.admin.exchange import attachment
from licensing.admin.panels import register_panel

PANEL_ROWS = 20


class PartyFilter(admin.SimpleListFilter):
    """The Parties of the directory's authorities, not every country in the world (a read of
    the small directory, never of the register, which grows with every API call)."""

    title = _("recipient's Party")
    parameter_name = "country"

    def lookups(self, request: http.HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        codes = CompetentAuthority.objects.order_by().values_list("country", flat=True).distinct()
        return sorted(
            ((code, str(countries.name(code) or code)) for code in codes), key=lambda c: c[1]
        )

    def queryset(self, request: http.HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return queryset.filter(country=self.value()) if self.value() else queryset


@admin.register(Disclosure)
class DisclosureAdmin(KeptAdmin):
    list_display = (
        "at",
        "channel",
        "recipient_",
        "article",
        "party",
        "what",
        "personal_data",
        "case",
    )
    list_filter = ("channel", "personal_data", PartyFilter, "authority")
    list_select_related = ("authority", "party", "case")
    search_fields = ("party__legal_name", "=party__registration_number", "=case__reference")
    raw_id_fields = ("party",)
    date_hierarchy = "at"
    actions = ("export_csv",)

    def has_add_permission(self, request: http.HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: http.HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: http.HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description=_("recipient"))
    def recipient_(self, obj: Disclosure) -> str:
        return obj.recipient_label

    @admin.display(description=_("records disclosed"))
    def what(self, obj: Disclosure) -> str:
        records = list(obj.records or [])
        shown = disclosures.records_text(records[:3])
        return f"{shown} (+{len(records) - 3})" if len(records) > 3 else shown

    @admin.action(description=_("Export as CSV"), permissions=["export_disclosure"])
    def export_csv(
        self, request: http.HttpRequest, queryset: QuerySet[Disclosure]
    ) -> http.HttpResponse:
        content = disclosures.export_csv(queryset, by=request.user)
        stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
        return attachment(
            content, content_type="text/csv; charset=utf-8", filename=f"disclosures-{stamp}.csv"
        )

    def has_export_disclosure_permission(self, request: http.HttpRequest) -> bool:
        return bool(request.user.has_perm(disclosures.EXPORT))


def party_panel(request: HttpRequest, party: Any) -> SafeString | str:
    """Who has received what about the party (Art. 22.2)."""
    if not request.user.has_perm(disclosures.VIEW):
        return ""
    found = list(disclosures.of_party(party, request.user)[:PANEL_ROWS])
    rows = format_html_join(
        "",
        "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
        (
            (
                timezone.localtime(d.at).strftime("%Y-%m-%d %H:%M"),
                d.recipient_label,
                d.get_channel_display(),
                d.article,
                disclosures.records_text(d.records or []),
                gettext("yes") if d.personal_data else gettext("no"),
            )
            for d in found
        ),
    )
    listing = reverse("admin:cooperation_disclosure_changelist") + f"?party__id__exact={party.pk}"
    return format_html(
        '<fieldset class="module aligned" id="disclosures"><h2>{}</h2><table><thead><tr>'
        "<th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead>"
        '<tbody>{}</tbody></table><p><a href="{}">{}</a></p></fieldset>',
        gettext("Disclosed to other Parties"),
        gettext("When"),
        gettext("Recipient"),
        gettext("Channel"),
        gettext("Article"),
        gettext("Records"),
        gettext("Personal data"),
        rows or format_html('<tr><td colspan="6">{}</td></tr>', gettext("Nothing disclosed.")),
        listing,
        gettext("The whole register for this party"),
    )


register_panel("licensing.party", party_panel)
