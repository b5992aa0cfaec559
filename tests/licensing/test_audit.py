"""The audit trail is append-only and complete: every transition writes exactly one event per
record it changes; nothing updates or deletes an event; records are never deleted (Art. 9.5(a))."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from licensing.exceptions import AuditTrailIsAppendOnly, RecordsAreKept
from licensing.models import AuditEvent, SubmissionSnapshot, Verb
from licensing.services import applications as apps
from licensing.services import licences as lic
from licensing.services.access import grant_party_access
from licensing.services.fees import record_payment
from tests import factories as f
from tests.licensing.helpers import local

pytestmark = pytest.mark.django_db

Scenario = Callable[[Any], tuple[Callable[[], Any], dict[str, int]]]


def _create(u):
    party = f.PartyFactory()
    return (
        lambda: apps.create_application(party=party, kind="new", activities=["retail"], by=u.o),
        {Verb.CREATED: 1},
    )


def _declare(u):
    a = f.ApplicationFactory()
    return lambda: apps.accept_declaration(application_id=a.pk, by=u.o), {Verb.EDITED: 1}


def _submit(u):
    a = f.ApplicationFactory(declared=True)
    # The fee invoice (Art. 6.3(c)) is its own event on the application.
    return (
        lambda: apps.submit_application(application_id=a.pk, by=u.o),
        {Verb.SUBMITTED: 1, Verb.INVOICE_ISSUED: 1},
    )


def _review(u):
    a = f.ApplicationFactory(submitted=True)
    return lambda: apps.start_review(application_id=a.pk, by=u.o), {Verb.REVIEW_STARTED: 1}


def _ask(u):
    a = f.ApplicationFactory(in_review=True)
    return (
        lambda: apps.request_information(application_id=a.pk, by=u.o, question="Lease?"),
        {Verb.INFORMATION_REQUESTED: 1},
    )


def _answer(u):
    a = f.ApplicationFactory(information_requested=True)
    return (
        lambda: apps.provide_information(application_id=a.pk, by=u.o, answer="Attached."),
        {Verb.INFORMATION_PROVIDED: 1},
    )


def _withdraw(u):
    a = f.ApplicationFactory(submitted=True)
    return lambda: apps.withdraw_application(application_id=a.pk, by=u.o), {Verb.WITHDRAWN: 1}


def _pay(u):
    a = f.ApplicationFactory(in_review=True)
    return (
        lambda: record_payment(
            invoice_id=a.invoice.pk,
            by=u.o,
            reference="R-1",
            amount=Decimal("1.00"),
            paid_on=timezone.localdate(),
        ),
        {Verb.PAYMENT_RECORDED: 1},
    )


def _approve_new(u):
    a = f.ApplicationFactory(in_review=True, paid=True)
    return (
        lambda: apps.approve_application(application_id=a.pk, by=u.o),
        {Verb.APPROVED: 1, Verb.ISSUED: 1},
    )


def _approve_renewal(u):
    a = f.ApplicationFactory(in_review=True, renewal=True, paid=True)
    return (
        lambda: apps.approve_application(application_id=a.pk, by=u.o),
        {Verb.APPROVED: 1, Verb.RENEWED: 1},
    )


def _approve_change(u):
    a = f.ApplicationFactory(in_review=True, change=True, paid=True)
    return (
        lambda: apps.approve_application(application_id=a.pk, by=u.o),
        {Verb.APPROVED: 1, Verb.CHANGE_APPLIED: 1},
    )


def _approve_transfer(u):
    a = f.ApplicationFactory(in_review=True, transfer=True, paid=True)
    apps.propose_decision(application_id=a.pk, by=u.o, action="approve_transfer", reason="Ok.")
    # Art. 6.4: the old licence closes and a successor is issued.
    return (
        lambda: apps.approve_application(application_id=a.pk, by=u.s),
        {Verb.APPROVED: 1, Verb.TRANSFERRED: 1, Verb.ISSUED: 1},
    )


def _propose_refusal(u):
    a = f.ApplicationFactory(in_review=True)
    return (
        lambda: apps.propose_decision(
            application_id=a.pk, by=u.o, action="refuse", ground="other", reason="R."
        ),
        {Verb.DECISION_PROPOSED: 1},
    )


def _confirm_refusal(u):
    a = f.ApplicationFactory(in_review=True)
    apps.propose_decision(application_id=a.pk, by=u.o, action="refuse", ground="other", reason="R.")
    return lambda: apps.confirm_refusal(application_id=a.pk, by=u.s), {Verb.REFUSED: 1}


def _reject_proposal(u):
    a = f.ApplicationFactory(in_review=True)
    p = apps.propose_decision(
        application_id=a.pk, by=u.o, action="refuse", ground="other", reason="R."
    )
    return (
        lambda: apps.reject_proposal(proposal_id=p.pk, by=u.s, note="No."),
        {Verb.PROPOSAL_REJECTED: 1},
    )


def _meet_condition(u):
    c = f.ConditionFactory(blocking=True)
    return lambda: apps.meet_condition(condition_id=c.pk, by=u.o), {Verb.CONDITION_MET: 1}


def _suspend(u):
    licence = f.LicenceFactory()
    return (
        lambda: lic.suspend_licence(licence_id=licence.pk, by=u.o, ground="other", reason="R."),
        {Verb.SUSPENDED: 1},
    )


def _reinstate(u):
    licence = f.LicenceFactory(suspended=True)
    return lambda: lic.reinstate_licence(licence_id=licence.pk, by=u.o), {Verb.REINSTATED: 1}


def _propose_revocation(u):
    licence = f.LicenceFactory()
    return (
        lambda: lic.propose_revocation(licence_id=licence.pk, by=u.o, ground="other", reason="R."),
        {Verb.DECISION_PROPOSED: 1},
    )


def _confirm_revocation(u):
    licence = f.LicenceFactory()
    lic.propose_revocation(licence_id=licence.pk, by=u.o, ground="other", reason="R.")
    return lambda: lic.confirm_revocation(licence_id=licence.pk, by=u.s), {Verb.REVOKED: 1}


def _surrender(u):
    licence = f.LicenceFactory()
    return lambda: lic.surrender_licence(licence_id=licence.pk, by=u.o), {Verb.SURRENDERED: 1}


def _expire(u):
    f.LicenceFactory(valid_from=timezone.localdate() - dt.timedelta(days=730))
    return lambda: lic.expire_due_licences(), {Verb.EXPIRED: 1}


def _grant_access(u):
    party, user = f.PartyFactory(), f.UserFactory(is_staff=False, role="applicant")
    return (
        lambda: grant_party_access(party=party, user=user, by=u.o),
        {Verb.ACCESS_GRANTED: 1},
    )


SCENARIOS: dict[str, Scenario] = {
    func.__name__.lstrip("_"): func
    for func in (
        _create,
        _declare,
        _submit,
        _review,
        _ask,
        _answer,
        _withdraw,
        _pay,
        _approve_new,
        _approve_renewal,
        _approve_change,
        _approve_transfer,
        _propose_refusal,
        _confirm_refusal,
        _reject_proposal,
        _meet_condition,
        _suspend,
        _reinstate,
        _propose_revocation,
        _confirm_revocation,
        _surrender,
        _expire,
        _grant_access,
    )
}


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_each_transition_writes_exactly_one_event(scenario, officer, senior):
    action, expected = SCENARIOS[scenario](SimpleNamespace(o=officer, s=senior))
    before = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    action()
    written = AuditEvent.objects.filter(pk__gt=before)
    assert Counter(written.values_list("verb", flat=True)) == expected
    for event in written:
        assert event.at is not None and event.at.utcoffset() == dt.timedelta(0)  # UTC
        assert event.actor_label
        assert event.object_repr


@pytest.fixture
def event(officer):
    licence = f.LicenceFactory()
    lic.suspend_licence(licence_id=licence.pk, by=officer, ground="other", reason="Stock missing.")
    return AuditEvent.objects.get(verb=Verb.SUSPENDED)


def test_an_event_cannot_be_changed_by_save(event):
    event.reason = "Nothing happened."
    with pytest.raises(AuditTrailIsAppendOnly):
        event.save()
    assert AuditEvent.objects.get(pk=event.pk).reason == "Stock missing."


def test_events_cannot_be_changed_by_a_queryset_update(event):
    with pytest.raises(AuditTrailIsAppendOnly):
        AuditEvent.objects.filter(pk=event.pk).update(reason="Nothing happened.")
    assert AuditEvent.objects.get(pk=event.pk).reason == "Stock missing."


def test_an_event_cannot_be_deleted(event):
    with pytest.raises(AuditTrailIsAppendOnly):
        event.delete()
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_events_cannot_be_deleted_by_a_queryset(event):
    count = AuditEvent.objects.count()
    with pytest.raises(AuditTrailIsAppendOnly):
        AuditEvent.objects.all().delete()
    with pytest.raises(AuditTrailIsAppendOnly):
        AuditEvent.objects.filter(pk=event.pk).delete()
    assert AuditEvent.objects.count() == count


@pytest.mark.postgresql
@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE licensing_auditevent SET reason = 'Nothing happened.' WHERE id = %s",
        "DELETE FROM licensing_auditevent WHERE id = %s",
    ],
    ids=["update", "delete"],
)
def test_the_database_refuses_raw_sql_on_the_audit_table(event, sql):
    # Migration 0002: a trigger refuses whatever code or tool connects.
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql, [event.pk])
    assert AuditEvent.objects.get(pk=event.pk).reason == "Stock missing."


@pytest.mark.parametrize(
    "factory",
    [
        f.PartyFactory,
        f.PersonFactory,
        f.BankAccountFactory,
        f.SiteFactory,
        f.ApplicationFactory,
        f.InvoiceFactory,
        f.PaymentFactory,
        f.LicenceFactory,
        f.LicenceTermFactory,
        f.ConditionFactory,
        f.DecisionProposalFactory,
        f.DocumentFactory,
    ],
    ids=lambda fac: fac._meta.model.__name__,
)
def test_records_are_never_deleted(factory):
    # Art. 9.5(a): records are kept (at least four years); this system never deletes them.
    obj = factory()
    model = type(obj)
    with pytest.raises(RecordsAreKept):
        obj.delete()
    with pytest.raises(RecordsAreKept):
        model.objects.filter(pk=obj.pk).delete()
    assert model.objects.filter(pk=obj.pk).exists()


def test_a_submission_snapshot_is_never_changed_or_deleted(officer):
    application = f.ApplicationFactory(declared=True)
    apps.submit_application(application_id=application.pk, by=officer)
    snapshot = SubmissionSnapshot.objects.get(application=application)
    snapshot.data = {"forged": True}
    with pytest.raises(AuditTrailIsAppendOnly):
        snapshot.save()
    with pytest.raises(Exception, match="cannot be deleted"):
        snapshot.delete()
    assert SubmissionSnapshot.objects.get(pk=snapshot.pk).data != {"forged": True}


def test_an_event_records_the_requests_ip_address(officer):
    # The middleware puts REMOTE_ADDR in the audit context for the length of a request.
    from licensing.services.audit import request_ip

    licence = f.LicenceFactory()
    token = request_ip.set("192.0.2.10")
    try:
        lic.suspend_licence(licence_id=licence.pk, by=officer, ground="other", reason="R.")
    finally:
        request_ip.reset(token)
    assert AuditEvent.objects.get(verb=Verb.SUSPENDED).ip == "192.0.2.10"


def test_the_expiry_job_is_recorded_as_the_system(time_machine):
    licence = f.LicenceFactory()
    time_machine.move_to(local(licence.expires_on, 3), tick=False)
    lic.expire_due_licences()
    event = AuditEvent.objects.get(verb=Verb.EXPIRED)
    assert (event.actor, event.actor_label) == (None, "system")
