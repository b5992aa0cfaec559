"""The officers' application queue and case page (Art. 6.3(b)-(d), 6.4)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import DecimalField, F, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum
from django.http import HttpRequest
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from licensing import selectors
from licensing.admin.actions import ServiceActionsAdmin
from licensing.admin.application_actions import APPLICATION_ACTIONS, invoice_of
from licensing.admin.base import EndableInline, KeptAdmin, ReadOnlyInline, link_to
from licensing.admin.issued import ApplicationLetterInline, PrintedDocumentsMixin
from licensing.admin.masking import snapshot_value
from licensing.admin.shared import (
    ConditionInline,
    DocumentInline,
    ProposalInline,
    download_link,
)
from licensing.models import (
    Application,
    ApplicationState,
    DeclaredMachine,
    Document,
    InformationRequest,
    MarketDeclaration,
    Payment,
)
from licensing.models.activities import activity_labels
from licensing.models.applications import OPEN_STATES
from licensing.services.numbers import as_number


class AssignedFilter(admin.SimpleListFilter):
    title = _("officer")
    parameter_name = "officer"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("mine", _("My cases")), ("none", _("Unassigned")), ("others", _("Others' cases"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value() == "mine":
            return queryset.filter(assigned_officer=request.user)
        if self.value() == "none":
            return queryset.filter(assigned_officer__isnull=True)
        if self.value() == "others":
            return queryset.exclude(assigned_officer__isnull=True).exclude(
                assigned_officer=request.user
            )
        return queryset


class OverdueFilter(admin.SimpleListFilter):
    title = _("overdue")
    parameter_name = "overdue"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("yes", _("Overdue"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value() == "yes":
            return queryset.filter(selectors.overdue_q(timezone.localdate())).distinct()
        return queryset


class QueueFilter(admin.SimpleListFilter):
    """The work queue: open cases first; decided ones are history."""

    title = _("queue")
    parameter_name = "queue"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("open", _("Open cases")), ("decided", _("Decided or withdrawn"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value() == "open":
            return queryset.filter(state__in=OPEN_STATES)
        if self.value() == "decided":
            return queryset.exclude(state__in=[*OPEN_STATES, ApplicationState.DRAFT])
        return queryset


class MarketDeclarationInline(EndableInline, ReadOnlyInline):
    model = MarketDeclaration
    fields = ("product_type", "market", "intended_use", "anticipated_demand")


class DeclaredMachineInline(ReadOnlyInline):
    """Art. 6.3(b)(iv)-(v): the manufacturing equipment and where it will be installed."""

    model = DeclaredMachine
    fields = ("make", "model", "serial_number", "year", "site", "use")
    readonly_fields = fields


class InformationRequestInline(ReadOnlyInline):
    """Each request with its answer and the documents uploaded with the answer."""

    model = InformationRequest
    fields = ("created_at", "question", "due_on", "answer", "answered_at", "answer_documents")
    readonly_fields = fields

    @staticmethod
    def _may_see_documents(request: HttpRequest) -> bool:
        return request.user.has_perm("licensing.view_document")

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        fields = super().get_fields(request, obj)
        if self._may_see_documents(request):
            return fields
        return [name for name in fields if name != "answer_documents"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[InformationRequest]:
        queryset = super().get_queryset(request)
        if not self._may_see_documents(request):
            return queryset
        # One query for the documents of every request on the page, in upload order.
        return queryset.prefetch_related(
            Prefetch("documents", queryset=Document.objects.order_by("created_at", "pk"))
        )

    @admin.display(description=_("documents"))
    def answer_documents(self, obj: InformationRequest) -> str:
        links = [(download_link(document),) for document in obj.documents.all()]
        if not links:
            return "-"
        return format_html("<ul>{}</ul>", format_html_join("", "<li>{}</li>", links))


class ApplicationConditionInline(ConditionInline):
    fk_name = "application"


class ApplicationProposalInline(ProposalInline):
    fk_name = "application"


class ApplicationDocumentInline(DocumentInline):
    fk_name = "application"


@admin.register(Application)
class ApplicationAdmin(PrintedDocumentsMixin, ServiceActionsAdmin, KeptAdmin):
    service_actions = APPLICATION_ACTIONS
    list_display = (
        "reference",
        "kind",
        "party",
        "state",
        "submitted_at",
        "assigned_officer",
        "fee",
    )
    list_filter = (QueueFilter, "state", "kind", AssignedFilter, OverdueFilter)
    list_select_related = ("party", "assigned_officer", "invoice")
    search_fields = (
        "reference",
        "licence__number",
        "party__legal_name",
        "party__trade_name",
        "party__registration_number",
        "party__tax_registrations__number",
    )
    search_help_text = _("Reference, licence number, name, registration or tax number.")
    # Oldest submission first (the queue's order); drafts, never submitted, last.
    ordering = (F("submitted_at").asc(nulls_last=True), "pk")  # type: ignore[assignment]
    readonly_fields = (
        "reference",
        "kind",
        "party_link",
        "licence_link",
        "state",
        "activity_list",
        "change_description",
        "effective_on",
        "declaration_accepted_at",
        "submitted_at",
        "decided_at",
        "assigned_officer",
        "fee_status",
        "submitted_information",
    )
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "reference",
                    "kind",
                    "state",
                    "party_link",
                    "licence_link",
                    "activity_list",
                    "assigned_officer",
                )
            },
        ),
        (_("Change notified (Art. 6.3(g))"), {"fields": ("change_description", "effective_on")}),
        (
            _("Dates"),
            {"fields": ("declaration_accepted_at", "submitted_at", "decided_at")},
        ),
        (_("Fee (Art. 6.3(c))"), {"fields": ("fee_status",)}),
        (
            _("As submitted (Art. 6.3(b))"),
            {"fields": ("submitted_information",), "classes": ("collapse",)},
        ),
    )
    inlines = (
        ApplicationConditionInline,
        InformationRequestInline,
        ApplicationProposalInline,
        MarketDeclarationInline,
        DeclaredMachineInline,
        ApplicationDocumentInline,
        ApplicationLetterInline,
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # applications are filed by applicants (the portal), never typed in here

    def get_queryset(self, request: HttpRequest) -> QuerySet[Application]:
        paid = (
            Payment.objects.filter(invoice__application=OuterRef("pk"))
            .values("invoice")
            .annotate(total=Sum("amount"))
            .values("total")
        )
        return (
            selectors.visible_applications(request.user)
            .select_related("party", "assigned_officer", "invoice", "licence")
            .annotate(paid_total=Subquery(paid, output_field=DecimalField()))
        )

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Any], search_term: str
    ) -> tuple[QuerySet[Any], bool]:
        # A reference or licence number is looked up by its unique index alone.
        number = as_number(search_term)
        if number is not None:
            return queryset.filter(Q(reference=number) | Q(licence__number=number)), False
        if not search_term.strip():
            return queryset, False
        # Names and registration numbers through the parties first, then the party's index:
        # one scan of the parties instead of a join of every row with every name.
        return queryset.filter(party__in=selectors.matching_party_ids(search_term)), False

    @admin.display(description=_("fee"))
    def fee(self, obj: Application) -> str:
        invoice = invoice_of(obj)
        if invoice is None:
            return "-"
        paid = obj.paid_total or 0  # type: ignore[attr-defined]
        return str(_("paid")) if paid >= invoice.amount else str(_("unpaid"))

    @admin.display(description=_("applicant"))
    def party_link(self, obj: Application) -> str:
        return link_to(obj.party)

    @admin.display(description=_("licence concerned"))
    def licence_link(self, obj: Application) -> str:
        """The licence the application names (a renewal, change or transfer) and the licence its
        approval issued (a new licence, a transfer's successor), each linked, the named first."""
        licences = [obj.licence] if obj.licence is not None else []
        licences += [
            issued for issued in obj.issued_licences.order_by("pk") if issued not in licences
        ]
        if not licences:
            return "-"
        return format_html_join(" → ", "{}", ((link_to(licence),) for licence in licences))

    @admin.display(description=_("activities"))
    def activity_list(self, obj: Application) -> str:
        return ", ".join(activity_labels(obj.activities))

    @admin.display(description=_("fee"))
    def fee_status(self, obj: Application) -> str:
        invoice = invoice_of(obj)
        if invoice is None:
            return str(_("No invoice yet (issued on submission)."))
        return str(
            _("Invoice %(number)s: %(amount)s %(currency)s, paid %(paid)s, due on %(due)s")
            % {
                "number": invoice.number,
                "amount": invoice.amount,
                "currency": invoice.currency,
                "paid": invoice.amount_paid,
                "due": invoice.due_on,
            }
        )

    @admin.display(description=_("submitted information"))
    def submitted_information(self, obj: Application) -> str:
        snapshot = getattr(obj, "snapshot", None)
        if snapshot is None:
            return str(_("Not submitted yet."))
        sections = []
        for name, value in snapshot.data.items():
            rows = value if isinstance(value, list) else [value]
            body = format_html_join(
                "",
                "<tr><td>{}</td></tr>",
                (
                    (
                        "; ".join(
                            # Art. 5: numbers masked, criminal-record details hidden.
                            f"{k}: {snapshot_value(k, v)}"
                            for k, v in row.items()
                            if v not in (None, "", [], {}) and k != "id"
                        ),
                    )
                    for row in rows
                    if isinstance(row, dict)
                ),
            )
            sections.append(format_html("<h4>{}</h4><table>{}</table>", name, body))
        return format_html(
            "{}<p>SHA-256 {}</p>",
            format_html_join("", "{}", ((s,) for s in sections)),
            snapshot.sha256,
        )
