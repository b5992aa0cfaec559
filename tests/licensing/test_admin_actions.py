"""The officers' decision buttons in the admin: drawn only for what this user may do now,
disabled with the service's own reason, and every press goes through the service."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from licensing.models import (
    Application,
    ApplicationState,
    AuditEvent,
    Licence,
    LicenceState,
    ProposalStatus,
)
from licensing.services import licences as licence_services
from tests.factories import ApplicationFactory, ConditionFactory, LicenceFactory

pytestmark = pytest.mark.django_db


def change_url(obj) -> str:
    return reverse(f"admin:licensing_{obj._meta.model_name}_change", args=[obj.pk])


def action_url(obj, name: str) -> str:
    return reverse(f"admin:licensing_{obj._meta.model_name}_action", args=[obj.pk, name])


def buttons(client, obj) -> dict[str, str | None]:
    """The decision buttons on the change page: name -> None when enabled, else the reason."""
    html = client.get(change_url(obj)).content.decode()
    drawn = re.findall(r'data-action="(\w+)"', html)
    why = dict(re.findall(r'class="why" id="why-(\w+)">([^<]*)<', html))
    return {name: why.get(name) for name in drawn}


def events(obj) -> list[str]:
    return list(AuditEvent.objects.for_object(obj).values_list("verb", flat=True))


@pytest.fixture
def as_user(client):
    def login(user):
        client.force_login(user)
        return client

    return login


def test_approve_is_disabled_with_the_reason_while_the_fee_is_unpaid(as_user, officer):
    # Art. 6.3(c): no licence is issued while the fee is unpaid.
    application = ApplicationFactory(in_review=True, assigned_officer=officer)
    client = as_user(officer)
    shown = buttons(client, application)
    assert shown["approve"] == "The application fee has not been paid in full."
    assert shown["record_payment"] is None

    response = client.post(action_url(application, "approve"))
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.state == ApplicationState.IN_REVIEW
    assert not Licence.objects.filter(application=application).exists()


def test_officer_records_the_payment_then_approves_and_a_licence_is_issued(as_user, officer):
    application = ApplicationFactory(in_review=True, assigned_officer=officer)
    client = as_user(officer)
    response = client.post(
        action_url(application, "record_payment"),
        {
            "reference": "BANK-2026-0001",
            "amount": str(application.invoice.amount),
            "paid_on": timezone.localdate().isoformat(),
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert buttons(client, application)["approve"] is None

    response = client.post(action_url(application, "approve"))
    assert response.status_code == 302
    assert response["Location"] == change_url(application)
    application.refresh_from_db()
    assert application.state == ApplicationState.APPROVED
    licence = Licence.objects.get(application=application)
    assert licence.state == LicenceState.ACTIVE
    assert events(application) == ["payment_recorded", "approved"]
    assert events(licence) == ["issued"]


def test_a_payment_form_with_errors_is_shown_again_and_nothing_is_recorded(as_user, officer):
    application = ApplicationFactory(in_review=True)
    client = as_user(officer)
    before = AuditEvent.objects.count()
    tomorrow = timezone.localdate() + timezone.timedelta(days=1)
    response = client.post(
        action_url(application, "record_payment"),
        {"reference": "", "amount": "-5", "paid_on": tomorrow.isoformat()},
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.errors) == {"reference", "amount", "paid_on"}
    assert "The payment date cannot be in the future." in form.errors["paid_on"]
    assert application.invoice.payments.count() == 0
    assert AuditEvent.objects.count() == before


def test_suspension_needs_a_ground_and_a_reason_and_the_form_keeps_the_page(as_user, officer):
    # Art. 6.3(a): the ground in national law, and the reason the holder reads.
    licence = LicenceFactory()
    client = as_user(officer)
    response = client.post(action_url(licence, "suspend"), {"reason": "   "})
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert set(errors) == {"ground", "reason"}
    assert errors["ground"] == ["Choose the ground of the decision."]
    response = client.post(action_url(licence, "suspend"), {"ground": "rumour", "reason": "R."})
    assert set(response.context["form"].errors) == {"ground"}
    licence.refresh_from_db()
    assert licence.state == LicenceState.ACTIVE
    assert events(licence) == []


def test_suspend_then_reinstate_from_the_licence_page(as_user, officer):
    # Art. 6.3(a): the authority suspends and reinstates.
    licence = LicenceFactory()
    client = as_user(officer)
    assert set(buttons(client, licence)) == {
        "suspend",
        "propose_suspension",
        "propose_revocation",
        "surrender",
    }

    client.post(
        action_url(licence, "suspend"), {"ground": "fees", "reason": "Unpaid excise, Art. 6.3(a)."}
    )
    licence.refresh_from_db()
    assert licence.state == LicenceState.SUSPENDED
    assert set(buttons(client, licence)) == {"reinstate", "propose_revocation"}

    client.post(action_url(licence, "reinstate"), {"reason": ""})
    licence.refresh_from_db()
    assert licence.state == LicenceState.ACTIVE
    assert events(licence) == ["suspended", "reinstated"]


def test_revocation_needs_a_second_officer(as_user, officer, senior, senior2):
    licence = LicenceFactory()
    as_user(senior).post(
        action_url(licence, "propose_revocation"),
        {"ground": "offence", "reason": "Art. 6.3(a): false declarations."},
    )
    proposal = licence.proposals.get()
    assert proposal.proposed_by == senior

    # The proposer sees the confirmation disabled, with the four-eyes reason.
    shown = buttons(as_user(senior), licence)
    assert shown["revoke"] == "Another senior officer must confirm a decision that you proposed."
    as_user(senior).post(action_url(licence, "revoke"))
    licence.refresh_from_db()
    assert licence.state == LicenceState.ACTIVE

    # A licence officer cannot confirm at all: the button is not drawn, the URL refuses.
    assert "revoke" not in buttons(as_user(officer), licence)
    as_user(officer).post(action_url(licence, "revoke"))
    licence.refresh_from_db()
    assert licence.state == LicenceState.ACTIVE

    response = as_user(senior2).post(action_url(licence, "revoke"))
    assert response.status_code == 302
    licence.refresh_from_db()
    proposal.refresh_from_db()
    assert licence.state == LicenceState.REVOKED
    assert (proposal.status, proposal.decided_by) == (ProposalStatus.CONFIRMED, senior2)
    assert events(licence) == ["decision_proposed", "revoked"]


def test_refusal_is_proposed_then_confirmed_or_sent_back(as_user, officer, senior, senior2):
    application = ApplicationFactory(in_review=True)
    as_user(officer).post(
        action_url(application, "propose_refusal"),
        {"ground": "criminal_record", "reason": "Art. 6.3(b)(vi) not met."},
    )
    assert "refuse" not in buttons(as_user(officer), application)
    shown = buttons(as_user(senior), application)
    assert shown["refuse"] is None and shown["reject_proposal"] is None

    as_user(senior).post(
        action_url(application, "reject_proposal"), {"note": "Ask for the record first."}
    )
    application.refresh_from_db()
    assert application.state == ApplicationState.IN_REVIEW
    assert "refuse" not in buttons(as_user(senior2), application)

    as_user(officer).post(
        action_url(application, "propose_refusal"),
        {"ground": "information", "reason": "Still missing."},
    )
    as_user(senior2).post(action_url(application, "refuse"))
    application.refresh_from_db()
    assert application.state == ApplicationState.REFUSED
    assert events(application).count("decision_proposed") == 2
    assert events(application)[-1] == "refused"


def test_a_blocking_condition_disables_approval_until_recorded_as_met(as_user, officer):
    application = ApplicationFactory(in_review=True, paid=True)
    condition = ConditionFactory(application=application, blocking=True)
    client = as_user(officer)
    assert buttons(client, application)["approve"] == "A blocking condition has not been met."

    client.post(action_url(application, "meet_condition"), {"condition": condition.pk})
    condition.refresh_from_db()
    assert condition.met_by == officer
    assert buttons(client, application)["approve"] is None


def test_information_request_and_reply_go_back_and_forth(as_user, officer):
    application = ApplicationFactory(in_review=True)
    client = as_user(officer)
    response = client.post(
        action_url(application, "request_information"),
        {"question": "Send the lease of the Drammen warehouse.", "due_on": ""},
    )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.state == ApplicationState.INFORMATION_REQUESTED
    assert set(buttons(client, application)) >= {"provide_information", "withdraw"}

    client.post(action_url(application, "provide_information"), {"answer": "Lease received."})
    application.refresh_from_db()
    assert application.state == ApplicationState.IN_REVIEW
    assert application.information_requests.get().answer == "Lease received."


def test_roles_without_the_permission_see_no_buttons_and_are_refused(
    as_user, inspector, registrar, auditor
):
    licence = LicenceFactory()
    application = ApplicationFactory(submitted=True)
    for user in (inspector, registrar, auditor):
        client = as_user(user)
        # The registrar prints (tests/documents/test_issuing.py) but decides nothing.
        # The inspector may propose a suspension (an inspection's finding, Art. 6.3(e)) for an
        # officer to confirm (tests/licensing/test_suspension_proposals.py), nothing more.
        decisions = {
            name: why
            for name, why in buttons(client, licence).items()
            if name not in ("print_licence", "reprint_licence")
            and (name, user) != ("propose_suspension", inspector)
        }
        assert decisions == {}
        assert buttons(client, application) == {}
        response = client.post(action_url(licence, "suspend"), {"ground": "other", "reason": "No."})
        assert response.status_code == 302
        response = client.post(action_url(application, "start_review"))
        assert response.status_code == 302
    licence.refresh_from_db()
    application.refresh_from_db()
    assert licence.state == LicenceState.ACTIVE
    assert application.state == ApplicationState.SUBMITTED
    assert events(licence) == [] and events(application) == []


def test_a_decision_taken_meanwhile_by_another_officer_is_explained(as_user, officer, officer2):
    licence = LicenceFactory()
    page = as_user(officer).get(action_url(licence, "suspend"))
    assert page.status_code == 200
    licence_services.suspend_licence(
        licence_id=licence.pk, by=officer2, ground="other", reason="First."
    )

    response = as_user(officer).post(
        action_url(licence, "suspend"), {"ground": "other", "reason": "Second."}, follow=True
    )
    assert "This action is not possible in the current state." in response.content.decode()
    assert events(licence) == ["suspended"]


def test_the_fsm_mixins_own_transition_door_is_closed(as_user, officer):
    """django-fsm-2's FSMAdminMixin would run the model method and save, skipping the service."""
    licence = LicenceFactory()
    client = as_user(officer)
    response = client.post(change_url(licence), {"_fsm_transition_to": "suspend"})
    assert response.status_code == 403
    response = client.get(change_url(licence) + "transition/suspend/")
    assert response.status_code in (302, 404)
    licence.refresh_from_db()
    assert licence.state == LicenceState.ACTIVE
    assert events(licence) == []


