"""Records the services write and officers only read: the audit trail, documents, invoices,
proposals, notifications, and the fee schedule that senior officers keep."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest
from django.http.response import HttpResponseBase
from django.urls import URLPattern, path
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from licensing import selectors
from licensing.admin.audit_chain import ChainStatusMixin
from licensing.admin.base import KeptAdmin, ReadOnlyAdmin, ReadOnlyInline
from licensing.admin.personal_data import read_document
from licensing.admin.shared import download_link
from licensing.models import (
    AuditEvent,
    DecisionProposal,
    Document,
    FeeSchedule,
    Invoice,
    InvoiceLine,
    Notification,
    Payment,
)
from licensing.storage import open_stored


@admin.register(Document)
class DocumentAdmin(ReadOnlyAdmin):
    """Uploads are personal data (Art. 5): served only through this permission-checked view, as
    attachments with the content type sniffed on upload, never from a public URL."""

    list_display = ("original_name", "kind", "party", "application", "size", "created_at")
    list_select_related = ("party", "application")
    list_filter = ("kind",)
    search_fields = ("original_name", "sha256", "party__legal_name", "application__reference")
    fields = ("party", "application", "kind", "file_link", "content_type", "size", "sha256")
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[Document]:
        return Document.objects.filter(party__in=selectors.visible_parties(request.user))

    def get_urls(self) -> list[URLPattern]:
        return [
            path(
                "<int:pk>/download/",
                self.admin_site.admin_view(self.download_view),
                name="licensing_document_download",
            ),
            *super().get_urls(),
        ]

    @admin.display(description=_("file"))
    def file_link(self, obj: Document) -> str:
        return download_link(obj)

    def download_view(self, request: HttpRequest, pk: int) -> HttpResponseBase:
        document = self.get_queryset(request).filter(pk=pk).first()
        if document is None:
            raise Http404
        if not self.has_view_permission(request, document):
            raise PermissionDenied
        # Art. 5: a download is a read of personal data, recorded (with a purpose where the role
        # must state one) before the file is served (licensing/admin/personal_data.py).
        context = {**self.admin_site.each_context(request), "opts": self.opts}
        asked = read_document(request, document, context)
        if asked is not None:
            return asked
        response = FileResponse(
            open_stored(document.file),
            as_attachment=True,
            filename=document.original_name,
            content_type=document.content_type,
        )
        response["X-Content-Type-Options"] = "nosniff"
        response["Content-Security-Policy"] = "default-src 'none'; sandbox"
        return response


@admin.register(AuditEvent)
class AuditEventAdmin(ChainStatusMixin, ReadOnlyAdmin):
    """The append-only trail: nobody adds, changes or deletes an event here. Above the list,
    the state of its hash chain (licensing/admin/audit_chain.py)."""

    list_display = ("at", "actor_label", "verb", "object_repr", "from_state", "to_state", "ip")
    list_filter = ("verb", "content_type")
    search_fields = ("=object_repr", "=actor_label", "reason")
    date_hierarchy = "at"
    ordering = ("-at", "-pk")
    fields = (
        "at",
        "actor_label",
        "content_type",
        "object_id",
        "object_repr",
        "verb",
        "from_state",
        "to_state",
        "reason",
        "ip",
        "changes_pretty",
    )
    readonly_fields = fields

    @admin.display(description=_("changed fields"))
    def changes_pretty(self, obj: AuditEvent) -> str:
        return format_html(
            "<pre>{}</pre>", json.dumps(obj.changes, indent=2, ensure_ascii=False, default=str)
        )


class InvoiceLineInline(ReadOnlyInline):
    model = InvoiceLine
    fields = ("activity", "amount")
    readonly_fields = fields


class PaymentInline(ReadOnlyInline):
    model = Payment
    fields = ("reference", "amount", "paid_on", "recorded_by")
    readonly_fields = fields


@admin.register(Invoice)
class InvoiceAdmin(ReadOnlyAdmin):
    """Art. 6.3(c): fees are invoiced on submission; payments are recorded from the
    application's page, where the fee blocks the issue."""

    list_display = ("number", "application", "amount", "currency", "due_on")
    list_select_related = ("application",)
    search_fields = ("=number", "application__reference", "payments__reference")
    fields = ("number", "application", "amount", "currency", "due_on")
    readonly_fields = fields
    inlines = (InvoiceLineInline, PaymentInline)


@admin.register(DecisionProposal)
class DecisionProposalAdmin(ReadOnlyAdmin):
    """Four eyes: proposals are confirmed or sent back from the case's own page."""

    list_display = ("__str__", "application", "licence", "proposed_by", "status", "created_at")
    list_select_related = ("application", "licence", "proposed_by")
    list_filter = ("status", "action")
    fields = (
        "application",
        "licence",
        "action",
        "reason",
        "subject_state",
        "proposed_by",
        "status",
        "decided_by",
        "decided_at",
        "decision_note",
    )
    readonly_fields = fields


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ("template", "recipient", "language", "status", "attempts", "sent_at")
    list_filter = ("status", "template")
    search_fields = ("=recipient",)
    fields = ("key", "template", "recipient", "language", "status", "attempts", "last_error")
    readonly_fields = fields


@admin.register(FeeSchedule)
class FeeScheduleAdmin(KeptAdmin):
    """Art. 6.3(c): the fee by activity and application kind; senior officers keep it. A fee
    is never edited in place once used: end it with "valid until" and add the new one."""

    list_display = (
        "activity",
        "application_kind",
        "amount",
        "currency",
        "valid_from",
        "valid_until",
    )
    list_filter = ("activity", "application_kind")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return ()
        return ("activity", "application_kind", "amount", "currency", "valid_from")
