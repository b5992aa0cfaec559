"""Applications from draft to decision, through the services only (the one door).

For every service: the allowed path (state, one audit event with who/from/to/why, side effects)
and each refusal that applies (domain error, state unchanged, no audit event)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from licensing.exceptions import (
    ConditionOpen,
    FeeUnpaid,
    FourEyesViolation,
    GroundRequired,
    PermissionDenied,
    ReasonRequired,
    StaleProposal,
    TransitionNotAllowed,
)
from licensing.models import (
    Application,
    ApplicationState,
    DecisionProposal,
    Invoice,
    Licence,
    LicenceState,
    LicenceTerm,
    Notification,
    Payment,
    SubmissionSnapshot,
    Verb,
)
from licensing.models.applications import (
    ActivitiesMissing,
    DeclarationMissing,
    LicenceMissing,
    LicenceNotActive,
    LicenceNotRenewable,
    ProposalMissing,
    RefusalPending,
)
from licensing.services import applications as apps
from licensing.services.fees import InvalidPayment, record_payment
from licensing.services.licences import expire_licence
from licensing.services.numbers import is_valid_number
from tests.factories import (
    ApplicationFactory,
    ConditionFactory,
    DecisionProposalFactory,
    LicenceFactory,
    PartyFactory,
    PaymentFactory,
    SiteFactory,
)
from tests.licensing.helpers import NOT_OFFICERS, as_role, local, only_event

pytestmark = pytest.mark.django_db

STATES_OTHER_THAN_DRAFT = ["submitted", "in_review", "approved", "refused", "withdrawn"]


def make(state: str | None = None, **kwargs):
    return ApplicationFactory(**({state: True} if state else {}), **kwargs)


# --- create_application ------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["applicant", "officer"])
def test_create_application_opens_a_draft(request, who):
    party = PartyFactory()
    by = as_role(request, who, party)
    application = apps.create_application(
        party=party, kind="new", activities=["import", "export"], by=by
    )
    assert application.state == ApplicationState.DRAFT
    assert is_valid_number(application.reference)
    assert application.created_by == by
    only_event(application, Verb.CREATED, by=by, to_state="draft")


@pytest.mark.parametrize("who", ["stranger", "inspector", "registrar", "auditor"])
def test_create_application_needs_to_act_for_the_party(request, refused, who):
    party = PartyFactory()
    with refused(PermissionDenied):
        apps.create_application(
            party=party, kind="new", activities=["import"], by=as_role(request, who, party)
        )
    assert not Application.objects.exists()


@pytest.mark.parametrize("kind", ["renewal", "transfer", "change"])
def test_create_application_other_than_new_must_name_its_licence(refused, officer, kind):
    with refused(TransitionNotAllowed):
        apps.create_application(party=PartyFactory(), kind=kind, activities=["import"], by=officer)
    assert not Application.objects.exists()


@pytest.mark.parametrize("kind", ["renewal", "change"])
def test_only_the_holder_renews_or_changes_its_licence(refused, officer, kind):
    licence = LicenceFactory()
    with refused(TransitionNotAllowed):
        apps.create_application(
            party=PartyFactory(), kind=kind, activities=["import"], licence=licence, by=officer
        )
    assert not Application.objects.exclude(pk=licence.application_id).exists()


def test_a_transfer_is_applied_for_by_the_proposed_licensee(refused, applicant_for):
    # Art. 6.4: the proposed licensee applies with its own information; the holder cannot.
    licence = LicenceFactory()
    holder_user = applicant_for(licence.holder)
    with refused(TransitionNotAllowed):
        apps.create_application(
            party=licence.holder,
            kind="transfer",
            activities=licence.activities,
            licence=licence,
            by=holder_user,
        )
    transferee = PartyFactory()
    application = apps.create_application(
        party=transferee,
        kind="transfer",
        activities=licence.activities,
        licence=licence,
        by=applicant_for(transferee),
    )
    assert application.licence == licence


# --- accept_declaration ------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["applicant", "officer"])
def test_accepting_the_declaration_is_recorded(request, who):
    # Art. 14.1(i) in spirit: the applicant declares the information true and complete.
    application = make()
    by = as_role(request, who, application.party)
    apps.accept_declaration(application_id=application.pk, by=by)
    application.refresh_from_db()
    assert application.declaration_accepted_at is not None
    event = only_event(application, Verb.EDITED, by=by)
    assert event.changes == {"declaration_accepted": True}


def test_declaration_cannot_be_accepted_after_submission(refused, officer):
    application = make("submitted")
    with refused(TransitionNotAllowed, application, field="declaration_accepted_at"):
        apps.accept_declaration(application_id=application.pk, by=officer)


@pytest.mark.parametrize("who", ["stranger", "inspector", "registrar", "auditor"])
def test_declaration_is_accepted_only_by_the_party_or_an_officer(request, refused, who):
    application = make()
    with refused(PermissionDenied, application, field="declaration_accepted_at"):
        apps.accept_declaration(
            application_id=application.pk, by=as_role(request, who, application.party)
        )


# --- submit_application ------------------------------------------------------------------------


def test_submission_freezes_a_snapshot_invoices_the_fee_and_sends_a_receipt(
    applicant_for, django_capture_on_commit_callbacks, mailoutbox
):
    application = make(declared=True, activities=["import", "wholesale"])
    by = applicant_for(application.party)
    with django_capture_on_commit_callbacks(execute=True):
        apps.submit_application(application_id=application.pk, by=by)
    application.refresh_from_db()
    assert application.state == ApplicationState.SUBMITTED
    assert application.submitted_at is not None
    only_event(application, Verb.SUBMITTED, by=by, from_state="draft", to_state="submitted")
    # Art. 6.3(c): the fee by the schedule (migration 0004): import 2000 + wholesale 1000.
    invoice = Invoice.objects.get(application=application)
    assert invoice.amount == Decimal("3000.00")
    assert not invoice.is_paid
    assert is_valid_number(invoice.number)
    only_event(application, Verb.INVOICE_ISSUED, by=by)
    assert SubmissionSnapshot.objects.filter(application=application).exists()
    receipt = Notification.objects.get(template="application_submitted")
    assert receipt.recipient == application.party.email
    assert receipt.status == "sent"
    assert len(mailoutbox) == 1
    assert application.reference in mailoutbox[0].subject
    assert invoice.number in mailoutbox[0].body


@pytest.mark.parametrize(
    ("build", "error"),
    [
        pytest.param({}, DeclarationMissing, id="not-declared"),
        pytest.param({"declared": True, "activities": []}, ActivitiesMissing, id="no-activity"),
        pytest.param({"declared": True, "kind": "renewal"}, LicenceMissing, id="no-licence"),
    ],
)
def test_submission_refused_while_the_application_is_incomplete(refused, officer, build, error):
    application = make(**build)
    with refused(error, application):
        apps.submit_application(application_id=application.pk, by=officer)
    assert not Invoice.objects.exists()
    assert not Notification.objects.exists()


@pytest.mark.parametrize("state", STATES_OTHER_THAN_DRAFT)
def test_only_a_draft_is_submitted(refused, officer, state):
    application = make(state)
    with refused(TransitionNotAllowed, application):
        apps.submit_application(application_id=application.pk, by=officer)


@pytest.mark.parametrize("who", ["stranger", "inspector", "registrar", "auditor"])
def test_submission_only_by_the_party_or_an_officer(request, refused, who):
    application = make(declared=True)
    with refused(PermissionDenied, application):
        apps.submit_application(
            application_id=application.pk, by=as_role(request, who, application.party)
        )
    assert not Invoice.objects.exists()


# --- start_review ------------------------------------------------------------------------------


def test_an_officer_takes_a_submitted_application_into_review(officer):
    application = make("submitted")
    apps.start_review(application_id=application.pk, by=officer)
    application.refresh_from_db()
    assert application.state == ApplicationState.IN_REVIEW
    assert application.assigned_officer == officer
    event = only_event(
        application, Verb.REVIEW_STARTED, by=officer, from_state="submitted", to_state="in_review"
    )
    assert event.changes == {"assigned_officer": officer.get_username()}


@pytest.mark.parametrize("state", [None, "in_review", "information_requested", "approved"])
def test_review_starts_only_from_submitted(refused, officer, state):
    application = make(state)
    with refused(TransitionNotAllowed, application):
        apps.start_review(application_id=application.pk, by=officer)


@pytest.mark.parametrize("who", NOT_OFFICERS)
def test_only_officers_start_a_review(request, refused, who):
    application = make("submitted")
    with refused(PermissionDenied, application):
        apps.start_review(
            application_id=application.pk, by=as_role(request, who, application.party)
        )


# --- request_information / provide_information -------------------------------------------------


def test_an_officer_requests_information_and_the_applicant_is_told(
    officer, django_capture_on_commit_callbacks, mailoutbox
):
    application = make("in_review")
    question = "Send the lease for the Drammen warehouse."
    with django_capture_on_commit_callbacks(execute=True):
        request = apps.request_information(
            application_id=application.pk, by=officer, question=question
        )
    application.refresh_from_db()
    assert application.state == ApplicationState.INFORMATION_REQUESTED
    assert request.due_on == timezone.localdate() + dt.timedelta(days=30)
    assert request.requested_by == officer
    only_event(
        application,
        Verb.INFORMATION_REQUESTED,
        by=officer,
        from_state="in_review",
        to_state="information_requested",
        reason=question,
    )
    assert Notification.objects.get(template="information_requested").status == "sent"
    assert question in mailoutbox[0].body


@pytest.mark.parametrize("question", ["", "   "])
def test_an_information_request_needs_a_question(refused, officer, question):
    application = make("in_review")
    with refused(ReasonRequired, application):
        apps.request_information(application_id=application.pk, by=officer, question=question)
    assert not application.information_requests.exists()


def test_an_information_request_must_be_due_after_today(refused, officer):
    application = make("in_review")
    with refused(TransitionNotAllowed, application):
        apps.request_information(
            application_id=application.pk,
            by=officer,
            question="Where is the plant?",
            due_on=timezone.localdate(),
        )


@pytest.mark.parametrize("state", ["submitted", "information_requested", "refused"])
def test_information_is_requested_only_in_review(refused, officer, state):
    application = make(state)
    with refused(TransitionNotAllowed, application):
        apps.request_information(application_id=application.pk, by=officer, question="Why?")


@pytest.mark.parametrize("who", NOT_OFFICERS)
def test_only_officers_request_information(request, refused, who):
    application = make("in_review")
    with refused(PermissionDenied, application):
        apps.request_information(
            application_id=application.pk,
            by=as_role(request, who, application.party),
            question="Why?",
        )


@pytest.mark.parametrize("who", ["applicant", "officer"])
def test_the_answer_returns_the_application_to_review(request, who):
    application = make("information_requested")
    by = as_role(request, who, application.party)
    apps.provide_information(application_id=application.pk, by=by, answer="Lease attached.")
    application.refresh_from_db()
    assert application.state == ApplicationState.IN_REVIEW
    answered = application.information_requests.get()
    assert (answered.answer, answered.answered_by) == ("Lease attached.", by)
    only_event(
        application,
        Verb.INFORMATION_PROVIDED,
        by=by,
        from_state="information_requested",
        to_state="in_review",
        reason="Lease attached.",
    )


def test_an_answer_cannot_be_empty(refused, applicant_for):
    application = make("information_requested")
    with refused(ReasonRequired, application):
        apps.provide_information(
            application_id=application.pk, by=applicant_for(application.party), answer=" "
        )
    assert application.information_requests.get().answered_at is None


def test_information_is_provided_only_when_requested(refused, applicant_for):
    application = make("in_review")
    with refused(TransitionNotAllowed, application):
        apps.provide_information(
            application_id=application.pk, by=applicant_for(application.party), answer="Here."
        )


@pytest.mark.parametrize("who", ["stranger", "inspector", "registrar", "auditor"])
def test_only_the_party_or_an_officer_answers(request, refused, who):
    application = make("information_requested")
    with refused(PermissionDenied, application):
        apps.provide_information(
            application_id=application.pk,
            by=as_role(request, who, application.party),
            answer="Here.",
        )


# --- withdraw_application ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("state", "told"),
    [(None, False), ("submitted", True), ("information_requested", True)],
    ids=["draft", "submitted", "information_requested"],
)
@pytest.mark.parametrize("who", ["applicant", "officer"])
def test_an_application_is_withdrawn_before_a_decision(
    request, django_capture_on_commit_callbacks, mailoutbox, state, told, who
):
    application = make(state)
    from_state = application.state
    by = as_role(request, who, application.party)
    with django_capture_on_commit_callbacks(execute=True):
        apps.withdraw_application(application_id=application.pk, by=by, reason="Plans changed.")
    application.refresh_from_db()
    assert application.state == ApplicationState.WITHDRAWN
    only_event(
        application,
        Verb.WITHDRAWN,
        by=by,
        from_state=from_state,
        to_state="withdrawn",
        reason="Plans changed.",
    )
    # A draft was never received: nobody is told of its withdrawal.
    assert Notification.objects.filter(template="application_withdrawn").exists() == told
    assert len(mailoutbox) == int(told)


@pytest.mark.parametrize("state", ["in_review", "approved", "refused", "withdrawn"])
def test_no_withdrawal_in_review_or_after_a_decision(refused, officer, state):
    application = make(state)
    with refused(TransitionNotAllowed, application):
        apps.withdraw_application(application_id=application.pk, by=officer)


@pytest.mark.parametrize("who", ["stranger", "inspector", "registrar", "auditor"])
def test_only_the_party_or_an_officer_withdraws(request, refused, who):
    application = make("submitted")
    with refused(PermissionDenied, application):
        apps.withdraw_application(
            application_id=application.pk, by=as_role(request, who, application.party)
        )


# --- record_payment (Art. 6.3(c)) --------------------------------------------------------------


def test_an_officer_records_the_payment_of_the_fee(officer):
    application = make("in_review")
    invoice = application.invoice
    payment = record_payment(
        invoice_id=invoice.pk,
        by=officer,
        reference="NO93-0001",
        amount=invoice.amount,
        paid_on=timezone.localdate(),
    )
    assert payment.recorded_by == officer
    assert Invoice.objects.get(pk=invoice.pk).is_paid
    event = only_event(application, Verb.PAYMENT_RECORDED, by=officer)
    assert event.changes["reference"] == "NO93-0001"


@pytest.mark.parametrize("who", NOT_OFFICERS)
def test_only_officers_record_payments(request, refused, who):
    application = make("in_review")
    with refused(PermissionDenied):
        record_payment(
            invoice_id=application.invoice.pk,
            by=as_role(request, who, application.party),
            reference="NO93-0002",
            amount=application.invoice.amount,
            paid_on=timezone.localdate(),
        )
    assert not Payment.objects.exists()


@pytest.mark.parametrize(
    ("reference", "amount", "days_ahead"),
    [(" ", "10.00", 0), ("R-1", "0.00", 0), ("R-1", "-5.00", 0), ("R-1", "10.00", 1)],
    ids=["no-reference", "zero", "negative", "future-date"],
)
def test_an_invalid_payment_is_refused(refused, officer, reference, amount, days_ahead):
    application = make("in_review")
    with refused(InvalidPayment):
        record_payment(
            invoice_id=application.invoice.pk,
            by=officer,
            reference=reference,
            amount=Decimal(amount),
            paid_on=timezone.localdate() + dt.timedelta(days=days_ahead),
        )
    assert not Payment.objects.exists()


def test_a_payment_reference_is_recorded_once(refused, officer):
    earlier = PaymentFactory(reference="DUP-1", amount=Decimal("1.00"))
    application = make("in_review")
    with refused(InvalidPayment):
        record_payment(
            invoice_id=application.invoice.pk,
            by=officer,
            reference="DUP-1",
            amount=Decimal("10.00"),
            paid_on=timezone.localdate(),
        )
    assert list(Payment.objects.all()) == [earlier]


# --- approve_application: new ------------------------------------------------------------------


def test_approving_a_paid_new_application_issues_a_licence(
    officer, django_capture_on_commit_callbacks, mailoutbox
):
    application = make("in_review", paid=True)
    site = SiteFactory(party=application.party)
    application.sites.add(site)
    condition = ConditionFactory(application=application, blocking=False)
    with django_capture_on_commit_callbacks(execute=True):
        apps.approve_application(application_id=application.pk, by=officer)
    application.refresh_from_db()
    assert application.state == ApplicationState.APPROVED
    assert application.decided_at is not None
    only_event(application, Verb.APPROVED, by=officer, from_state="in_review", to_state="approved")
    # Art. 6.3(a): the licence, with its check character, holder, activities and sites.
    licence = Licence.objects.get(application=application)
    assert is_valid_number(licence.number)
    assert licence.state == LicenceState.ACTIVE
    assert licence.holder == application.party
    assert licence.activities == application.activities
    assert list(licence.sites.all()) == [site]
    assert licence.valid_from == timezone.localdate()
    assert licence.expires_on == licence.valid_from + dt.timedelta(days=730)
    term = LicenceTerm.objects.get(licence=licence)
    assert (term.valid_from, term.expires_on) == (licence.valid_from, licence.expires_on)
    only_event(licence, Verb.ISSUED, by=officer, to_state="active")
    condition.refresh_from_db()
    assert condition.licence == licence  # conditions go on with the licence
    assert Notification.objects.get(template="application_approved").status == "sent"
    assert licence.number in mailoutbox[0].body


@pytest.mark.parametrize("paid", ["nothing", "part"])
def test_no_licence_while_the_fee_is_unpaid(refused, officer, paid):
    # Art. 6.3(c): the fee is collected before the licence is issued.
    application = make("in_review")
    if paid == "part":
        PaymentFactory(invoice=application.invoice, amount=application.invoice.amount - 1)
    with refused(FeeUnpaid, application):
        apps.approve_application(application_id=application.pk, by=officer)
    assert not Licence.objects.exists()


def test_an_open_blocking_condition_stops_the_issue(refused, officer):
    application = make("in_review", paid=True)
    ConditionFactory(application=application, blocking=True)
    with refused(ConditionOpen, application):
        apps.approve_application(application_id=application.pk, by=officer)
    assert not Licence.objects.exists()


@pytest.mark.parametrize("state", ["submitted", "information_requested", "approved", "refused"])
def test_only_an_application_in_review_is_approved(refused, officer, state):
    application = make(state, paid=True)
    with refused(TransitionNotAllowed, application):
        apps.approve_application(application_id=application.pk, by=officer)


@pytest.mark.parametrize("who", NOT_OFFICERS)
def test_only_officers_approve(request, refused, who):
    application = make("in_review", paid=True)
    with refused(PermissionDenied, application):
        apps.approve_application(
            application_id=application.pk, by=as_role(request, who, application.party)
        )
    assert not Licence.objects.filter(application=application).exists()


def test_a_proposed_refusal_must_be_decided_before_an_approval(refused, officer, officer2):
    application = make("in_review", paid=True)
    DecisionProposalFactory(application=application, proposed_by=officer2)
    with refused(RefusalPending, application):
        apps.approve_application(application_id=application.pk, by=officer)


# --- approve_application: renewal (Art. 6.3(f)) ------------------------------------------------


def test_a_renewal_adds_a_term_from_the_old_expiry(officer, django_capture_on_commit_callbacks):
    application = make("in_review", renewal=True, paid=True)
    licence = application.licence
    old_expiry = licence.expires_on
    with django_capture_on_commit_callbacks(execute=True):
        apps.approve_application(application_id=application.pk, by=officer)
    licence.refresh_from_db()
    assert licence.state == LicenceState.ACTIVE
    assert licence.expires_on == old_expiry + dt.timedelta(days=730)
    new_term = licence.terms.get(application=application)
    assert (new_term.valid_from, new_term.expires_on) == (old_expiry, licence.expires_on)
    assert licence.terms.count() == 2
    event = only_event(licence, Verb.RENEWED, by=officer, from_state="active", to_state="active")
    assert event.changes["previous_expiry"] == old_expiry.isoformat()
    only_event(application, Verb.APPROVED, by=officer, from_state="in_review", to_state="approved")
    assert Licence.objects.count() == 1  # renewed, not reissued
    assert Notification.objects.get(template="application_approved").status == "sent"


def test_an_expired_licence_is_renewed_from_today_within_the_grace_period(officer, time_machine):
    application = make("in_review", renewal=True, paid=True)
    licence = application.licence
    # Art. 6.3(f): expired, then renewed on the last day of the grace period.
    time_machine.move_to(local(licence.expires_on, 2), tick=False)
    assert expire_licence(licence_id=licence.pk)  # the nightly job
    last_day = licence.grace_period_ends_on()
    time_machine.move_to(local(last_day, 12), tick=False)
    apps.approve_application(application_id=application.pk, by=officer)
    licence.refresh_from_db()
    assert licence.state == LicenceState.ACTIVE
    assert licence.terms.get(application=application).valid_from == last_day
    assert licence.expires_on == last_day + dt.timedelta(days=730)
    only_event(licence, Verb.RENEWED, by=officer, from_state="expired", to_state="active")


def test_no_renewal_after_the_grace_period(refused, officer, time_machine):
    application = make("in_review", renewal=True, paid=True)
    licence = application.licence
    time_machine.move_to(local(licence.expires_on, 2), tick=False)
    assert expire_licence(licence_id=licence.pk)  # the nightly job
    day_after = licence.grace_period_ends_on() + dt.timedelta(days=1)
    time_machine.move_to(local(day_after, 12), tick=False)
    with refused(LicenceNotRenewable, application):
        apps.approve_application(application_id=application.pk, by=officer)
    assert Licence.objects.get(pk=licence.pk).state == LicenceState.EXPIRED
    assert licence.terms.count() == 1


@pytest.mark.parametrize("state", ["suspended", "revoked", "surrendered", "transferred"])
def test_no_renewal_of_a_licence_that_is_not_active_or_expired(refused, officer, state):
    application = make("in_review", renewal=True, paid=True)
    Licence.objects.filter(pk=application.licence_id).update(state=state)
    with refused(LicenceNotRenewable, application):
        apps.approve_application(application_id=application.pk, by=officer)


def test_an_open_blocking_condition_on_the_licence_stops_its_renewal(refused, officer):
    application = make("in_review", renewal=True, paid=True)
    ConditionFactory(application=None, licence=application.licence, blocking=True)
    with refused(ConditionOpen, application):
        apps.approve_application(application_id=application.pk, by=officer)
    assert application.licence.terms.count() == 1


def test_no_renewal_while_its_fee_is_unpaid(refused, officer):
    application = make("in_review", renewal=True)
    with refused(FeeUnpaid, application):
        apps.approve_application(application_id=application.pk, by=officer)


# --- approve_application: transfer (Art. 6.4) --------------------------------------------------


@pytest.fixture
def transfer(officer):
    """A paid transfer application in review, approval proposed by an officer."""
    application = make("in_review", transfer=True, paid=True)
    apps.propose_decision(
        application_id=application.pk,
        by=officer,
        action="approve_transfer",
        reason="Art. 6.4: the transferee's information is complete; due diligence clear.",
    )
    return application


def test_a_confirmed_transfer_closes_the_licence_and_issues_a_successor(
    transfer, officer, senior, django_capture_on_commit_callbacks, mailoutbox
):
    old = transfer.licence
    with django_capture_on_commit_callbacks(execute=True):
        apps.approve_application(application_id=transfer.pk, by=senior)
    transfer.refresh_from_db()
    old.refresh_from_db()
    assert transfer.state == ApplicationState.APPROVED
    assert old.state == LicenceState.TRANSFERRED
    successor = old.successors.get()
    assert successor.predecessor == old
    assert successor.holder == transfer.party != old.holder
    assert successor.state == LicenceState.ACTIVE
    assert is_valid_number(successor.number) and successor.number != old.number
    assert successor.terms.count() == 1
    only_event(old, Verb.TRANSFERRED, by=senior, from_state="active", to_state="transferred")
    only_event(successor, Verb.ISSUED, by=senior, to_state="active")
    only_event(transfer, Verb.APPROVED, by=senior, from_state="in_review", to_state="approved")
    proposal = DecisionProposal.objects.get(application=transfer)
    assert (proposal.status, proposal.decided_by) == ("confirmed", senior)
    # The old holder and the transferee are each told.
    assert {(n.template, n.recipient) for n in Notification.objects.all()} == {
        ("licence_transferred", old.holder.email),
        ("application_approved", transfer.party.email),
    }
    assert {m.to[0] for m in mailoutbox} == {old.holder.email, transfer.party.email}


def test_a_transfer_needs_a_proposal(refused, senior):
    application = make("in_review", transfer=True, paid=True)
    with refused(ProposalMissing, application):
        apps.approve_application(application_id=application.pk, by=senior)
    assert application.licence.state == LicenceState.ACTIVE


def test_a_transfer_is_confirmed_by_a_senior_officer(refused, transfer, officer2):
    with refused(PermissionDenied, transfer):
        apps.approve_application(application_id=transfer.pk, by=officer2)
    assert Licence.objects.get(pk=transfer.licence_id).state == LicenceState.ACTIVE


def test_a_transfer_is_not_confirmed_by_its_proposer(refused, senior, senior2):
    application = make("in_review", transfer=True, paid=True)
    apps.propose_decision(
        application_id=application.pk, by=senior, action="approve_transfer", reason="Clear."
    )
    with refused(FourEyesViolation, application):
        apps.approve_application(application_id=application.pk, by=senior)
    apps.approve_application(application_id=application.pk, by=senior2)
    assert Application.objects.get(pk=application.pk).state == ApplicationState.APPROVED


def test_a_transfer_proposed_before_an_information_request_is_stale(
    refused, transfer, officer, senior
):
    apps.request_information(application_id=transfer.pk, by=officer, question="Staff list?")
    with refused(StaleProposal, transfer):
        apps.approve_application(application_id=transfer.pk, by=senior)


def test_a_suspended_licence_is_not_transferred(refused, transfer, senior):
    Licence.objects.filter(pk=transfer.licence_id).update(state=LicenceState.SUSPENDED)
    with refused(LicenceNotActive, transfer):
        apps.approve_application(application_id=transfer.pk, by=senior)
    assert not Licence.objects.filter(predecessor=transfer.licence_id).exists()


def test_no_transfer_while_its_fee_is_unpaid(refused, officer, senior):
    application = make("in_review", transfer=True)
    apps.propose_decision(
        application_id=application.pk, by=officer, action="approve_transfer", reason="Clear."
    )
    with refused(FeeUnpaid, application):
        apps.approve_application(application_id=application.pk, by=senior)


# --- approve_application: change of information (Art. 6.3(g)) ----------------------------------


def test_an_approved_change_applies_to_the_licence(officer):
    application = make("in_review", change=True, paid=True, activities=["import", "wholesale"])
    licence = application.licence
    site = SiteFactory(party=application.party)
    application.sites.add(site)
    apps.approve_application(application_id=application.pk, by=officer)
    licence.refresh_from_db()
    assert licence.activities == ["import", "wholesale"]
    assert list(licence.sites.all()) == [site]
    assert licence.state == LicenceState.ACTIVE
    event = only_event(licence, Verb.CHANGE_APPLIED, by=officer)
    assert event.changes["before"]["activities"] == ["import"]
    assert event.changes["after"]["activities"] == ["import", "wholesale"]
    only_event(application, Verb.APPROVED, by=officer, from_state="in_review", to_state="approved")
    assert Licence.objects.count() == 1


def test_a_change_to_a_suspended_licence_is_refused(refused, officer):
    application = make("in_review", change=True, paid=True)
    Licence.objects.filter(pk=application.licence_id).update(state=LicenceState.SUSPENDED)
    with refused(LicenceNotActive, application):
        apps.approve_application(application_id=application.pk, by=officer)
    assert Licence.objects.get(pk=application.licence_id).activities == ["import"]


# --- propose_decision / confirm_refusal / reject_proposal (four eyes) --------------------------


def test_an_officer_proposes_a_refusal_with_a_ground_and_a_reason(officer):
    # Art. 6.3(a), 6.3(b)(vi): the ground in national law is kept with the proposal.
    application = make("in_review")
    proposal = apps.propose_decision(
        application_id=application.pk,
        by=officer,
        action="refuse",
        ground="criminal_record",
        reason="Undeclared conviction.",
    )
    assert (proposal.status, proposal.proposed_by, proposal.subject_state, proposal.ground) == (
        "pending",
        officer,
        "in_review",
        "criminal_record",
    )
    event = only_event(
        application, Verb.DECISION_PROPOSED, by=officer, reason="Undeclared conviction."
    )
    assert event.changes == {"action": "refuse", "ground": "criminal_record"}
    assert Application.objects.get(pk=application.pk).state == ApplicationState.IN_REVIEW


@pytest.mark.parametrize(
    ("state", "action", "error", "who", "reason", "ground"),
    [
        pytest.param("in_review", "refuse", ReasonRequired, "officer", " ", "fees", id="no-reason"),
        # Art. 6.3(a): a refusal names its ground, one the authority knows.
        pytest.param("in_review", "refuse", GroundRequired, "officer", "R", "", id="no-ground"),
        pytest.param("in_review", "refuse", GroundRequired, "officer", "R", "rumour", id="bad"),
        pytest.param("submitted", "refuse", TransitionNotAllowed, "officer", "R", "fees", id="sub"),
        pytest.param("approved", "refuse", TransitionNotAllowed, "officer", "R", "fees", id="appr"),
        pytest.param("in_review", "grant", TransitionNotAllowed, "officer", "R", "", id="grant"),
        pytest.param(
            "in_review", "approve_transfer", TransitionNotAllowed, "officer", "R", "", id="transfer"
        ),
        *[
            pytest.param("in_review", "refuse", PermissionDenied, who, "R", "fees", id=who)
            for who in NOT_OFFICERS
        ],
    ],
)
def test_a_proposal_is_refused(request, refused, state, action, error, who, reason, ground):
    application = make(state)
    with refused(error, application):
        apps.propose_decision(
            application_id=application.pk,
            by=as_role(request, who, application.party),
            action=action,
            ground=ground,
            reason=reason,
        )
    assert not DecisionProposal.objects.exists()


def test_one_pending_proposal_at_a_time(refused, officer, officer2):
    application = make("in_review")
    DecisionProposalFactory(application=application, proposed_by=officer2)
    with refused(TransitionNotAllowed, application):
        apps.propose_decision(
            application_id=application.pk,
            by=officer,
            action="refuse",
            ground="other",
            reason="Again.",
        )
    assert DecisionProposal.objects.count() == 1


@pytest.fixture
def refusal(officer):
    application = make("in_review")
    apps.propose_decision(
        application_id=application.pk,
        by=officer,
        action="refuse",
        ground="other",
        reason="Art. 6.3(b)(vi): conviction for smuggling not declared.",
    )
    return application


def test_a_second_officer_confirms_the_refusal(
    refusal, officer, senior, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True):
        apps.confirm_refusal(application_id=refusal.pk, by=senior)
    refusal.refresh_from_db()
    assert refusal.state == ApplicationState.REFUSED
    assert refusal.decided_at is not None
    reason = "Art. 6.3(b)(vi): conviction for smuggling not declared."
    event = only_event(
        refusal, Verb.REFUSED, by=senior, from_state="in_review", to_state="refused", reason=reason
    )
    assert event.changes == {
        "proposed_by": officer.get_username(),
        "ground": "other",
    }  # Art. 6.3(a)
    proposal = refusal.proposals.get()
    assert (proposal.status, proposal.decided_by) == ("confirmed", senior)
    assert Notification.objects.get(template="application_refused").status == "sent"
    assert reason in mailoutbox[0].body
    assert refusal.reference in mailoutbox[0].subject


def test_the_proposer_cannot_confirm_their_own_refusal(refused, senior, senior2):
    application = make("in_review")
    apps.propose_decision(
        application_id=application.pk, by=senior, action="refuse", ground="other", reason="R."
    )
    with refused(FourEyesViolation, application):
        apps.confirm_refusal(application_id=application.pk, by=senior)
    assert application.proposals.get().status == "pending"


@pytest.mark.parametrize("who", ["officer2", *NOT_OFFICERS])
def test_only_a_senior_officer_confirms_a_refusal(request, refused, refusal, who):
    with refused(PermissionDenied, refusal):
        apps.confirm_refusal(application_id=refusal.pk, by=as_role(request, who, refusal.party))


def test_a_refusal_must_be_proposed_first(refused, senior):
    application = make("in_review")
    with refused(ProposalMissing, application):
        apps.confirm_refusal(application_id=application.pk, by=senior)


def test_no_refusal_outside_review(refused, senior):
    application = make("submitted")
    with refused(TransitionNotAllowed, application):
        apps.confirm_refusal(application_id=application.pk, by=senior)


def test_a_refusal_proposed_before_an_information_request_is_stale(
    refused, refusal, officer, senior
):
    apps.request_information(application_id=refusal.pk, by=officer, question="Court papers?")
    with refused(StaleProposal, refusal):
        apps.confirm_refusal(application_id=refusal.pk, by=senior)


def test_a_refusal_stays_stale_after_the_case_comes_back_to_review(
    refused, refusal, officer, senior
):
    """In review -> information requested -> in review: the state is the same as when the
    refusal was proposed, but the facts are not; the refusal must be proposed again."""
    apps.request_information(application_id=refusal.pk, by=officer, question="Court papers?")
    apps.provide_information(application_id=refusal.pk, by=officer, answer="Attached.")
    with refused(StaleProposal, refusal):
        apps.confirm_refusal(application_id=refusal.pk, by=senior)


def test_a_transfer_stays_stale_after_the_case_comes_back_to_review(
    refused, transfer, officer, senior
):
    apps.request_information(application_id=transfer.pk, by=officer, question="Staff list?")
    apps.provide_information(application_id=transfer.pk, by=officer, answer="Attached.")
    with refused(StaleProposal, transfer):
        apps.approve_application(application_id=transfer.pk, by=senior)


def test_a_senior_officer_rejects_a_proposal_and_the_case_goes_on(refusal, officer, senior):
    proposal = refusal.proposals.get()
    apps.reject_proposal(proposal_id=proposal.pk, by=senior, note="The conviction is spent.")
    proposal.refresh_from_db()
    assert (proposal.status, proposal.decided_by, proposal.decision_note) == (
        "rejected",
        senior,
        "The conviction is spent.",
    )
    event = only_event(
        refusal, Verb.PROPOSAL_REJECTED, by=senior, reason="The conviction is spent."
    )
    assert event.changes == {"action": "refuse", "proposed_by": officer.get_username()}
    assert Application.objects.get(pk=refusal.pk).state == ApplicationState.IN_REVIEW
    PaymentFactory(invoice=refusal.invoice)
    apps.approve_application(application_id=refusal.pk, by=officer)  # no longer blocked


@pytest.mark.parametrize(
    ("proposer", "who", "note", "error"),
    [
        ("officer", "senior", " ", ReasonRequired),
        ("officer", "officer2", "No.", PermissionDenied),
        ("officer", "auditor", "No.", PermissionDenied),
        ("officer", "applicant", "No.", PermissionDenied),
        ("senior", "senior", "No.", FourEyesViolation),
    ],
    ids=["no-note", "officer", "auditor", "applicant", "proposer"],
)
def test_rejecting_a_proposal_is_refused(request, refused, proposer, who, note, error):
    application = make("in_review")
    proposal = apps.propose_decision(
        application_id=application.pk,
        by=request.getfixturevalue(proposer),
        action="refuse",
        ground="other",
        reason="R.",
    )
    with refused(error, proposal, field="status"):
        apps.reject_proposal(
            proposal_id=proposal.pk, by=as_role(request, who, application.party), note=note
        )


def test_a_decided_proposal_cannot_be_rejected(refused, refusal, senior, senior2):
    proposal = refusal.proposals.get()
    apps.confirm_refusal(application_id=refusal.pk, by=senior)
    with refused(TransitionNotAllowed, proposal, field="status"):
        apps.reject_proposal(proposal_id=proposal.pk, by=senior2, note="Too late.")


# --- meet_condition ----------------------------------------------------------------------------


def test_a_met_condition_no_longer_blocks_the_issue(officer):
    application = make("in_review", paid=True)
    condition = ConditionFactory(application=application, blocking=True)
    apps.meet_condition(condition_id=condition.pk, by=officer)
    condition.refresh_from_db()
    assert condition.met_at is not None and condition.met_by == officer
    event = only_event(application, Verb.CONDITION_MET, by=officer)
    assert event.changes == {"condition": condition.text}
    apps.approve_application(application_id=application.pk, by=officer)
    assert Licence.objects.filter(application=application).exists()


def test_a_condition_is_met_once(refused, officer):
    condition = ConditionFactory(blocking=True)
    apps.meet_condition(condition_id=condition.pk, by=officer)
    with refused(TransitionNotAllowed, condition, field="met_at"):
        apps.meet_condition(condition_id=condition.pk, by=officer)


@pytest.mark.parametrize("who", NOT_OFFICERS)
def test_only_officers_record_a_condition_as_met(request, refused, who):
    condition = ConditionFactory(blocking=True)
    with refused(PermissionDenied, condition, field="met_at"):
        apps.meet_condition(
            condition_id=condition.pk, by=as_role(request, who, condition.application.party)
        )
