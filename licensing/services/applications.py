"""Applications from draft to decision. One function per user action; each is the only place
that makes its change, inside one transaction with the row locked, and writes one audit event."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from licensing.exceptions import (
    PermissionDenied,
    TransitionNotAllowed,
)
from licensing.models.applications import (
    Application,
    ApplicationKind,
    ApplicationState,
    InformationRequest,
    ProposalMissing,
    acts_for_party,
)
from licensing.models.audit import Verb
from licensing.models.decisions import (
    GROUNDED_ACTIONS,
    DecisionProposal,
    ProposalAction,
    ProposalStatus,
)
from licensing.models.licences import Condition, Licence
from licensing.models.parties import Party
from licensing.services import letters
from licensing.services import licences as licence_services
from licensing.services.approve_proposals import apply_proposal, takes_effect_later
from licensing.services.audit import record_event
from licensing.services.common import locked, require_ground, require_reason, run_transition
from licensing.services.fees import issue_invoice
from licensing.services.notifications import queue_notification
from licensing.services.numbers import application_reference
from licensing.services.rules import (
    condition_blockers,
    proposal_blockers,
    raise_first,
    rejection_blockers,
    staleness,
)
from licensing.services.snapshots import take_snapshot
from licensing.transitions import ensure_allowed


def _notify(application: Application, template: str, event: Any, **context: Any) -> None:
    queue_notification(
        key=f"{template}:{event.pk}",
        template=template,
        party=application.party,
        event=event,
        context={
            "reference": application.reference,
            # The signature's link opens the application's status page in the portal.
            "portal_url": settings.PORTAL_BASE_URL.rstrip("/")
            + reverse("portal:application_detail", kwargs={"public_id": application.public_id}),
            **context,
        },
    )


@transaction.atomic
def create_application(
    *,
    party: Party,
    kind: str,
    activities: list[str],
    by: Any,
    licence: Licence | None = None,
    change_description: str = "",
) -> Application:
    """A draft, by the party's own user or by an officer entering a paper application."""
    if not (
        by.has_perm("licensing.act_for_party", party) or by.has_perm("licensing.review_application")
    ):
        raise PermissionDenied()
    if kind != ApplicationKind.NEW and licence is None:
        raise TransitionNotAllowed(_("A renewal, transfer or change must name its licence."))
    if (
        kind in (ApplicationKind.RENEWAL, ApplicationKind.CHANGE)
        and licence
        and licence.holder_id != party.pk
    ):
        raise TransitionNotAllowed(_("Only the holder may renew or change this licence."))
    if kind == ApplicationKind.TRANSFER and licence and licence.holder_id == party.pk:
        # Art. 6.4: the proposed licensee applies for the transfer with its own information.
        raise TransitionNotAllowed(_("A transfer is applied for by the proposed new licensee."))
    application = Application(
        reference=application_reference(timezone.localdate()),
        party=party,
        kind=kind,
        activities=activities,
        licence=licence,
        change_description=change_description,
        created_by=by,
    )
    application.full_clean(exclude=["state"])
    application.save()
    record_event(application, verb=Verb.CREATED, by=by, to_state=application.state)
    return application


@transaction.atomic
def accept_declaration(*, application_id: int, by: Any) -> Application:
    """Art. 14.1(i): the applicant declares the information true and complete."""
    application = locked(Application, application_id)
    if application.state != ApplicationState.DRAFT:
        raise TransitionNotAllowed()
    if not acts_for_party(application, by) and not by.has_perm("licensing.review_application"):
        raise PermissionDenied()
    application.declaration_accepted_at = timezone.now()
    application.save(update_fields=["declaration_accepted_at", "updated_at"])
    record_event(application, verb=Verb.EDITED, by=by, changes={"declaration_accepted": True})
    return application


@transaction.atomic
def submit_application(*, application_id: int, by: Any) -> Application:
    """Applicant (or an officer for a paper application). Freezes a snapshot of everything
    submitted, issues the fee invoice (Art. 6.3(c)) and sends a receipt."""
    application = locked(Application, application_id)
    application.submitted_at = timezone.now()
    event = run_transition(
        application, "submit", by=by, verb=Verb.SUBMITTED, extra_fields=("submitted_at",)
    )
    take_snapshot(application)
    invoice = issue_invoice(application=application, by=by)
    _notify(
        application,
        "application_submitted",
        event,
        amount=str(invoice.amount),
        currency=invoice.currency,
        invoice=invoice.number,
        due_on=invoice.due_on.isoformat(),
    )
    return application


