"""Who may take a decision step that is not a state transition, and why not now.

The services raise the first of these reasons; the admin shows them beside a disabled button.
One function per step, so that the check and its explanation can never drift apart (the state
transitions have the same in ``licensing.transitions.blockers``)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from licensing.exceptions import (
    DomainError,
    FourEyesViolation,
    PermissionDenied,
    StaleProposal,
    TransitionNotAllowed,
)
from licensing.models.applications import (
    OPEN_STATES,
    Application,
    ApplicationKind,
    ApplicationState,
    ProposalMissing,
)
from licensing.models.audit import AuditEvent, Verb
from licensing.models.decisions import DecisionProposal, ProposalAction, ProposalStatus
from licensing.models.fees import Invoice
from licensing.models.licences import Condition, Licence, LicenceState
from licensing.transitions import blockers as transition_blockers


def raise_first(found: list[DomainError]) -> None:
    if found:
        raise found[0]


def staleness(proposal: DecisionProposal | None) -> list[DomainError]:
    """A proposal is confirmed on the facts it was made on. If its subject changed state since
    (even if it came back, as in review -> information requested -> in review, or suspended ->
    reinstated), the decision must be proposed again."""
    if proposal is None:
        return []
    subject = proposal.subject
    if proposal.subject_state != getattr(subject, "state", None):
        return [StaleProposal()]
    trail = AuditEvent.objects.for_object(subject)
    proposed = trail.filter(verb=Verb.DECISION_PROPOSED).order_by("-pk").first()
    if proposed is not None and trail.filter(pk__gt=proposed.pk).exclude(to_state="").exists():
        return [StaleProposal()]
    return []


def proposal_blockers(application: Application, user: Any, action: str) -> list[DomainError]:
    """A licence officer proposes a refusal, or the approval of a transfer (Art. 6.4), for a
    senior officer to confirm (four eyes)."""
    if not user.has_perm("licensing.review_application"):
        return [PermissionDenied()]
    if action not in (ProposalAction.REFUSE, ProposalAction.APPROVE_TRANSFER):
        return [TransitionNotAllowed()]
    if action == ProposalAction.APPROVE_TRANSFER and application.kind != ApplicationKind.TRANSFER:
        return [TransitionNotAllowed(_("Only a transfer application is approved by proposal."))]
    if application.state != ApplicationState.IN_REVIEW:
        return [TransitionNotAllowed()]
    if application.pending_proposal() is not None:
        return [TransitionNotAllowed(_("A decision is already proposed for this application."))]
    return []


def revocation_proposal_blockers(licence: Licence, user: Any) -> list[DomainError]:
    """A licence officer proposes a revocation (Art. 6.3(a)); a senior officer confirms."""
    if not user.has_perm("licensing.propose_revocation"):
        return [PermissionDenied()]
    if licence.state not in (LicenceState.ACTIVE, LicenceState.SUSPENDED):
        return [TransitionNotAllowed()]
    if licence.pending_proposal() is not None:
        return [TransitionNotAllowed(_("A decision is already proposed for this licence."))]
    return []


def suspension_proposal_blockers(licence: Licence, user: Any) -> list[DomainError]:
    """Art. 6.3(a): a suspension proposed for another officer to confirm (an inspection's major
    or critical finding, Art. 6.3(e)). Only an active licence; one pending proposal at a time."""
    if not user.has_perm("licensing.propose_suspension"):
        return [PermissionDenied()]
    if licence.state != LicenceState.ACTIVE:
        return [TransitionNotAllowed()]
    if licence.pending_proposal() is not None:
        return [TransitionNotAllowed(_("A decision is already proposed for this licence."))]
    return []


def suspension_confirmation_blockers(licence: Licence, user: Any) -> list[DomainError]:
    """A licence officer who did not propose the suspension confirms it (four eyes): the
    suspension's own checks (state, permission, the proposer), then the proposal's facts."""
    proposal = licence.pending_proposal()
    if proposal is None or proposal.action != ProposalAction.SUSPEND:
        return [ProposalMissing()]
    found = transition_blockers(licence, "suspend", user)
    return found or staleness(proposal)


def rejection_blockers(proposal: DecisionProposal | None, user: Any) -> list[DomainError]:
    """A senior officer who did not propose sends a proposal back."""
    if proposal is None or proposal.status != ProposalStatus.PENDING:
        return [TransitionNotAllowed(_("This proposal has already been decided."))]
    needed = {
        ProposalAction.REVOKE: "licensing.confirm_revocation",
        ProposalAction.SUSPEND: "licensing.suspend_licence",
    }.get(ProposalAction(proposal.action), "licensing.confirm_decision")
    if not user.has_perm(needed):
        return [PermissionDenied()]
    if proposal.proposed_by_id == user.pk:
        return [FourEyesViolation()]
    return []


def payment_blockers(invoice: Invoice | None, user: Any) -> list[DomainError]:
    """Art. 6.3(c): an officer records a fee payment received against an open invoice."""
    if not user.has_perm("licensing.record_payment"):
        return [PermissionDenied()]
    if invoice is None:
        return [TransitionNotAllowed(_("No invoice has been issued for this application."))]
    if invoice.application.state not in OPEN_STATES:
        return [TransitionNotAllowed(_("The application is no longer open."))]
    if invoice.is_paid:
        return [TransitionNotAllowed(_("The invoice is paid in full."))]
    return []


def condition_blockers(condition: Condition | None, user: Any) -> list[DomainError]:
    """A licence officer records that a condition has been met."""
    if not user.has_perm("licensing.review_application"):
        return [PermissionDenied()]
    if condition is None:
        return [TransitionNotAllowed(_("No condition is open."))]
    if condition.met_at is not None:
        return [TransitionNotAllowed(_("This condition is already met."))]
    return []
