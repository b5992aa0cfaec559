"""Licences through their life (Art. 6.3(a), (f); 6.4). Issue, renewal, transfer and change are
called by ``approve_application`` inside its transaction; the rest are officers' and jobs'
actions, each the one door for its change."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from licensing import selectors
from licensing.models.applications import Application, LicenceMissing, ProposalMissing
from licensing.models.audit import Verb
from licensing.models.decisions import DecisionProposal, ProposalAction, ProposalStatus
from licensing.models.licences import Licence, LicenceState, LicenceTerm
from licensing.services import letters
from licensing.services.audit import record_event
from licensing.services.common import locked, require_ground, require_reason, run_transition
from licensing.services.identifiers import licence_reason, sync_party_codes
from licensing.services.notifications import queue_notification
from licensing.services.numbers import licence_number
from licensing.services.rules import (
    raise_first,
    revocation_proposal_blockers,
    staleness,
    suspension_confirmation_blockers,
    suspension_proposal_blockers,
)
from licensing.transitions import ensure_allowed

logger = logging.getLogger(__name__)


def _notify(licence: Licence, template: str, event: Any, **context: Any) -> None:
    queue_notification(
        key=f"{template}:{event.pk}",
        template=template,
        party=licence.holder,
        event=event,
        context={
            "licence": licence.number,
            # The signature's link opens the licence's page in the portal.
            "portal_url": settings.PORTAL_BASE_URL.rstrip("/")
            + reverse("portal:licence_detail", kwargs={"public_id": licence.public_id}),
            **context,
        },
    )


def _licence_of(application: Application) -> Licence:
    if application.licence_id is None:
        raise LicenceMissing()
    return locked(Licence, application.licence_id)


def _term(start: dt.date) -> dt.date:
    # ``expires_on`` is the day the licence ceases to be valid (Art. 6.3(f)).
    return start + dt.timedelta(days=settings.LICENCE_TERM_DAYS)


def issue_licence(
    *, application: Application, by: Any, predecessor: Licence | None = None
) -> Licence:
    """A new licence for the application's party, activities and sites."""
    today = timezone.localdate()
    licence = Licence(
        number=licence_number(today),
        holder=application.party,
        activities=list(application.activities),
        valid_from=today,
        expires_on=_term(today),
        predecessor=predecessor,
        application=application,
        issued_by=by,
        issued_at=timezone.now(),
    )
    licence.full_clean(exclude=["state"])
    licence.save()
    licence.sites.set(application.sites.all())
    LicenceTerm.objects.create(
        licence=licence,
        valid_from=licence.valid_from,
        expires_on=licence.expires_on,
        application=application,
    )
    # Conditions set on the application go on with the licence.
    application.conditions.update(licence=licence)
    # Reg. 2018/574 Art. 15, 17: the holder's operator code (its first licence) and its sites'.
    sync_party_codes(party_id=licence.holder_id, reason=licence_reason(licence))
    record_event(
        licence,
        verb=Verb.ISSUED,
        by=by,
        to_state=licence.state,
        changes={
            "application": application.reference,
            "expires_on": licence.expires_on.isoformat(),
        },
    )
    return licence


def renew_licence(*, application: Application, by: Any) -> Licence:
    """Art. 6.3(f): a new term, from the end of the current one (or today, after a lapse)."""
    licence = _licence_of(application)
    start = max(licence.expires_on, timezone.localdate())
    previous = licence.expires_on
    licence.expires_on = _term(start)
    licence.activities = list(application.activities)
    run_transition(
        licence,
        "renew",
        by=None,  # the officer's permission was checked on the application's approval
        actor=by,
        verb=Verb.RENEWED,
        extra_fields=("expires_on", "activities"),
        changes={
            "application": application.reference,
            "by": by.get_username(),
            "previous_expiry": previous.isoformat(),
            "expires_on": licence.expires_on.isoformat(),
        },
    )
    licence.sites.set(application.sites.all())
    LicenceTerm.objects.create(
        licence=licence, valid_from=start, expires_on=licence.expires_on, application=application
    )
    sync_party_codes(party_id=licence.holder_id, reason=licence_reason(licence))
    return licence


