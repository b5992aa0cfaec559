"""Art. 9.1, 9.2: the returns job against real Celery workers on a real Redis, run twice at
once: every reminder and chaser due is sent, each exactly once, and each overdue period has one
task. The workers are subprocesses on a private Redis (tests/licensing/worker_processes.py);
their mail goes to files, counted here."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from licensing.models import Notification, NotificationStatus
from returns.models import ReturnPeriod, ReturnReminder, ReturnTask
from returns.tasks import run_return_jobs
from tests.factories import LicenceFactory
from tests.factories.returns import ReturnPeriodFactory
from tests.licensing.worker_processes import Cluster, cluster, wait_for  # noqa: F401 (a fixture)

pytestmark = [pytest.mark.worker, pytest.mark.postgresql, pytest.mark.django_db(transaction=True)]


def due_periods(count: int, days_to_due: int) -> list[Any]:
    """``count`` unfiled periods due in ``days_to_due`` days (negative: overdue), each of its
    own licensee. Their licences were surrendered since: the job opens no new period for
    them, so what it sends is exactly these periods' reminders (with the default settings:
    7 days before, 1 day after)."""
    due_on = timezone.localdate() + dt.timedelta(days=days_to_due)
    ends_on = due_on - dt.timedelta(days=20)
    return [
        ReturnPeriodFactory(
            licence=LicenceFactory(surrendered=True),
            starts_on=ends_on - dt.timedelta(days=89),
            ends_on=ends_on,
            due_on=due_on,
        )
        for _ in range(count)
    ]


def all_sent(count: int) -> bool:
    unsent = Notification.objects.exclude(status=NotificationStatus.SENT).count()
    return ReturnReminder.objects.count() == count and unsent == 0


def test_the_job_run_twice_at_once_sends_each_reminder_once(cluster: Cluster) -> None:  # noqa: F811
    before = due_periods(30, 7)
    after = due_periods(30, -1)
    cluster.start_worker("one")
    cluster.start_worker("two")
    # Two beats, or a beat and an operator: the same job twice, one on each worker.
    cluster.send(run_return_jobs)
    cluster.send(run_return_jobs)
    wait_for(lambda: all_sent(60), timeout=120, what="every reminder sent")
    logs = [worker.log.read_text() for worker in cluster.workers]
    assert all("run_return_jobs" in log for log in logs), "each worker ran the job"

    sent = cluster.sent_mail()
    expected = {
        (p.party.email, f"Return for licence {p.licence.number} due on {p.due_on}") for p in before
    } | {
        (p.party.email, f"Overdue: return for licence {p.licence.number}, due on {p.due_on}")
        for p in after
    }
    assert set(sent) == expected
    assert all(n == 1 for n in sent.values()), {k: n for k, n in sent.items() if n != 1}
    assert ReturnReminder.objects.count() == 60
    assert set(ReturnTask.objects.values_list("period", flat=True)) == {p.pk for p in after}
    assert ReturnPeriod.objects.count() == 60  # no period opened for an ended licence
