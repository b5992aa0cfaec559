"""The officer queue of licensees' reports (Art. 7.1 to 7.3, 7.1(c), 10.1(a)): a list by state,
kind and licensee, and on each report the buttons that take it into review, accept it or dismiss
it, each calling its service. Reports are read only here: what the licensee wrote stays as
filed. The network view (``network_admin``) hangs off this admin's URLs."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.urls import URLPattern, path
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _

from duediligence.models import LicenseeReport
from duediligence.network_admin import network_view
from duediligence.services import reports as services
from licensing.admin.actions import AdminAction, ServiceActionsAdmin
from licensing.admin.base import KeptAdmin, link_to
from licensing.admin.forms import ActionForm, ReasonForm
from licensing.admin.shared import download_link


class CommentForm(ActionForm):
    reason = forms.CharField(
        label=_("Officer's comment"),
        widget=forms.Textarea(attrs={"rows": 4, "cols": 60}),
        help_text=_("Why the report is relevant and what follows. Kept with the report."),
    )

    def clean_reason(self) -> str:
        reason: str = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError(_("A comment is required."))
        return reason


def _summary(report: LicenseeReport) -> list[tuple[Any, str]]:
    return [
        (_("Licensee"), str(report.licensee)),
        (_("Kind of report"), report.get_kind_display()),
        (_("Customer"), report.customer_name),
    ]


REPORT_ACTIONS = (
    AdminAction(
        "take_into_review",
        _("Take into review"),
        transition="take_into_review",
        summary=_summary,
        run=lambda r, u, d: services.take_report_into_review(report_id=r.pk, by=u),
    ),
    AdminAction(
        "accept",
        _("Accept as relevant"),
        transition="accept",
        form=CommentForm,
        summary=_summary,
        run=lambda r, u, d: services.accept_report(report_id=r.pk, by=u, comment=d["reason"]),
        help_text=_(
            "Art. 7.1(c), 10.1(a). The customer's identifiers then flag any application "
            "that shares one."
        ),
    ),
    AdminAction(
        "dismiss",
        _("Dismiss"),
        transition="dismiss",
        form=ReasonForm,
        danger=True,
        summary=_summary,
        run=lambda r, u, d: services.dismiss_report(report_id=r.pk, by=u, reason=d["reason"]),
        help_text=_("No action. The reason is kept with the report."),
    ),
)

IDENTITY = (
    "customer_name",
    "natural_person",
    "country",
    "registration_number",
    "tax_number",
    "address",
    "licence_number",
)
# Art. 5: a natural person's identity and the bank details, for those who handle reports.
PERSONAL = (
    "iban",
    "account_number",
    "bank_country",
    "date_of_birth",
    "identity_document_number",
    "identity_document_country",
)


@admin.register(LicenseeReport)
class LicenseeReportAdmin(ServiceActionsAdmin, KeptAdmin):
    list_display = (
        "reference",
        "kind",
        "state",
        "licensee",
        "customer_name",
        "created_at",
        "handled_by",
    )
    list_filter = ("state", "kind")
    list_select_related = ("licensee", "handled_by")
    search_fields = ("customer_name", "registration_number", "licensee__legal_name")
    search_help_text = _("Customer, its registration number, or the licensee.")
    service_actions = REPORT_ACTIONS
    ordering = ("created_at", "pk")  # the queue: oldest first

    def get_urls(self) -> list[URLPattern]:
        return [
            path(
                "network/<int:party_id>/",
                self.admin_site.admin_view(network_view),
                name="duediligence_network",
            ),
            *super().get_urls(),
        ]

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        identity = IDENTITY + (
            PERSONAL if request.user.has_perm("duediligence.handle_report") else ()
        )
        return (
            (None, {"fields": ("reference", "kind", "state", "licensee_link", "filed_by")}),
            (_("Customer (Art. 7.1-7.3)"), {"fields": identity}),
            (_("Checks made"), {"fields": ("checks_done", "documents_seen", "checked_on")}),
            (
                _("What happened (Art. 7.1(c), 10.1(a))"),
                {
                    "fields": (
                        "description",
                        "occurred_on",
                        "amount",
                        "currency",
                        "means_of_payment",
                        "cross_border",
                        "evidence_links",
                    )
                },
            ),
            (_("Handling"), {"fields": ("handled_by", "officer_comment", "decided_at")}),
        )

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return [
            name for fieldset in self.get_fieldsets(request, obj) for name in fieldset[1]["fields"]
        ]

    @admin.display(description=_("reference"), ordering="pk")
    def reference(self, obj: LicenseeReport) -> str:
        return obj.reference

    @admin.display(description=_("licensee"))
    def licensee_link(self, obj: LicenseeReport) -> str:
        return link_to(obj.licensee)

    @admin.display(description=_("evidence"))
    def evidence_links(self, obj: LicenseeReport) -> str:
        """Each file with the start of its SHA-256, through the admin's permission-checked
        document download."""
        links = format_html_join(
            "; ",
            "{} (SHA-256 {})",
            ((download_link(d), d.sha256[:12]) for d in obj.evidence.order_by("pk")),
        )
        return links or "-"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # filed by licensees through the portal only

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # decided through the buttons; what the licensee wrote stays as filed
