"""The periodic jobs read what is due and nothing else: each run's queries are fixed per batch
and do not grow with the rows that are not due (active licences expiring years from now,
licences in other states, e-mail already sent). Through each job's own task."""

from __future__ import annotations

import datetime as dt
import itertools
from functools import partial

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from licensing import selectors
from licensing.models import (
    ExpiryReminder,
    Licence,
    LicenceState,
    Notification,
    NotificationStatus,
)
from licensing.services import licences as licence_services
from licensing.services import reminders
from licensing.services.notifications import unsent_notification_ids
from licensing.tasks import (
    apply_due_changes,
    chase_information_requests,
    expire_due_licences,
    resume_print_batches,
    send_expiry_reminders,
    sweep_decision_letters,
    sweep_notifications,
)
from tests.factories import LicenceFactory
from tests.factories.licensing import InformationRequestFactory
from tests.licensing.helpers import local

pytestmark = pytest.mark.django_db

EXPIRES = dt.date(2027, 3, 1)
TERM = dt.timedelta(days=730)
WINDOWS = 4  # thresholds 90, 60, 30 and 7 days: one range query each on a night with none due


def expiring(on: dt.date = EXPIRES, **kwargs):
    return LicenceFactory(valid_from=on - TERM, **kwargs)


_numbers = itertools.count()


def not_due(like: Licence, count: int) -> None:
    """``count`` licences no job has anything to do with: active ones whose term ends five
    years on, and as many suspended, revoked and expired in every window."""
    years = dt.timedelta(days=5 * 365)
    rows = []
    for _ in range(count):
        n = next(_numbers)
        for state, shift in (
            (LicenceState.ACTIVE, years),
            (LicenceState.SUSPENDED, dt.timedelta(0)),
            (LicenceState.REVOKED, -dt.timedelta(days=40)),
            (LicenceState.EXPIRED, -dt.timedelta(days=800)),
        ):
            rows.append(
                Licence(
                    number=f"X-{state}-{n}",
                    holder_id=like.holder_id,
                    activities=like.activities,
                    valid_from=like.valid_from + shift,
                    expires_on=like.expires_on + shift,
                    state=state,
                )
            )
    Licence.objects.bulk_create(rows)


def sent_mail(count: int) -> None:
    Notification.objects.bulk_create(
        Notification(
            key=f"old:{n}",
            template="licence_issued",
            recipient="holder@example.com",
            language="en",
            status=NotificationStatus.SENT,
            attempts=1,
        )
        for n in range(count)
    )


def run(task) -> int:
    return task.delay().get()