@transaction.atomic
def start_review(*, application_id: int, by: Any) -> Application:
    """Licence officer: takes the application from the queue and becomes its officer."""
    application = locked(Application, application_id)
    application.assigned_officer = by
    run_transition(
        application,
        "start_review",
        by=by,
        verb=Verb.REVIEW_STARTED,
        extra_fields=("assigned_officer",),
        changes={"assigned_officer": by.get_username()},
    )
    return application


@transaction.atomic
def request_information(
    *, application_id: int, by: Any, question: str, due_on: dt.date | None = None
) -> InformationRequest:
    """Licence officer: asks the applicant for information; the clock waits for the answer."""
    application = locked(Application, application_id)
    question = require_reason(question)
    due_on = due_on or timezone.localdate() + dt.timedelta(days=settings.INFORMATION_REQUEST_DAYS)
    if due_on <= timezone.localdate():
        raise TransitionNotAllowed(_("The answer must be due after today."))
    event = run_transition(
        application, "request_information", by=by, verb=Verb.INFORMATION_REQUESTED, reason=question
    )
    request = InformationRequest.objects.create(
        application=application, question=question, requested_by=by, due_on=due_on
    )
    _notify(
        application, "information_requested", event, question=question, due_on=due_on.isoformat()
    )
    return request


def open_information_request(application: Application) -> InformationRequest | None:
    """The request that ``provide_information`` answers: the latest one not yet answered."""
    return application.information_requests.filter(answered_at__isnull=True).first()


@transaction.atomic
def provide_information(*, application_id: int, by: Any, answer: str) -> Application:
    """Applicant (or an officer recording a reply by post): answers the open request."""
    application = locked(Application, application_id)
    answer = require_reason(answer)
    run_transition(
        application, "provide_information", by=by, verb=Verb.INFORMATION_PROVIDED, reason=answer
    )
    request = open_information_request(application)
    if request is not None:
        request.answer = answer
        request.answered_at = timezone.now()
        request.answered_by = by
        request.save(update_fields=["answer", "answered_at", "answered_by", "updated_at"])
    return application


@transaction.atomic
def withdraw_application(*, application_id: int, by: Any, reason: str = "") -> Application:
    """Applicant or officer, before a decision."""
    application = locked(Application, application_id)
    was_draft = application.state == ApplicationState.DRAFT
    event = run_transition(application, "withdraw", by=by, verb=Verb.WITHDRAWN, reason=reason)
    if not was_draft:
        _notify(application, "application_withdrawn", event)
    return application


@transaction.atomic
def approve_application(*, application_id: int, by: Any) -> Application:
    """Licence officer (a senior officer for a proposed transfer, Art. 6.4). Approval issues,
    renews, transfers or changes the licence, as the application's kind says."""
    application = locked(Application, application_id)
    if application.licence_id:
        locked(Licence, application.licence_id)  # the licence changes too: lock it first
    proposal = application.pending_proposal()
    if application.kind == ApplicationKind.TRANSFER:
        raise_first(staleness(proposal))
    application.decided_at = timezone.now()
    event = run_transition(
        application, "approve", by=by, verb=Verb.APPROVED, extra_fields=("decided_at",)
    )
    if proposal is not None and proposal.action == ProposalAction.APPROVE_TRANSFER:
        _close_proposal(proposal, by=by, status=ProposalStatus.CONFIRMED)

    if takes_effect_later(application):
        # Art. 6.3(g): a change notified in advance becomes the record on its date, by the job
        # ``apply_due_changes``; the decision is recorded now.
        _notify_approved(application, event, application.licence)
        return application
    # Art. 6.3(g), 9: what the application proposed becomes the current record now.
    apply_proposal(application=application, by=by, audit=False)
    if application.kind == ApplicationKind.NEW:
        licence = licence_services.issue_licence(application=application, by=by)
    elif application.kind == ApplicationKind.RENEWAL:
        licence = licence_services.renew_licence(application=application, by=by)
    elif application.kind == ApplicationKind.TRANSFER:
        licence = licence_services.transfer_licence(application=application, by=by)
    else:
        licence = licence_services.apply_change(application=application, by=by)
    _notify_approved(application, event, licence)
    return application


