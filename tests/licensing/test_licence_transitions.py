"""Licences through their life (Art. 6.3(a), (f)), through the services only.

For every service: the allowed path (state, one audit event with who/from/to/why, the holder
told) and each refusal that applies (domain error, state unchanged, no audit event)."""

from __future__ import annotations

import datetime as dt

import pytest

from licensing.exceptions import (
    FourEyesViolation,
    GroundRequired,
    PermissionDenied,
    ReasonRequired,
    StaleProposal,
    TransitionNotAllowed,
)
from licensing.models import DecisionProposal, LicenceState, Notification, Verb
from licensing.models.applications import ProposalMissing
from licensing.services import applications as apps
from licensing.services import licences as lic
from tests.factories import DecisionProposalFactory, LicenceFactory
from tests.licensing.helpers import NOT_OFFICERS, as_role, local, only_event

pytestmark = pytest.mark.django_db

REASON = "Art. 6.3(a): 1.2 million cigarettes without tax stamps found in bay 7."
NOT_ACTIVE = ["suspended", "revoked", "expired", "transferred", "surrendered"]


def make(state: str | None = None, **kwargs):
    return LicenceFactory(**({state: True} if state else {}), **kwargs)


def state_of(licence) -> str:
    return type(licence).objects.get(pk=licence.pk).state


# --- suspend_licence / reinstate_licence -------------------------------------------------------


@pytest.mark.parametrize("who", ["officer", "senior"])
def test_an_officer_suspends_an_active_licence_and_the_holder_is_told(
    request, who, django_capture_on_commit_callbacks, mailoutbox
):
    licence = make()
    by = request.getfixturevalue(who)
    with django_capture_on_commit_callbacks(execute=True):
        lic.suspend_licence(licence_id=licence.pk, by=by, ground="fees", reason=REASON)
    assert state_of(licence) == LicenceState.SUSPENDED
    event = only_event(
        licence, Verb.SUSPENDED, by=by, from_state="active", to_state="suspended", reason=REASON
    )
    assert event.changes == {"ground": "fees"}  # Art. 6.3(a), (c)
    notification = Notification.objects.get(template="licence_suspended")
    assert (notification.recipient, notification.status) == (licence.holder.email, "sent")
    assert licence.number in mailoutbox[0].subject
    assert REASON in mailoutbox[0].body


@pytest.mark.parametrize("reason", ["", "   "])
def test_a_suspension_needs_a_reason(refused, officer, reason):
    licence = make()
    with refused(ReasonRequired, licence):
        lic.suspend_licence(licence_id=licence.pk, by=officer, ground="other", reason=reason)
    assert not Notification.objects.exists()


@pytest.mark.parametrize("ground", ["", "rumour"])
def test_a_suspension_needs_a_ground_the_authority_knows(refused, officer, ground):
    # Art. 6.3(a): a suspension names its ground in national law.
    licence = make()
    with refused(GroundRequired, licence):
        lic.suspend_licence(licence_id=licence.pk, by=officer, ground=ground, reason=REASON)
    assert not Notification.objects.exists()


@pytest.mark.parametrize("state", NOT_ACTIVE)
def test_only_an_active_licence_is_suspended(refused, officer, state):
    licence = make(state)
    with refused(TransitionNotAllowed, licence):
        lic.suspend_licence(licence_id=licence.pk, by=officer, ground="other", reason=REASON)


@pytest.mark.parametrize("who", NOT_OFFICERS)
def test_only_officers_suspend(request, refused, who):
    licence = make()
    with refused(PermissionDenied, licence):
        lic.suspend_licence(
            licence_id=licence.pk,
            by=as_role(request, who, licence.holder),
            ground="other",
            reason=REASON,
        )


def test_an_officer_reinstates_a_suspended_licence(
    officer, django_capture_on_commit_callbacks, mailoutbox
):
    licence = make("suspended")
    with django_capture_on_commit_callbacks(execute=True):
        lic.reinstate_licence(licence_id=licence.pk, by=officer, reason="Stock reconciled.")
    assert state_of(licence) == LicenceState.ACTIVE
    only_event(
        licence,
        Verb.REINSTATED,
        by=officer,
        from_state="suspended",
        to_state="active",
        reason="Stock reconciled.",
    )
    assert Notification.objects.get(template="licence_reinstated").status == "sent"
    assert licence.number in mailoutbox[0].subject


@pytest.mark.parametrize("state", ["active", "revoked", "expired", "transferred", "surrendered"])
def test_only_a_suspended_licence_is_reinstated(refused, officer, state):
    licence = make(None if state == "active" else state)
    with refused(TransitionNotAllowed, licence):
        lic.reinstate_licence(licence_id=licence.pk, by=officer)


