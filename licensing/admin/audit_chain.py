"""The auditor's view of the tamper-evident audit trail (docs/audit-chain.md): the state of the
chain above the list of events, and the verifier's checkpoints, read only (ASVS V16.4.2)."""

from __future__ import annotations

from typing import Any

from django import http
from django.contrib import admin

from licensing.admin.base import ReadOnlyAdmin
from licensing.audit_chain import chain_status
from licensing.models import AuditCheckpoint


class ChainStatusMixin(admin.ModelAdmin):
    """Puts the latest checkpoint above the list of audit events: "Chain verified up to event N
    at time T", or a red notice of the break (templates/admin/licensing/auditevent/)."""

    change_list_template = "admin/licensing/auditevent/change_list.html"

    def changelist_view(
        self, request: http.HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> http.HttpResponse:
        checkpoint, sealed = chain_status()
        context = {"chain_checkpoint": checkpoint, "chain_sealed": sealed, **(extra_context or {})}
        return super().changelist_view(request, context)


@admin.register(AuditCheckpoint)
class AuditCheckpointAdmin(ReadOnlyAdmin):
    """Written by the nightly verification only; auditors and superusers read them."""

    list_display = ("verified_at", "ok", "position", "last_event_id", "events_verified")
    list_filter = ("ok",)
    ordering = ("-verified_at", "-pk")
    fields = (
        "verified_at",
        "ok",
        "position",
        "last_event_id",
        "events_verified",
        "first_broken",
        "hash",
        "mac",
    )
    readonly_fields = fields
