"""Art. 6.3(f): reminders before a term ends, chasers for unanswered information requests, and
the renewal the reminder's link opens. Time is travelled; the jobs run eagerly here (the real
worker and Redis are in test_reminder_workers.py)."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone

from licensing.models import (
    Application,
    ApplicationKind,
    ApplicationState,
    ExpiryReminder,
    LicenceState,
    Notification,
)
from licensing.services import licences as lic
from licensing.services import reminders
from licensing.services.applications import provide_information
from licensing.tasks import chase_information_requests, send_expiry_reminders
from tests.factories import ApplicationFactory, LicenceFactory, PartyFactory, SiteFactory
from tests.factories.licensing import InformationRequestFactory
from tests.licensing.helpers import local

EXPIRES = dt.date(2027, 3, 1)
TERM = dt.timedelta(days=730)


def expiring(on: dt.date = EXPIRES, **kwargs):
    return LicenceFactory(valid_from=on - TERM, **kwargs)


def travel(time_machine, day: dt.date) -> None:
    time_machine.move_to(local(day, 2), tick=False)


def run_job(captured) -> int:
    with captured(execute=True):
        return send_expiry_reminders.delay().get()


def holder_mails(licence) -> list:
    return [m for m in mail.outbox if m.to == [licence.holder.email]]


@pytest.mark.django_db
def test_each_threshold_fires_once_on_its_day_and_expiry_on_the_day(
    time_machine, django_capture_on_commit_callbacks, officer
):
    """Art. 6.3(f): 90, 60, 30 and 7 days before, each once, whatever the job's runs."""
    officer.email = "officer@authority.example"
    officer.save()
    licence = expiring(issued_by=officer)
    sent_on = {}
    day = EXPIRES - dt.timedelta(days=100)
    while day < EXPIRES:
        travel(time_machine, day)
        run_job(django_capture_on_commit_callbacks)
        run_job(django_capture_on_commit_callbacks)  # a second beat, a retry: nothing more
        for reminder in ExpiryReminder.objects.filter(licence=licence):
            sent_on.setdefault(reminder.threshold, day)
        with django_capture_on_commit_callbacks(execute=True):
            assert lic.expire_due_licences() == 0  # still valid on its last day
        day += dt.timedelta(days=1)

    assert sent_on == {t: EXPIRES - dt.timedelta(days=t) for t in (90, 60, 30, 7)}
    assert ExpiryReminder.objects.filter(licence=licence).count() == 4
    assert all(r.term_expires_on == EXPIRES for r in ExpiryReminder.objects.all())
    # Each reminder once to the holder, once to the officer who issued the licence.
    holder = holder_mails(licence)
    assert len(holder) == 4
    assert len([m for m in mail.outbox if m.to == ["officer@authority.example"]]) == 4
    assert "in 7 days" in holder[-1].body and licence.number in holder[-1].subject
    assert (
        Notification.objects.filter(key__startswith="expiry_reminder:", status="sent").count() == 8
    )

    # The expiry day: the nightly job expires it, and no reminder follows.
    travel(time_machine, EXPIRES)
    with django_capture_on_commit_callbacks(execute=True):
        assert lic.expire_due_licences() == 1
    licence.refresh_from_db()
    assert licence.state == LicenceState.EXPIRED
    assert run_job(django_capture_on_commit_callbacks) == 0


@pytest.mark.django_db
def test_the_reminder_links_to_the_portal_renewal(time_machine, django_capture_on_commit_callbacks):
    licence = expiring()
    travel(time_machine, EXPIRES - dt.timedelta(days=30))
    run_job(django_capture_on_commit_callbacks)
    (message,) = holder_mails(licence)
    link = reminders.renewal_url(licence)
    assert link in message.body
    assert urlsplit(link).path == f"/portal/licences/{licence.public_id}/renew/"


@pytest.mark.django_db
def test_the_holder_renews_from_the_reminder_link_with_a_prefilled_application(
    client, applicant_for, time_machine, django_capture_on_commit_callbacks
):
    """Art. 6.3(f): the link opens the renewal; confirming starts a renewal draft with the
    licence's activities and sites, for the holder, with the holder's current data."""
    holder = PartyFactory()
    site = SiteFactory(party=holder)
    licence = expiring(holder=holder, activities=["retail", "wholesale"])
    licence.sites.set([site])
    travel(time_machine, EXPIRES - dt.timedelta(days=30))
    run_job(django_capture_on_commit_callbacks)
    (message,) = holder_mails(licence)
    path = urlsplit(next(w for w in message.body.split() if "/renew/" in w)).path

    client.force_login(applicant_for(holder))
    page = client.get(path)
    assert page.status_code == 200
    assert licence.number in page.content.decode()
    response = client.post(path)
    assert response.status_code == 302
    application = Application.objects.get(licence=licence, kind=ApplicationKind.RENEWAL)
    assert application.state == ApplicationState.DRAFT
    assert application.party == holder
    assert application.activities == ["retail", "wholesale"]
    assert list(application.sites.all()) == [site]
    # A second click on the same link opens the same draft.
    client.post(path)
    assert Application.objects.filter(licence=licence, kind=ApplicationKind.RENEWAL).count() == 1