def transfer_licence(*, application: Application, by: Any) -> Licence:
    """Art. 6.4: the old licence closes as transferred; a successor is issued to the proposed
    licensee whose full information the application carries."""
    old = _licence_of(application)
    event = run_transition(
        old,
        "transfer",
        by=None,  # the senior officer's confirmation was checked on the application
        actor=by,
        verb=Verb.TRANSFERRED,
        changes={
            "application": application.reference,
            "to": str(application.party),
            "by": by.get_username(),
        },
    )
    successor = issue_licence(application=application, by=by, predecessor=old)
    # Reg. 2018/574 Art. 15(4): the transferor's codes end with its last live licence.
    sync_party_codes(party_id=old.holder_id, reason=licence_reason(old))
    _notify(
        old,
        "licence_transferred",
        event,
        successor=successor.number,
        transferee=str(application.party),
    )
    return successor


def apply_change(*, application: Application, by: Any) -> Licence:
    """Art. 6.3(g): the approved change of information takes effect on the licence."""
    licence = _licence_of(application)
    before = {
        "activities": list(licence.activities),
        "sites": sorted(licence.sites.values_list("pk", flat=True)),
    }
    licence.activities = list(application.activities)
    licence.full_clean(exclude=["state"])
    licence.save(update_fields=["activities", "updated_at"])
    licence.sites.set(application.sites.all())
    after = {
        "activities": list(licence.activities),
        "sites": sorted(licence.sites.values_list("pk", flat=True)),
    }
    if after["sites"] != before["sites"]:
        # Reg. 2018/574 Art. 17: a site added gets its facility code, one removed loses it.
        sync_party_codes(party_id=licence.holder_id, reason=licence_reason(licence))
    record_event(
        licence,
        verb=Verb.CHANGE_APPLIED,
        by=by,
        changes={"application": application.reference, "before": before, "after": after},
    )
    return licence


@transaction.atomic
def suspend_licence(*, licence_id: int, by: Any, ground: str, reason: str) -> Licence:
    """Art. 6.3(a). Licence officers, on a ground (``DecisionGround``); the holder is told by
    e-mail with the reason, and by the suspension letter, printed after the commit."""
    licence = locked(Licence, licence_id)
    ground, reason = require_ground(ground), require_reason(reason)
    event = run_transition(
        licence, "suspend", by=by, verb=Verb.SUSPENDED, reason=reason, changes={"ground": ground}
    )
    _notify(licence, "licence_suspended", event, reason=reason)
    letters.queue_decision_letter(event)  # Art. 6.3(a): the suspension letter
    return licence


@transaction.atomic
def reinstate_licence(*, licence_id: int, by: Any, reason: str = "") -> Licence:
    """Art. 6.3(a). Licence officers, once the grounds for the suspension are gone."""
    licence = locked(Licence, licence_id)
    event = run_transition(licence, "reinstate", by=by, verb=Verb.REINSTATED, reason=reason.strip())
    _notify(licence, "licence_reinstated", event)
    return licence


@transaction.atomic
def propose_revocation(*, licence_id: int, by: Any, ground: str, reason: str) -> DecisionProposal:
    """Licence officer: proposes revocation; a senior officer who is not the proposer confirms."""
    licence = locked(Licence, licence_id)
    ground, reason = require_ground(ground), require_reason(reason)
    raise_first(revocation_proposal_blockers(licence, by))
    proposal = DecisionProposal.objects.create(
        licence=licence,
        action=ProposalAction.REVOKE,
        ground=ground,
        reason=reason,
        subject_state=licence.state,
        proposed_by=by,
    )
    record_event(
        licence,
        verb=Verb.DECISION_PROPOSED,
        by=by,
        reason=reason,
        changes={"action": "revoke", "ground": ground},
    )
    return proposal


@transaction.atomic
def confirm_revocation(*, licence_id: int, by: Any) -> Licence:
    """Senior officer, not the proposer. Refused when the licence changed state since the
    proposal: the decision must be taken on the facts that were proposed. The holder is told
    by e-mail and by the revocation letter, printed after the commit."""
    licence = locked(Licence, licence_id)
    proposal = licence.pending_proposal()
    if proposal is None or proposal.action != ProposalAction.REVOKE:
        ensure_allowed(licence, "revoke", by)  # explains: wrong state, no permission, no proposal
        raise ProposalMissing()
    raise_first(staleness(proposal))
    reason = proposal.reason
    event = run_transition(
        licence,
        "revoke",
        by=by,
        verb=Verb.REVOKED,
        reason=reason,
        changes={"proposed_by": proposal.proposed_by.get_username(), "ground": proposal.ground},
    )
    proposal.status = ProposalStatus.CONFIRMED
    proposal.decided_by = by
    proposal.decided_at = timezone.now()
    proposal.save(update_fields=["status", "decided_by", "decided_at", "updated_at"])
    sync_party_codes(party_id=licence.holder_id, reason=licence_reason(licence))
    _notify(licence, "licence_revoked", event, reason=reason)
    letters.queue_decision_letter(event)  # Art. 6.3(a): the revocation letter
    return licence