def _notify_approved(application: Application, event: Any, licence: Any) -> None:
    _notify(
        application,
        "application_approved",
        event,
        kind=application.kind,
        licence=licence.number,
        valid_from=licence.valid_from.isoformat(),
        expires_on=licence.expires_on.isoformat(),
    )


def _close_proposal(proposal: DecisionProposal, *, by: Any, status: str, note: str = "") -> None:
    proposal.status = status
    proposal.decided_by = by
    proposal.decided_at = timezone.now()
    proposal.decision_note = note
    proposal.save(
        update_fields=["status", "decided_by", "decided_at", "decision_note", "updated_at"]
    )


@transaction.atomic
def propose_decision(
    *, application_id: int, by: Any, action: str, reason: str, ground: str = ""
) -> DecisionProposal:
    """Licence officer: proposes a refusal (ground and reason required, Art. 6.3(a)) or a
    transfer (Art. 6.4, no ground), which a senior officer who is not the proposer confirms."""
    application = locked(Application, application_id)
    reason = require_reason(reason)
    ground = require_ground(ground) if action in GROUNDED_ACTIONS else ""
    raise_first(proposal_blockers(application, by, action))
    proposal = DecisionProposal.objects.create(
        application=application,
        action=action,
        ground=ground,
        reason=reason,
        subject_state=application.state,
        proposed_by=by,
    )
    record_event(
        application,
        verb=Verb.DECISION_PROPOSED,
        by=by,
        reason=reason,
        changes={"action": action, **({"ground": ground} if ground else {})},
    )
    return proposal


@transaction.atomic
def confirm_refusal(*, application_id: int, by: Any) -> Application:
    """Senior officer, not the proposer: refuses the application with the proposed reason.
    The applicant is told by e-mail and by the refusal letter, printed after the commit."""
    application = locked(Application, application_id)
    proposal = application.pending_proposal()
    if proposal is None or proposal.action != ProposalAction.REFUSE:
        ensure_allowed(application, "refuse", by)  # explains: wrong state, no permission, ...
        raise ProposalMissing()
    raise_first(staleness(proposal))
    application.decided_at = timezone.now()
    reason = proposal.reason
    event = run_transition(
        application,
        "refuse",
        by=by,
        verb=Verb.REFUSED,
        reason=reason,
        extra_fields=("decided_at",),
        changes={"proposed_by": proposal.proposed_by.get_username(), "ground": proposal.ground},
    )
    _close_proposal(proposal, by=by, status=ProposalStatus.CONFIRMED)
    _notify(application, "application_refused", event, reason=reason)
    letters.queue_decision_letter(event)  # Art. 6: the refusal letter, with how to appeal
    return application


@transaction.atomic
def reject_proposal(*, proposal_id: int, by: Any, note: str) -> DecisionProposal:
    """Senior officer, not the proposer: sends the proposal back; the case goes on."""
    proposal = locked(DecisionProposal, proposal_id)
    note = require_reason(note)
    raise_first(rejection_blockers(proposal, by))
    _close_proposal(proposal, by=by, status=ProposalStatus.REJECTED, note=note)
    record_event(
        proposal.subject,
        verb=Verb.PROPOSAL_REJECTED,
        by=by,
        reason=note,
        changes={"action": proposal.action, "proposed_by": proposal.proposed_by.get_username()},
    )
    return proposal


@transaction.atomic
def meet_condition(*, condition_id: int, by: Any) -> Condition:
    """Licence officer: records that a condition has been met; it no longer blocks."""
    condition = locked(Condition, condition_id)
    raise_first(condition_blockers(condition, by))
    condition.met_at = timezone.now()
    condition.met_by = by
    condition.save(update_fields=["met_at", "met_by", "updated_at"])
    subject: Application | Licence | None = condition.application or condition.licence
    if subject is None:
        raise TransitionNotAllowed()
    record_event(
        subject, verb=Verb.CONDITION_MET, by=by, changes={"condition": condition.text[:200]}
    )
    return condition
