"""E-mail to applicants and licensees: a row written with the decision, sent once after commit,
kept as failed when the mail server refuses it, and picked up again by the sweeper."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from smtplib import SMTPServerDisconnected

import pytest
from django.core.mail.backends.base import BaseEmailBackend
from django.utils import timezone

from licensing.models import Licence, Notification, NotificationStatus
from licensing.services import licences as lic
from licensing.services.notifications import (
    queue_notification,
    render_notification,
    send_notification,
    unsent_notification_ids,
)
from licensing.tasks import sweep_notifications
from tests.factories import LicenceFactory, PartyFactory

pytestmark = pytest.mark.django_db

# Mail about an account (confirming an address, a password reset, an invitation) names no
# case: tests/portal/test_accounts.py checks those.
ACCOUNT_TEMPLATES = {
    "verify_email",
    "email_change",
    "email_changed",
    "password_reset",
    "invitation",
    # A change to how the user signs in (ASVS V6.3.7): tests/twofactor/test_account_mail.py
    # and tests/portal/test_accounts.py check those.
    "password_changed",
    "factor_enrolled",
    "factor_removed",
    "recovery_codes_issued",
    "factor_reset",
    "factor_reset_requested",
}
# Alerts to staff about the system itself name no case: the audit chain's alert is checked in
# tests/licensing/test_audit_chain.py, a document that could not be signed in
# tests/documents/test_signing.py.
STAFF_ALERTS = {"audit_chain_broken", "signing_failed"}
TEMPLATES = sorted(
    path.stem
    for path in (
        Path(__file__).resolve().parents[2] / "licensing" / "templates" / "licensing" / "email"
    ).glob("*.txt")
    if not path.name.startswith("_") and path.stem not in ACCOUNT_TEMPLATES | STAFF_ALERTS
)


class RefusingBackend(BaseEmailBackend):
    """A mail server that hangs up."""

    def send_messages(self, email_messages):
        raise SMTPServerDisconnected("Connection unexpectedly closed")


@pytest.fixture
def suspended(officer, django_capture_on_commit_callbacks):
    """A suspension whose e-mail is queued, its task not yet run (callbacks not executed)."""
    licence = LicenceFactory()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        lic.suspend_licence(
            licence_id=licence.pk, by=officer, ground="other", reason="Stock missing."
        )
    assert callbacks  # the send is registered for after the commit, not run inside it
    return Notification.objects.get(template="licence_suspended")


def test_the_notification_is_written_with_the_decision_and_sent_after_commit(suspended, mailoutbox):
    assert suspended.status == NotificationStatus.QUEUED
    licence = Licence.objects.get(number=suspended.context["licence"])
    assert (suspended.recipient, suspended.language) == (licence.holder.email, "en")
    assert suspended.context["reason"] == "Stock missing."
    assert suspended.event.verb == "suspended"
    assert mailoutbox == []


def test_sending_twice_sends_one_mail(suspended, mailoutbox):
    assert send_notification(notification_id=suspended.pk) is True
    assert send_notification(notification_id=suspended.pk) is False
    assert len(mailoutbox) == 1
    suspended.refresh_from_db()
    assert (suspended.status, suspended.attempts) == (NotificationStatus.SENT, 1)
    assert suspended.sent_at is not None


def test_queueing_the_same_key_twice_makes_one_notification():
    party = PartyFactory()
    first = queue_notification(
        key="licence_suspended:1", template="licence_suspended", party=party, context={}
    )
    second = queue_notification(
        key="licence_suspended:1", template="licence_suspended", party=party, context={}
    )
    assert first.pk == second.pk
    assert Notification.objects.count() == 1


def test_a_refused_mail_leaves_the_row_failed_and_the_sweeper_sends_it_later(
    suspended, settings, mailoutbox, time_machine
):
    settings.EMAIL_BACKEND = f"{__name__}.RefusingBackend"
    with pytest.raises(SMTPServerDisconnected):
        send_notification(notification_id=suspended.pk)
    suspended.refresh_from_db()
    assert suspended.status == NotificationStatus.FAILED
    assert suspended.attempts == 1
    assert suspended.last_error == "SMTPServerDisconnected: Connection unexpectedly closed"
    assert suspended.pk not in unsent_notification_ids()  # not at once: the task retries first

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    time_machine.move_to(timezone.now() + dt.timedelta(minutes=3), tick=False)
    assert unsent_notification_ids() == [suspended.pk]
    assert sweep_notifications.delay().get() == 1  # re-enqueues; the send runs eagerly here
    suspended.refresh_from_db()
    assert (suspended.status, suspended.attempts, suspended.last_error) == ("sent", 2, "")
    assert len(mailoutbox) == 1
    assert sweep_notifications.delay().get() == 0  # nothing left: a second sweep sends nothing
    assert len(mailoutbox) == 1


def test_the_sweeper_finds_a_notification_whose_message_was_lost(suspended, time_machine):
    time_machine.move_to(timezone.now() + dt.timedelta(minutes=3), tick=False)
    assert unsent_notification_ids() == [suspended.pk]


def test_the_sweeper_gives_up_after_ten_attempts(suspended, time_machine):
    Notification.objects.filter(pk=suspended.pk).update(
        status=NotificationStatus.FAILED, attempts=10
    )
    time_machine.move_to(timezone.now() + dt.timedelta(minutes=3), tick=False)
    assert unsent_notification_ids() == []


CONTEXT = {
    "authority": "Tobacco Licensing Authority",
    "portal_url": "https://portal.authority.example",
    "party_name": "Nordlys Tobakk AS",
    "reference": "A-2026-000042-7",
    "licence": "TL-2026-000017-K",
    "successor": "TL-2026-000018-C",
    "transferee": "Elbe Tabakhandel GmbH",
    "reason": "Art. 6.3(a): unstamped stock in bay 7.",
    "question": "Send the lease of the warehouse.",
    "due_on": "2026-12-24",
    "days_left": 7,
    "renewal_url": "https://portal.example/portal/licences/UUID/renew/",
    "admin_url": "https://portal.example/admin/licensing/licence/1/change/",
    "requested_on": "2026-03-01",
    "amount": "3000.00",
    "currency": "EUR",
    "invoice": "F-2026-000042-3",
    "kind": "new",
    "valid_from": "2026-11-25",
    "expires_on": "2028-11-24",
    "grace_ends_on": "2027-02-22",
}


def test_there_is_a_template_for_every_notification_the_services_send():
    assert set(TEMPLATES) >= {
        "application_submitted",
        "application_approved",
        "application_refused",
        "application_withdrawn",
        "information_requested",
        "licence_suspended",
        "licence_reinstated",
        "licence_revoked",
        "licence_surrendered",
        "licence_transferred",
        "licence_expired",
    }


@pytest.mark.parametrize("template", TEMPLATES)
def test_each_template_renders_a_subject_and_a_body_naming_the_case(template):
    notification = Notification(template=template, language="en", context=CONTEXT)
    subject, body = render_notification(notification)
    assert subject and body.strip()
    assert "\n" not in subject
    about_an_application = template.startswith(("application", "information"))
    assert CONTEXT["reference" if about_an_application else "licence"] in subject
    assert CONTEXT["party_name"] in body
    assert CONTEXT["authority"] in body
    assert "{{" not in body and "{%" not in body


@pytest.mark.parametrize("kind", ["new", "renewal", "transfer", "change"])
def test_the_approval_says_what_was_approved(kind):
    notification = Notification(
        template="application_approved", language="en", context={**CONTEXT, "kind": kind}
    )
    _, body = render_notification(notification)
    assert CONTEXT["licence"] in body
    assert CONTEXT["reference"] in body


@pytest.mark.parametrize(
    "template", ["application_refused", "licence_revoked", "licence_suspended"]
)
def test_an_adverse_decision_gives_its_reason(template):
    _, body = render_notification(Notification(template=template, language="en", context=CONTEXT))
    assert CONTEXT["reason"] in body