@pytest.mark.django_db
def test_the_reminder_link_is_refused_to_another_party(client, applicant_for):
    licence = expiring()
    client.force_login(applicant_for(PartyFactory()))
    path = urlsplit(reminders.renewal_url(licence)).path
    assert client.get(path).status_code == 404
    assert client.post(path).status_code == 404
    assert not Application.objects.filter(licence=licence, kind=ApplicationKind.RENEWAL).exists()


@pytest.mark.django_db
def test_thresholds_by_activity_union_for_several(
    settings, time_machine, django_capture_on_commit_callbacks
):
    settings.EXPIRY_REMINDER_DAYS = {"default": [90, 60, 30, 7], "retail": [60, 30], "export": [45]}
    retail = expiring(activities=["retail"])
    both = expiring(activities=["retail", "export"])
    default = expiring(activities=["import"])
    assert reminders.reminder_days(["retail", "export"]) == [60, 45, 30]
    for days in (90, 60, 45, 30, 7):
        travel(time_machine, EXPIRES - dt.timedelta(days=days))
        run_job(django_capture_on_commit_callbacks)

    def thresholds(licence):
        return sorted(
            ExpiryReminder.objects.filter(licence=licence).values_list("threshold", flat=True)
        )

    assert thresholds(retail) == [30, 60]
    assert thresholds(both) == [30, 45, 60]
    assert thresholds(default) == [7, 30, 60, 90]


@pytest.mark.django_db
def test_a_renewed_licence_is_reminded_for_its_new_term_only(
    officer, time_machine, django_capture_on_commit_callbacks
):
    licence = expiring()
    travel(time_machine, EXPIRES - dt.timedelta(days=30))
    run_job(django_capture_on_commit_callbacks)
    renewal = ApplicationFactory(
        renewal=True, approved=True, licence=licence, party=licence.holder, assigned_officer=officer
    )
    with transaction.atomic():
        lic.renew_licence(application=renewal, by=officer)
    licence.refresh_from_db()
    new_end = licence.expires_on
    assert new_end == EXPIRES + TERM

    # The old term's 7-day reminder is never sent: that term no longer ends.
    travel(time_machine, EXPIRES - dt.timedelta(days=7))
    assert run_job(django_capture_on_commit_callbacks) == 0
    travel(time_machine, new_end - dt.timedelta(days=90))
    assert run_job(django_capture_on_commit_callbacks) == 1
    rows = list(ExpiryReminder.objects.filter(licence=licence).order_by("created_at"))
    assert [(r.term_expires_on, r.threshold) for r in rows] == [(EXPIRES, 30), (new_end, 90)]
    # The officer who decided the renewal gets the new term's copy.
    assert rows[1].officer_notification.recipient == officer.email


@pytest.mark.django_db
@pytest.mark.parametrize("state", ["suspended", "revoked", "expired", "surrendered"])
def test_a_licence_not_active_gets_no_reminder(
    state, time_machine, django_capture_on_commit_callbacks
):
    licence = expiring(**{state: True})
    if state == "expired":
        licence.expires_on = EXPIRES
        licence.save()
    travel(time_machine, EXPIRES - dt.timedelta(days=30))
    assert run_job(django_capture_on_commit_callbacks) == 0
    assert reminders.send_expiry_reminder(licence_id=licence.pk) is None
    assert not ExpiryReminder.objects.exists()
    assert mail.outbox == []


@pytest.mark.django_db
def test_a_missed_threshold_is_sent_late_and_only_the_latest(
    time_machine, django_capture_on_commit_callbacks
):
    """The job was down, or the licence came in late: the reminder of the threshold crossed
    most recently is sent when the job next runs, and the earlier ones are not."""
    licence = expiring()
    travel(time_machine, EXPIRES - dt.timedelta(days=85))
    assert run_job(django_capture_on_commit_callbacks) == 1  # the 90-day one, 5 days late
    travel(time_machine, EXPIRES - dt.timedelta(days=20))  # down since: 60 missed, 30 crossed
    assert run_job(django_capture_on_commit_callbacks) == 1
    assert run_job(django_capture_on_commit_callbacks) == 0
    thresholds = ExpiryReminder.objects.filter(licence=licence).values_list("threshold", flat=True)
    assert sorted(thresholds) == [30, 90]
    (latest,) = [m for m in holder_mails(licence) if "in 20 days" in m.body]
    assert EXPIRES.isoformat() in latest.subject