@transaction.atomic
def propose_suspension(*, licence_id: int, by: Any, ground: str, reason: str) -> DecisionProposal:
    """Art. 6.3(a): proposes a suspension (``propose_suspension``: inspectors and officers, e.g.
    on an inspection's critical finding, Art. 6.3(e)); a licence officer who is not the
    proposer confirms it or sends it back."""
    licence = locked(Licence, licence_id)
    ground, reason = require_ground(ground), require_reason(reason)
    raise_first(suspension_proposal_blockers(licence, by))
    proposal = DecisionProposal.objects.create(
        licence=licence,
        action=ProposalAction.SUSPEND,
        ground=ground,
        reason=reason,
        subject_state=licence.state,
        proposed_by=by,
    )
    record_event(
        licence,
        verb=Verb.DECISION_PROPOSED,
        by=by,
        reason=reason,
        changes={"action": "suspend", "ground": ground},
    )
    return proposal


@transaction.atomic
def confirm_suspension(*, licence_id: int, by: Any) -> Licence:
    """Licence officer, not the proposer; refused when the licence changed since the proposal.
    The holder is told as for any suspension (e-mail and letter)."""
    licence = locked(Licence, licence_id)
    raise_first(suspension_confirmation_blockers(licence, by))
    proposal = licence.pending_proposal()
    if proposal is None:  # the blockers refuse a missing proposal; this is for the types
        raise ProposalMissing()
    reason = proposal.reason
    event = run_transition(
        licence,
        "suspend",
        by=by,
        verb=Verb.SUSPENDED,
        reason=reason,
        changes={"proposed_by": proposal.proposed_by.get_username(), "ground": proposal.ground},
    )
    proposal.status = ProposalStatus.CONFIRMED
    proposal.decided_by = by
    proposal.decided_at = timezone.now()
    proposal.save(update_fields=["status", "decided_by", "decided_at", "updated_at"])
    _notify(licence, "licence_suspended", event, reason=reason)
    letters.queue_decision_letter(event)  # Art. 6.3(a): the suspension letter
    return licence


@transaction.atomic
def surrender_licence(*, licence_id: int, by: Any, reason: str = "") -> Licence:
    """The holder gives the licence up (or an officer records it on the holder's behalf)."""
    licence = locked(Licence, licence_id)
    event = run_transition(
        licence, "surrender", by=by, verb=Verb.SURRENDERED, reason=reason.strip()
    )
    sync_party_codes(party_id=licence.holder_id, reason=licence_reason(licence))
    _notify(licence, "licence_surrendered", event)
    return licence


@transaction.atomic
def expire_licence(*, licence_id: int, today: dt.date | None = None) -> bool:
    """The nightly job: expires one licence whose term has ended. False when there is nothing
    to do (already expired, renewed meanwhile, or changed state), so a rerun changes nothing."""
    today = today or timezone.localdate()
    licence = locked(Licence, licence_id)
    if licence.state != LicenceState.ACTIVE or licence.expires_on > today:
        return False
    event = run_transition(licence, "expire", by=None, verb=Verb.EXPIRED)
    sync_party_codes(party_id=licence.holder_id, reason=licence_reason(licence))
    _notify(
        licence, "licence_expired", event, grace_ends_on=licence.grace_period_ends_on().isoformat()
    )
    return True


def expire_due_licences(
    *, today: dt.date | None = None, batch_size: int = selectors.EXPIRY_BATCH
) -> int:
    """Expire every active licence whose expiry date has come, in batches of short
    transactions. The batches are keyset ranges on ``(expires_on, id)`` of the partial index
    on active licences' expiry, which holds only what the job may still expire, so a run
    reads the licences due and no others."""
    today = today or timezone.localdate()
    due = Licence.objects.filter(state=LicenceState.ACTIVE, expires_on__lte=today)
    done = 0
    for ids in selectors.expiry_batches(
        lambda after: due.filter(selectors.after_key(after)), batch_size
    ):
        for pk in ids:
            done += expire_licence(licence_id=pk, today=today)
        logger.info("expired %d licences so far (up to id %d)", done, ids[-1])
    return done