@pytest.mark.parametrize("who", NOT_OFFICERS)
def test_only_officers_reinstate(request, refused, who):
    licence = make("suspended")
    with refused(PermissionDenied, licence):
        lic.reinstate_licence(licence_id=licence.pk, by=as_role(request, who, licence.holder))


# --- propose_revocation / confirm_revocation (four eyes) ---------------------------------------


@pytest.mark.parametrize("state", [None, "suspended"], ids=["active", "suspended"])
def test_an_officer_proposes_a_revocation(officer, state):
    licence = make(state)
    proposal = lic.propose_revocation(
        licence_id=licence.pk, by=officer, ground="offence", reason=REASON
    )
    assert (proposal.action, proposal.status, proposal.proposed_by, proposal.ground) == (
        "revoke",
        "pending",
        officer,
        "offence",
    )
    assert proposal.subject_state == licence.state
    event = only_event(licence, Verb.DECISION_PROPOSED, by=officer, reason=REASON)
    assert event.changes == {"action": "revoke", "ground": "offence"}
    assert state_of(licence) == licence.state  # nothing is decided yet


@pytest.mark.parametrize(
    ("state", "who", "ground", "reason", "error"),
    [
        pytest.param(None, "officer", "offence", " ", ReasonRequired, id="no-reason"),
        pytest.param(None, "officer", "", REASON, GroundRequired, id="no-ground"),  # Art. 6.3(a)
        *[
            pytest.param(s, "officer", "offence", REASON, TransitionNotAllowed, id=s)
            for s in ["revoked", "expired", "transferred", "surrendered"]
        ],
        *[pytest.param(None, w, "offence", REASON, PermissionDenied, id=w) for w in NOT_OFFICERS],
    ],
)
def test_a_revocation_proposal_is_refused(request, refused, state, who, ground, reason, error):
    licence = make(state)
    with refused(error, licence):
        lic.propose_revocation(
            licence_id=licence.pk,
            by=as_role(request, who, licence.holder),
            ground=ground,
            reason=reason,
        )
    assert not DecisionProposal.objects.exists()


def test_one_pending_revocation_at_a_time(refused, officer, officer2):
    licence = make()
    lic.propose_revocation(licence_id=licence.pk, by=officer2, ground="other", reason=REASON)
    with refused(TransitionNotAllowed, licence):
        lic.propose_revocation(licence_id=licence.pk, by=officer, ground="other", reason="Again.")
    assert DecisionProposal.objects.count() == 1


@pytest.mark.parametrize("state", [None, "suspended"], ids=["active", "suspended"])
def test_a_second_officer_confirms_the_revocation(
    officer, senior, state, django_capture_on_commit_callbacks, mailoutbox
):
    licence = make(state)
    from_state = licence.state
    lic.propose_revocation(licence_id=licence.pk, by=officer, ground="offence", reason=REASON)
    with django_capture_on_commit_callbacks(execute=True):
        lic.confirm_revocation(licence_id=licence.pk, by=senior)
    assert state_of(licence) == LicenceState.REVOKED
    event = only_event(
        licence, Verb.REVOKED, by=senior, from_state=from_state, to_state="revoked", reason=REASON
    )
    # Art. 6.3(a): the decision keeps the proposal's ground.
    assert event.changes == {"proposed_by": officer.get_username(), "ground": "offence"}
    proposal = licence.proposals.get()
    assert (proposal.status, proposal.decided_by) == ("confirmed", senior)
    assert Notification.objects.get(template="licence_revoked").status == "sent"
    assert REASON in mailoutbox[0].body


def test_the_proposer_cannot_confirm_their_own_revocation(refused, senior, senior2):
    licence = make()
    lic.propose_revocation(licence_id=licence.pk, by=senior, ground="other", reason=REASON)
    with refused(FourEyesViolation, licence):
        lic.confirm_revocation(licence_id=licence.pk, by=senior)
    lic.confirm_revocation(licence_id=licence.pk, by=senior2)
    assert state_of(licence) == LicenceState.REVOKED


@pytest.mark.parametrize("who", ["officer2", *NOT_OFFICERS])
def test_only_a_senior_officer_confirms_a_revocation(request, refused, officer, who):
    licence = make()
    lic.propose_revocation(licence_id=licence.pk, by=officer, ground="other", reason=REASON)
    with refused(PermissionDenied, licence):
        lic.confirm_revocation(licence_id=licence.pk, by=as_role(request, who, licence.holder))
    assert licence.proposals.get().status == "pending"


def test_a_revocation_must_be_proposed_first(refused, senior):
    licence = make()
    with refused(ProposalMissing, licence):
        lic.confirm_revocation(licence_id=licence.pk, by=senior)


@pytest.mark.parametrize("state", ["revoked", "expired", "transferred", "surrendered"])
def test_an_ended_licence_is_not_revoked(refused, senior, state):
    licence = make(state)
    with refused(TransitionNotAllowed, licence):
        lic.confirm_revocation(licence_id=licence.pk, by=senior)