@pytest.mark.django_db
def test_the_scan_reads_every_batch(time_machine, django_capture_on_commit_callbacks):
    licences = [expiring() for _ in range(5)]
    travel(time_machine, EXPIRES - dt.timedelta(days=60))
    with django_capture_on_commit_callbacks(execute=True):
        assert reminders.send_due_expiry_reminders(batch_size=2) == 5
    assert ExpiryReminder.objects.filter(licence__in=licences, threshold=60).count() == 5
    assert reminders.send_due_expiry_reminders(batch_size=2) == 0


@pytest.mark.django_db
def test_the_reminder_is_in_the_holders_language(
    compiled_messages, time_machine, django_capture_on_commit_callbacks
):
    licence = expiring(holder=PartyFactory(preferred_language="nb"))
    travel(time_machine, EXPIRES - dt.timedelta(days=7))
    run_job(django_capture_on_commit_callbacks)
    (message,) = holder_mails(licence)
    assert message.subject == f"Bevilling {licence.number} utløper 2027-02-22".replace(
        "2027-02-22", EXPIRES.isoformat()
    )
    assert "om 7 dager" in message.body


@pytest.mark.django_db
def test_the_officers_copy_falls_back_to_the_configured_address(
    settings, time_machine, django_capture_on_commit_callbacks
):
    settings.EXPIRY_REMINDER_OFFICER_EMAIL = "desk@authority.example"
    licence = expiring(issued_by=None, application=None)
    travel(time_machine, EXPIRES - dt.timedelta(days=7))
    run_job(django_capture_on_commit_callbacks)
    (officer_mail,) = [m for m in mail.outbox if m.to == ["desk@authority.example"]]
    assert licence.number in officer_mail.body and str(licence.holder) in officer_mail.body
    assert f"/admin/licensing/licence/{licence.pk}/change/" in officer_mail.body

    settings.EXPIRY_REMINDER_OFFICER_EMAIL = ""
    other = expiring(EXPIRES + dt.timedelta(days=1), issued_by=None, application=None)
    travel(time_machine, EXPIRES + dt.timedelta(days=1) - dt.timedelta(days=7))
    run_job(django_capture_on_commit_callbacks)
    assert ExpiryReminder.objects.get(licence=other).officer_notification is None


# Chasers for unanswered information requests.


def chase(captured) -> int:
    with captured(execute=True):
        return chase_information_requests.delay().get()


@pytest.mark.django_db
def test_an_unanswered_request_is_chased_once_per_threshold(
    settings, time_machine, django_capture_on_commit_callbacks
):
    settings.INFORMATION_CHASER_DAYS = [25, 14]
    start = dt.date(2026, 12, 1)
    travel(time_machine, start)
    request = InformationRequestFactory(due_on=start + dt.timedelta(days=30))
    answered = InformationRequestFactory(due_on=start + dt.timedelta(days=30))
    queued = {}
    for offset in range(0, 41):
        travel(time_machine, start + dt.timedelta(days=offset))
        if offset == 3:
            provide_information(
                application_id=answered.application_id, by=answered.requested_by, answer="Here."
            )
        queued[offset] = chase(django_capture_on_commit_callbacks)
        assert chase(django_capture_on_commit_callbacks) == 0  # a second run sends nothing
    assert {day: n for day, n in queued.items() if n} == {14: 1, 25: 1}
    to_applicant = [m for m in mail.outbox if m.to == [request.application.party.email]]
    assert len(to_applicant) == 2
    assert request.question in to_applicant[0].body
    assert request.application.reference in to_applicant[0].subject
    assert not [m for m in mail.outbox if m.to == [answered.application.party.email]]


@pytest.mark.django_db
def test_a_request_found_late_is_chased_once(
    settings, time_machine, django_capture_on_commit_callbacks
):
    settings.INFORMATION_CHASER_DAYS = [25, 14]
    start = dt.date(2026, 12, 1)
    travel(time_machine, start)
    InformationRequestFactory(due_on=start + dt.timedelta(days=30))
    travel(time_machine, start + dt.timedelta(days=30))
    assert chase(django_capture_on_commit_callbacks) == 1
    assert chase(django_capture_on_commit_callbacks) == 0
    assert Notification.objects.filter(key__startswith="information_chaser:").count() == 1
    assert timezone.localdate() == start + dt.timedelta(days=30)