def test_an_unknown_action_is_not_found(as_user, officer):
    licence = LicenceFactory()
    assert as_user(officer).get(action_url(licence, "delete")).status_code == 404


def test_a_transfer_is_proposed_by_an_officer_and_confirmed_by_a_senior(as_user, officer, senior):
    # Art. 6.4: the transfer needs the authority's prior approval; four eyes.
    application = ApplicationFactory(transfer=True, in_review=True, paid=True)
    old = application.licence
    assert "approve" not in buttons(as_user(officer), application)
    assert buttons(as_user(senior), application)["approve"] == (
        "This decision must first be proposed by an officer."
    )
    as_user(officer).post(
        action_url(application, "propose_transfer"), {"reason": "Full information supplied."}
    )
    as_user(senior).post(action_url(application, "approve"))
    old.refresh_from_db()
    assert old.state == LicenceState.TRANSFERRED
    successor = Licence.objects.get(predecessor=old)
    assert successor.holder == application.party
    assert Application.objects.get(pk=application.pk).state == ApplicationState.APPROVED


def test_amounts_are_recorded_exactly(as_user, officer):
    application = ApplicationFactory(in_review=True)
    as_user(officer).post(
        action_url(application, "record_payment"),
        {"reference": "PART-1", "amount": "0.01", "paid_on": timezone.localdate().isoformat()},
    )
    assert application.invoice.payments.get().amount == Decimal("0.01")


def test_a_stale_revocation_is_shown_disabled_and_can_be_sent_back(as_user, officer, senior):
    """Suspended and reinstated since the proposal: confirm on the old facts is refused."""
    licence = LicenceFactory()
    licence_services.propose_revocation(
        licence_id=licence.pk, by=officer, ground="other", reason="Smuggling."
    )
    licence_services.suspend_licence(
        licence_id=licence.pk, by=officer, ground="other", reason="Audit."
    )
    licence_services.reinstate_licence(licence_id=licence.pk, by=officer)
    shown = buttons(as_user(senior), licence)
    assert shown["revoke"] == (
        "The record changed since this decision was proposed. Propose the decision again."
    )
    assert shown["reject_proposal"] is None
    as_user(senior).post(action_url(licence, "revoke"))
    licence.refresh_from_db()
    assert licence.state == LicenceState.ACTIVE