def test_a_revocation_proposed_before_a_suspension_is_stale(refused, officer, senior):
    # The decision must be taken on the facts that were proposed.
    licence = make()
    lic.propose_revocation(licence_id=licence.pk, by=officer, ground="other", reason=REASON)
    lic.suspend_licence(
        licence_id=licence.pk, by=officer, ground="other", reason="Meanwhile: stock missing."
    )
    with refused(StaleProposal, licence):
        lic.confirm_revocation(licence_id=licence.pk, by=senior)


def test_a_revocation_stays_stale_after_suspension_and_reinstatement(refused, officer, senior):
    licence = make()
    lic.propose_revocation(licence_id=licence.pk, by=officer, ground="other", reason=REASON)
    lic.suspend_licence(
        licence_id=licence.pk, by=officer, ground="other", reason="Meanwhile: stock missing."
    )
    lic.reinstate_licence(licence_id=licence.pk, by=officer, reason="Stock found.")
    with refused(StaleProposal, licence):
        lic.confirm_revocation(licence_id=licence.pk, by=senior)


def test_a_senior_officer_rejects_a_revocation_proposal(officer, senior):
    licence = make()
    proposal = lic.propose_revocation(
        licence_id=licence.pk, by=officer, ground="other", reason=REASON
    )
    apps.reject_proposal(proposal_id=proposal.pk, by=senior, note="Evidence insufficient.")
    assert DecisionProposal.objects.get(pk=proposal.pk).status == "rejected"
    only_event(licence, Verb.PROPOSAL_REJECTED, by=senior, reason="Evidence insufficient.")
    assert state_of(licence) == LicenceState.ACTIVE


def test_a_revocation_proposal_is_rejected_only_by_a_senior_officer(refused, officer2):
    proposal = DecisionProposalFactory(revoke=True)
    with refused(PermissionDenied, proposal, field="status"):
        apps.reject_proposal(proposal_id=proposal.pk, by=officer2, note="No.")


# --- surrender_licence -------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["applicant", "officer"])
def test_the_holder_surrenders_the_licence(
    request, who, django_capture_on_commit_callbacks, mailoutbox
):
    licence = make()
    by = as_role(request, who, licence.holder)
    with django_capture_on_commit_callbacks(execute=True):
        lic.surrender_licence(licence_id=licence.pk, by=by, reason="Business closed.")
    assert state_of(licence) == LicenceState.SURRENDERED
    only_event(
        licence,
        Verb.SURRENDERED,
        by=by,
        from_state="active",
        to_state="surrendered",
        reason="Business closed.",
    )
    assert Notification.objects.get(template="licence_surrendered").status == "sent"
    assert len(mailoutbox) == 1


@pytest.mark.parametrize("who", ["stranger", "inspector", "registrar", "auditor"])
def test_only_the_holder_or_an_officer_surrenders(request, refused, who):
    licence = make()
    with refused(PermissionDenied, licence):
        lic.surrender_licence(licence_id=licence.pk, by=as_role(request, who, licence.holder))


@pytest.mark.parametrize("state", NOT_ACTIVE)
def test_only_an_active_licence_is_surrendered(refused, officer, state):
    licence = make(state)
    with refused(TransitionNotAllowed, licence):
        lic.surrender_licence(licence_id=licence.pk, by=officer)


# --- expire_licence / expire_due_licences (Art. 6.3(f)) ----------------------------------------


def test_a_licence_expires_on_its_expiry_date_by_the_system(
    time_machine, django_capture_on_commit_callbacks, mailoutbox
):
    licence = make()
    time_machine.move_to(local(licence.expires_on, 2), tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        assert lic.expire_licence(licence_id=licence.pk) is True
    assert state_of(licence) == LicenceState.EXPIRED
    only_event(licence, Verb.EXPIRED, by=None, from_state="active", to_state="expired")
    notification = Notification.objects.get(template="licence_expired")
    grace_end = licence.expires_on + dt.timedelta(days=90)
    assert notification.context["grace_ends_on"] == grace_end.isoformat()
    assert grace_end.isoformat() in mailoutbox[0].body


def test_a_licence_does_not_expire_before_its_date(time_machine):
    licence = make()
    day_before = licence.expires_on - dt.timedelta(days=1)
    time_machine.move_to(local(day_before, 23), tick=False)
    assert lic.expire_licence(licence_id=licence.pk) is False
    assert lic.expire_due_licences() == 0
    assert state_of(licence) == LicenceState.ACTIVE
    assert not Notification.objects.exists()


@pytest.mark.parametrize("state", NOT_ACTIVE)
def test_only_an_active_licence_expires(state):
    licence = make(state, valid_from=dt.date(2024, 1, 1))
    assert lic.expire_licence(licence_id=licence.pk) is False
    assert state_of(licence) == state
    assert not Notification.objects.exists()
