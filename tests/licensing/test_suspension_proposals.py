"""A suspension proposed for another officer to confirm (Art. 6.3(a), four eyes): from the
licence page, confirmed or sent back by a licence officer who is not the proposer."""

from __future__ import annotations

import pytest

from licensing.models import LicenceState, ProposalStatus
from licensing.models.decisions import ProposalAction
from tests.factories import LicenceFactory
from tests.licensing.test_admin_actions import action_url, buttons, events

pytestmark = pytest.mark.django_db


@pytest.fixture
def as_user(client):
    def login(user):
        client.force_login(user)
        return client

    return login


def test_a_proposed_suspension_is_confirmed_by_another_officer(as_user, officer, officer2):
    licence = LicenceFactory()
    as_user(officer).post(
        action_url(licence, "propose_suspension"),
        {"ground": "inspection", "reason": "Art. 6.3(e)."},
    )
    proposal = licence.proposals.get()
    assert (proposal.action, proposal.proposed_by) == (ProposalAction.SUSPEND, officer)

    shown = buttons(as_user(officer), licence)
    # Drawn disabled, with the four-eyes reason.
    assert shown["confirm_suspension"] == "Another officer must confirm a suspension you proposed."
    assert "propose_suspension" not in shown and "propose_revocation" not in shown
    as_user(officer).post(action_url(licence, "confirm_suspension"))
    licence.refresh_from_db()
    assert licence.state == LicenceState.ACTIVE

    assert buttons(as_user(officer2), licence)["confirm_suspension"] is None
    # The confirming officer sees the proposed ground beside the reason (Art. 6.3(a), (e)).
    page = as_user(officer2).get(action_url(licence, "confirm_suspension")).content.decode()
    assert "Inspection or audit finding (Art. 6.3(e))" in page and "Art. 6.3(e)." in page
    as_user(officer2).post(action_url(licence, "confirm_suspension"))
    licence.refresh_from_db()
    proposal.refresh_from_db()
    assert licence.state == LicenceState.SUSPENDED
    assert (proposal.status, proposal.decided_by) == (ProposalStatus.CONFIRMED, officer2)
    assert events(licence) == ["decision_proposed", "suspended"]


def test_a_proposed_suspension_can_be_sent_back_by_another_officer(as_user, officer, officer2):
    licence = LicenceFactory()
    as_user(officer).post(
        action_url(licence, "propose_suspension"), {"ground": "inspection", "reason": "Findings."}
    )
    as_user(officer2).post(action_url(licence, "reject_proposal"), {"note": "Remedied already."})
    proposal = licence.proposals.get()
    licence.refresh_from_db()
    assert (proposal.status, licence.state) == (ProposalStatus.REJECTED, LicenceState.ACTIVE)


def test_roles_without_the_permission_cannot_propose_or_confirm(
    as_user, registrar, auditor, officer
):
    licence = LicenceFactory()
    for user in (registrar, auditor):
        assert "propose_suspension" not in buttons(as_user(user), licence)
        as_user(user).post(
            action_url(licence, "propose_suspension"), {"ground": "other", "reason": "x"}
        )
    assert not licence.proposals.exists()
    # Only an active licence: a suspended one cannot be proposed for suspension.
    suspended = LicenceFactory(suspended=True)
    assert "propose_suspension" not in buttons(as_user(officer), suspended)