def test_the_reminder_job_reads_one_range_per_window_when_all_are_sent(
    time_machine, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    """Art. 6.3(f): on a night when every reminder due is sent, a run is one query a window,
    however many licences are not due."""
    due = [expiring() for _ in range(3)]
    time_machine.move_to(local(EXPIRES - dt.timedelta(days=60), 2), tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        assert run(send_expiry_reminders) == 3
    with django_assert_max_num_queries(WINDOWS):
        assert run(send_expiry_reminders) == 0
    not_due(due[0], 25)
    with django_assert_max_num_queries(WINDOWS):
        assert run(send_expiry_reminders) == 0
    assert ExpiryReminder.objects.count() == 3


def test_the_reminder_job_reads_in_keyset_batches_whose_count_the_non_due_do_not_change(
    time_machine, django_assert_max_num_queries
):
    """Five licences due on the same day, the middle one reminded already; the others read
    two at a time on (expires_on, id), each reminded once, and the licences not due add no
    query."""
    due = [expiring() for _ in range(5)]
    not_due(due[0], 25)
    time_machine.move_to(local(EXPIRES - dt.timedelta(days=30), 2), tick=False)
    per_reminder = _queries_of_one_reminder(due[2])
    window = partial(
        reminders.due_for_reminder, timezone.localdate(), 30, dict(reminders.reminder_windows())[30]
    )
    assert list(selectors.expiry_batches(window, 2)) == [
        [due[0].pk, due[1].pk],
        [due[3].pk, due[4].pk],
    ]
    reads = 3 + (WINDOWS - 1)  # four left in the 30-day window: 2, 2, none; the others one
    with django_assert_max_num_queries(reads + 4 * per_reminder):
        assert reminders.send_due_expiry_reminders(batch_size=2) == 4
    assert ExpiryReminder.objects.filter(threshold=30).count() == 5
    with django_assert_max_num_queries(WINDOWS):
        assert reminders.send_due_expiry_reminders(batch_size=2) == 0


def _queries_of_one_reminder(licence: Licence) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert reminders.send_expiry_reminder(licence_id=licence.pk) is not None
    return len(captured)


def test_the_expiry_job_reads_only_the_licences_due(time_machine, django_assert_max_num_queries):
    """Art. 6.3(f): a run reads the active licences whose term has ended, in one range of the
    index, and nothing about the licences not due."""
    day = dt.date(2026, 12, 1)
    due = [expiring(day - dt.timedelta(days=n)) for n in range(3)]
    not_due(due[0], 25)
    time_machine.move_to(local(day, 1), tick=False)
    assert run(expire_due_licences) == 3
    assert Licence.objects.filter(pk__in=[x.pk for x in due], state="expired").count() == 3
    with django_assert_max_num_queries(1):
        assert run(expire_due_licences) == 0
    not_due(due[0], 25)
    with django_assert_max_num_queries(1):
        assert run(expire_due_licences) == 0


def test_the_expiry_job_goes_through_every_batch(time_machine):
    day = dt.date(2026, 12, 1)
    due = [expiring(day) for _ in range(5)]
    time_machine.move_to(local(day, 1), tick=False)
    assert licence_services.expire_due_licences(batch_size=2) == 5
    assert not Licence.objects.filter(pk__in=[x.pk for x in due], state="active").exists()


def test_the_notification_sweep_reads_only_the_unsent(time_machine, django_assert_max_num_queries):
    """A sweep with nothing to send is one query, however much mail was sent before."""
    sent_mail(50)
    time_machine.move_to(timezone.now() + dt.timedelta(minutes=5), tick=False)
    with django_assert_max_num_queries(1):
        assert run(sweep_notifications) == 0
    Notification.objects.bulk_create(
        Notification(
            key=f"older:{n}",
            template="licence_issued",
            recipient="holder@example.com",
            language="en",
            status=NotificationStatus.FAILED,
            attempts=10,  # given up: left for an officer, never swept again
        )
        for n in range(100)
    )
    with django_assert_max_num_queries(1):
        assert run(sweep_notifications) == 0


def test_the_sweep_takes_the_longest_waiting_first(time_machine):
    start = timezone.now()
    ids = []
    for n in range(3):
        time_machine.move_to(start + dt.timedelta(minutes=n), tick=False)
        ids.append(
            Notification.objects.create(
                key=f"lost:{n}", template="licence_issued", recipient="a@example.com", language="en"
            ).pk
        )
    Notification.objects.filter(pk=ids[0]).update(updated_at=start + dt.timedelta(minutes=5))
    time_machine.move_to(start + dt.timedelta(minutes=20), tick=False)
    assert unsent_notification_ids() == [ids[1], ids[2], ids[0]]
    assert unsent_notification_ids(limit=1) == [ids[1]]


def test_the_chaser_job_does_not_read_again_the_requests_chased(
    settings, time_machine, django_assert_max_num_queries
):
    """A request whose chaser for the latest threshold it passed is queued is not read again:
    a run with nothing to chase is one query, however many requests wait for their answer."""
    settings.INFORMATION_CHASER_DAYS = [25, 14]
    start = dt.date(2026, 12, 1)
    time_machine.move_to(local(start, 2), tick=False)
    for _ in range(3):
        InformationRequestFactory(due_on=start + dt.timedelta(days=30))
    for age in (15, 26):
        time_machine.move_to(local(start + dt.timedelta(days=age), 2), tick=False)
        assert run(chase_information_requests) == 3
        with django_assert_max_num_queries(1):
            assert run(chase_information_requests) == 0


@pytest.mark.parametrize(
    "task",
    [apply_due_changes, chase_information_requests, resume_print_batches, sweep_decision_letters],
)
def test_a_job_with_nothing_due_is_one_query_whatever_the_register_holds(
    task, time_machine, django_assert_max_num_queries
):
    """Art. 6.3(g) changes, chasers, print batches, decision letters: one query on a night
    with nothing due, before and after the register grows."""
    licence = expiring()
    time_machine.move_to(local(EXPIRES - dt.timedelta(days=400), 2), tick=False)
    with django_assert_max_num_queries(1):
        assert run(task) == 0
    not_due(licence, 10)
    sent_mail(20)
    with django_assert_max_num_queries(1):
        assert run(task) == 0
