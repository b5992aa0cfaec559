"""What the application and licence pages share: the four-eyes proposal and its summary, the
conditions, the documents, and the two decision steps that work the same on both."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from licensing.admin.actions import AdminAction
from licensing.admin.base import KeptInline, ReadOnlyInline
from licensing.admin.forms import ConditionMetForm, RejectProposalForm
from licensing.models import Condition, DecisionProposal, Document
from licensing.services import applications as services
from licensing.services.rules import condition_blockers, rejection_blockers


def download_link(document: Document) -> str:
    url = reverse("admin:licensing_document_download", args=[document.pk])
    return format_html('<a href="{}">{}</a>', url, document.original_name)


def proposal_summary(subject: Any) -> list[tuple[Any, str]]:
    """The pending proposal, as the senior officer confirms or sends it back."""
    proposal = subject.pending_proposal()
    if proposal is None:
        return []
    proposer = proposal.proposed_by
    return [
        (_("Proposed decision"), proposal.get_action_display()),
        (_("Proposed by"), proposer.get_full_name() or proposer.get_username()),
        *([(_("Ground"), proposal.get_ground_display())] if proposal.ground else []),
        (_("Reason"), proposal.reason),
    ]


# Four eyes: a senior officer who did not propose sends the proposal back; the case goes on.
REJECT_PROPOSAL = AdminAction(
    "reject_proposal",
    _("Send the proposal back"),
    blockers=lambda obj, u: rejection_blockers(obj.pending_proposal(), u),
    form=RejectProposalForm,
    summary=proposal_summary,
    run=lambda obj, u, d: services.reject_proposal(
        proposal_id=obj.pending_proposal().pk, by=u, note=d["note"]
    ),
)

MEET_CONDITION = AdminAction(
    "meet_condition",
    _("Record a condition as met"),
    blockers=lambda obj, u: condition_blockers(
        obj.conditions.filter(met_at__isnull=True).first(), u
    ),
    form=ConditionMetForm,
    run=lambda obj, u, d: services.meet_condition(condition_id=d["condition"].pk, by=u),
)


class ConditionInline(KeptInline):
    """Officers add conditions; meeting one is a recorded decision (MEET_CONDITION), not an
    edit. Subclasses name the foreign key."""

    model = Condition
    fields = ("text", "blocking", "met_at", "met_by")
    readonly_fields = ("met_at", "met_by")

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # existing conditions stay as written; new ones are added below


class ProposalInline(ReadOnlyInline):
    model = DecisionProposal
    fields = ("action", "status", "ground", "reason", "proposed_by", "decided_by", "decided_at")
    readonly_fields = fields


class DocumentInline(ReadOnlyInline):
    """Documents, downloaded only through the permission-checked view."""

    model = Document
    fields = ("kind", "download", "application", "size", "sha256", "created_at")
    readonly_fields = fields

    @admin.display(description=_("file"))
    def download(self, obj: Document) -> str:
        return download_link(obj)
