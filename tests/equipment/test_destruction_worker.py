"""Art. 6.3(i): the destruction reminders are sent exactly once even when a real Celery worker
is killed (SIGKILL) half way through the job and the job is run again after a restart.

The worker is a separate process (``celery -A licensing worker``) on Redis and on the test's
PostgreSQL database, so that it can be killed like a crashed machine; its mail goes to files,
one per message, which the test counts."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from email import message_from_bytes
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.db import connection
from django.utils import timezone

from equipment.models import DestructionOrder, OrderState
from equipment.services import destruction_jobs
from licensing.models import Notification, NotificationStatus
from licensing.services import notifications
from licensing.tasks import send_notification_task
from tests.conftest import REDIS_URL
from tests.factories import MachineFactory, ManufacturingLicenceFactory, SiteFactory

ORDERS = 300  # enough that the kill comes half way even on a busy machine
WAIT = 30.0


def database_url() -> str:
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


def start_worker(var_dir: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "REDIS_URL": REDIS_URL,
        "DJANGO_VAR_DIR": str(var_dir),
        "DJANGO_EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
    }
    # One task at a time: the job's sends wait in the queue until the job is done, so a kill
    # during the job stops it between two orders' reminder rows.
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "licensing", "worker", "--pool=solo",
         "--loglevel=WARNING", "--without-gossip", "--without-mingle", "--without-heartbeat"],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip


def wait_for(predicate, what: str) -> None:
    deadline = time.monotonic() + WAIT
    while not predicate():
        if time.monotonic() > deadline:
            states = Counter(reminders().values_list("status", flat=True))
            pytest.fail(f"timed out waiting for {what}: reminders {dict(states)}")
        time.sleep(0.02)


def reminders() -> Notification:
    return Notification.objects.filter(key__startswith="destruction-reminder:")


def mails(var_dir: Path) -> Counter[tuple[str, str, str]]:
    """Each message the worker wrote (recipient, subject, body: the body names the order),
    counted."""
    found: Counter[tuple[str, str, str]] = Counter()
    for path in (var_dir / "mail").glob("*.log"):
        for chunk in path.read_bytes().split(b"-" * 79):
            if chunk.strip():
                message = message_from_bytes(chunk.strip())
                body = message.get_payload(decode=True) or b""
                found[(str(message["To"]), str(message["Subject"]), body.decode())] += 1
    return found


@pytest.mark.worker
@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_half_way_sends_each_reminder_once(tmp_path, inspector):
    from equipment.tasks import run_destruction_jobs

    licence = ManufacturingLicenceFactory()
    site = SiteFactory(party=licence.holder)
    planned = timezone.localdate() + dt.timedelta(days=3)  # within the reminder window
    for _ in range(ORDERS):
        machine = MachineFactory(licence=licence, site=site, state="destruction_scheduled")
        order = DestructionOrder.objects.create(
            origin="holder",
            licence=licence,
            site=site,
            method="shredding",
            planned_on=planned,
            requested_by=inspector,
            inspector=inspector,
            state=OrderState.SCHEDULED,
        )
        order.machines.set([machine])
    expected = 2 * ORDERS  # the holder and the inspector, per order

    worker = start_worker(tmp_path)
    try:
        run_destruction_jobs.delay()
        wait_for(lambda: reminders().count() >= 10, "the job to start writing reminders")
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=10)
    finally:
        if worker.poll() is None:
            worker.kill()
    written = reminders().count()
    assert 0 < written < expected, "the worker was not killed half way"
    assert not reminders().filter(status=NotificationStatus.SENT).exists()

    worker = start_worker(tmp_path)
    try:
        run_destruction_jobs.delay()  # the next beat tick
        wait_for(lambda: reminders().count() == expected, "the rerun to write every reminder")
        # A kill between a commit and its ``delay`` loses that row's message: the core's
        # sweeper (``sweep_notifications``, every few minutes) queues it again; here at once.
        for pk in notifications.unsent_notification_ids(older_than_seconds=0):
            send_notification_task.delay(pk)
        wait_for(
            lambda: reminders().filter(status=NotificationStatus.SENT).count() == expected,
            "every reminder to be sent",
        )
        wait_for(lambda: sum(mails(tmp_path).values()) >= expected, "the mail files")
        # And once more (a second beat tick, here in the test's process): nothing new.
        assert destruction_jobs.send_reminders() == ORDERS
        assert reminders().count() == expected
        # The sweeper's extra messages are consumed (each a no-op) before the worker stops, so
        # that none is left on the broker for another test's worker.
        queue = redis.Redis.from_url(REDIS_URL)
        wait_for(lambda: queue.llen("celery") == 0, "the queue to drain")
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=30)

    assert reminders().count() == expected
    assert set(reminders().values_list("attempts", flat=True)) == {1}
    sent = mails(tmp_path)
    assert sum(sent.values()) == expected
    assert set(sent.values()) == {1}  # no message twice
    assert Counter(to for to, _subject, _body in sent) == {
        licence.holder.email: ORDERS,
        inspector.email: ORDERS,
    }
