"""The nightly expiry job (Art. 6.3(f)) and the notification task: idempotent, safe to run twice,
and run once for real by an in-process Celery worker on Redis."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from licensing.models import AuditEvent, LicenceState, Notification, NotificationStatus, Verb
from licensing.services import licences as lic
from licensing.tasks import expire_due_licences, send_notification_task
from tests.factories import LicenceFactory
from tests.licensing.helpers import local

TERM = dt.timedelta(days=730)


def expiring(on: dt.date, **kwargs):
    return LicenceFactory(valid_from=on - TERM, **kwargs)


@pytest.fixture
def licences():
    """Licences around 1 December 2026: two due, one due tomorrow, two not active."""
    day = dt.date(2026, 12, 1)
    return {
        "due_today": expiring(day),
        "overdue": expiring(day - dt.timedelta(days=3)),
        "tomorrow": expiring(day + dt.timedelta(days=1)),
        "suspended": expiring(day - dt.timedelta(days=1), suspended=True),
        "revoked": expiring(day - dt.timedelta(days=1), revoked=True),
    }


@pytest.mark.django_db
def test_the_job_expires_only_due_active_licences_once(licences, time_machine):
    time_machine.move_to(local(dt.date(2026, 12, 1), 1), tick=False)
    assert lic.expire_due_licences(batch_size=1) == 2  # small batches: every page is read
    states = {name: type(x).objects.get(pk=x.pk).state for name, x in licences.items()}
    assert states == {
        "due_today": LicenceState.EXPIRED,
        "overdue": LicenceState.EXPIRED,
        "tomorrow": LicenceState.ACTIVE,
        "suspended": LicenceState.SUSPENDED,
        "revoked": LicenceState.REVOKED,
    }
    for name in ("due_today", "overdue"):
        assert AuditEvent.objects.for_object(licences[name]).filter(verb=Verb.EXPIRED).count() == 1
    events = AuditEvent.objects.count()
    notifications = Notification.objects.count()

    assert lic.expire_due_licences() == 0  # a second run (a retry, a second beat) changes nothing
    assert AuditEvent.objects.count() == events
    assert Notification.objects.count() == notifications == 2


@pytest.mark.django_db
def test_the_task_runs_the_job_for_today(licences, time_machine):
    time_machine.move_to(local(dt.date(2026, 12, 2), 1), tick=False)
    assert expire_due_licences.delay().get() == 3  # eager here; "tomorrow" is due now too
    assert expire_due_licences.delay().get() == 0


@pytest.mark.django_db
def test_a_licence_renewed_after_it_was_listed_is_not_expired(officer, time_machine):
    licence = expiring(dt.date(2026, 12, 1))
    time_machine.move_to(local(dt.date(2026, 12, 1), 1), tick=False)
    type(licence).objects.filter(pk=licence.pk).update(expires_on=dt.date(2028, 12, 1))
    assert lic.expire_licence(licence_id=licence.pk, today=dt.date(2026, 12, 1)) is False
    assert type(licence).objects.get(pk=licence.pk).state == LicenceState.ACTIVE


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_expires_licences_and_sends_the_mail(celery_worker):
    """Through Redis and a worker thread with its own database connection."""
    today = timezone.localdate()
    due = expiring(today)
    later = expiring(today + dt.timedelta(days=30))

    assert expire_due_licences.delay().get(timeout=30) == 1
    assert type(due).objects.get(pk=due.pk).state == LicenceState.EXPIRED
    assert type(later).objects.get(pk=later.pk).state == LicenceState.ACTIVE
    assert AuditEvent.objects.for_object(due).get(verb=Verb.EXPIRED).actor is None
    notification = Notification.objects.get(template="licence_expired")

    # The job's own on-commit send went through the broker too; a second delivery sends nothing.
    assert send_notification_task.delay(notification.pk).get(timeout=30) in (True, False)
    assert send_notification_task.delay(notification.pk).get(timeout=30) is False
    notification.refresh_from_db()
    assert (notification.status, notification.attempts) == (NotificationStatus.SENT, 1)
    assert [m.to for m in mail.outbox] == [[due.holder.email]]
    assert expire_due_licences.delay().get(timeout=30) == 0
