"""Art. 6.3(f): the reminder job against real Celery workers on a real Redis. Run twice at
once, killed with SIGKILL half way, its Redis restarted half way: every due reminder is sent,
and each exactly once. The workers are subprocesses on a private Redis (worker_processes.py);
their mail goes to files, counted here."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from licensing.models import ExpiryReminder, Notification, NotificationStatus
from licensing.tasks import send_expiry_reminders, sweep_notifications
from tests.factories import LicenceFactory, PartyFactory, UserFactory
from tests.licensing.worker_processes import Cluster, wait_for

TERM = dt.timedelta(days=730)
pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def due_licences(count: int) -> list:
    """``count`` active licences reaching their 30-day threshold today, each with its own
    holder, all issued by one officer (who gets a copy of each reminder)."""
    officer = UserFactory(role="licence officer", email="officer@authority.example")
    end = timezone.localdate() + dt.timedelta(days=30)
    return [
        LicenceFactory(valid_from=end - TERM, holder=PartyFactory(), issued_by=officer)
        for _ in range(count)
    ]


def all_sent(count: int) -> bool:
    reminders = ExpiryReminder.objects.count()
    unsent = Notification.objects.exclude(status=NotificationStatus.SENT).count()
    return reminders == count and unsent == 0


def assert_each_sent_once(cluster: Cluster, licences: list) -> None:
    sent = cluster.sent_mail()
    expected = {
        (licence.holder.email, f"Licence {licence.number} expires on {licence.expires_on}")
        for licence in licences
    }
    assert {key for key in sent if key[0] != "officer@authority.example"} == expected
    assert all(n == 1 for n in sent.values()), {k: n for k, n in sent.items() if n != 1}
    assert sum(sent.values()) == 2 * len(licences)  # the holder's and the officer's
    assert ExpiryReminder.objects.count() == len(licences)
    assert Notification.objects.filter(status=NotificationStatus.SENT).count() == 2 * len(licences)


def test_the_job_run_twice_at_once_sends_each_reminder_once(cluster):
    licences = due_licences(60)
    cluster.start_worker("one")
    cluster.start_worker("two")
    # Two beats, or a beat and an operator: the same job twice, one on each worker.
    cluster.send(send_expiry_reminders)
    cluster.send(send_expiry_reminders)
    wait_for(lambda: all_sent(60), timeout=120, what="every reminder sent")
    logs = [worker.log.read_text() for worker in cluster.workers]
    assert all("send_expiry_reminders" in log for log in logs), "each worker ran the job"
    assert_each_sent_once(cluster, licences)


def test_a_worker_killed_half_way_leaves_every_reminder_sent_once(cluster):
    licences = due_licences(300)
    worker = cluster.start_worker("first")
    cluster.send(send_expiry_reminders)
    written = wait_for(
        lambda: (n := ExpiryReminder.objects.count()) >= 20 and n,
        timeout=60,
        what="the job half way",
    )
    worker.kill()
    killed_at = ExpiryReminder.objects.count()
    assert written <= killed_at < 300, "killed in the middle of the batch"

    # Started again: the job's message, never acknowledged, is delivered again after the
    # visibility timeout; beat's next tick and the sweeper do what a lost message left.
    cluster.start_worker("second")
    cluster.send(send_expiry_reminders)
    cluster.send(sweep_notifications)
    wait_for(lambda: ExpiryReminder.objects.count() == 300, timeout=120, what="every reminder")
    cluster.send(sweep_notifications)
    wait_for(lambda: all_sent(300), timeout=120, what="every reminder sent")
    assert_each_sent_once(cluster, licences)


def test_redis_restarted_half_way_loses_nothing_once_the_sweeper_has_run(cluster):
    licences = due_licences(300)
    cluster.start_worker("worker")
    cluster.send(send_expiry_reminders)
    wait_for(lambda: ExpiryReminder.objects.count() >= 20, timeout=60, what="the job half way")
    cluster.redis.restart()  # every queued message is gone: the job's and the e-mails'
    assert ExpiryReminder.objects.count() < 300, "restarted in the middle of the run"

    # The worker reconnects by itself. What beat does next: the job again, and the sweeper.
    cluster.send(send_expiry_reminders)
    wait_for(lambda: ExpiryReminder.objects.count() == 300, timeout=120, what="every reminder")
    cluster.send(sweep_notifications)
    wait_for(lambda: all_sent(300), timeout=120, what="every reminder sent")
    assert_each_sent_once(cluster, licences)
