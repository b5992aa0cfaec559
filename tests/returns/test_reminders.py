"""Art. 9.1, 9.2: reminders before a return is due and chasers after, each once; the officer's
task for an overdue return, once per period, and its closing. Time is travelled; the job runs
eagerly here (real workers in test_return_worker.py)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core import mail

from licensing.exceptions import PermissionDenied, ReasonRequired, TransitionNotAllowed
from licensing.models import AuditEvent, Notification, Verb
from returns.models import ReminderKind, ReturnPeriod, ReturnReminder, ReturnTask
from returns.services.reminders import send_return_reminders
from returns.services.tasks import close_task
from returns.tasks import run_return_jobs
from tests.factories import LicenceFactory
from tests.factories.returns import ReturnFactory, ReturnPeriodFactory
from tests.licensing.helpers import local

pytestmark = pytest.mark.django_db

D = dt.date
DUE = D(2027, 4, 20)  # the first quarter of 2027's return


@pytest.fixture(autouse=True)
def _return_settings(settings: Any) -> None:
    settings.RETURN_DUE_DAYS = 20
    settings.RETURN_REMINDER_DAYS = [7, 1]
    settings.RETURN_CHASER_DAYS = [1, 14, 30]
    settings.RETURN_LOOK_BACK_DAYS = 120


def travel(time_machine: Any, day: dt.date) -> None:
    time_machine.move_to(local(day, 2), tick=False)


def run_job(captured: Any) -> dict[str, int]:
    with captured(execute=True):
        result: dict[str, int] = run_return_jobs.delay().get()
    return result


def period(due_on: dt.date, **kwargs: Any) -> Any:
    ends_on = due_on - dt.timedelta(days=20)
    return ReturnPeriodFactory(
        starts_on=ends_on - dt.timedelta(days=89), ends_on=ends_on, due_on=due_on, **kwargs
    )


def sent(owed: ReturnPeriod) -> list[tuple[str, int]]:
    return sorted(owed.reminders.values_list("kind", "days"))


def test_each_reminder_and_chaser_is_sent_once_on_its_day(
    time_machine: Any, django_capture_on_commit_callbacks: Any
) -> None:
    licence: Any = LicenceFactory(activities=["wholesale"], valid_from=D(2027, 1, 10))
    sent_on: dict[tuple[str, int], dt.date] = {}
    day = D(2027, 3, 25)
    while day <= D(2027, 6, 10):
        travel(time_machine, day)
        run_job(django_capture_on_commit_callbacks)
        run_job(django_capture_on_commit_callbacks)  # a second beat, a retry: nothing more
        for reminder in ReturnReminder.objects.all():
            sent_on.setdefault((reminder.kind, reminder.days), day)
        day += dt.timedelta(days=1)

    assert sent_on == {
        ("before", 7): D(2027, 4, 13),
        ("before", 1): D(2027, 4, 19),
        ("after", 1): D(2027, 4, 21),
        ("after", 14): D(2027, 5, 4),
        ("after", 30): D(2027, 5, 20),
    }
    first = ReturnPeriod.objects.get(licence=licence, starts_on=D(2027, 1, 1))
    assert first.due_on == DUE
    assert ReturnReminder.objects.count() == 5
    assert ReturnReminder.objects.exclude(period=first).count() == 0  # Q2 is due in July
    task = ReturnTask.objects.get()
    assert (task.period, task.opened_on, task.closed_at) == (first, D(2027, 4, 21), None)

    to_holder = [m for m in mail.outbox if m.to == [licence.holder.email]]
    subjects = sorted(m.subject for m in to_holder)
    assert subjects == sorted(
        [f"Return for licence {licence.number} due on 2027-04-20"] * 2
        + [f"Overdue: return for licence {licence.number}, due on 2027-04-20"] * 3
    )
    assert len(mail.outbox) == 5
    assert f"/portal/returns/{first.pk}/" in to_holder[0].body


def test_a_filed_period_gets_no_reminder_chaser_or_task(
    django_capture_on_commit_callbacks: Any,
) -> None:
    filed: Any = ReturnFactory(period=period(DUE)).period
    for days in (-7, -1, 0, 1, 14, 30, 45):
        with django_capture_on_commit_callbacks(execute=True):
            assert send_return_reminders(today=DUE + dt.timedelta(days=days)) == 0
    assert sent(filed) == []
    assert not ReturnTask.objects.exists()
    assert mail.outbox == []


def test_a_period_found_late_gets_only_the_latest_threshold(
    django_capture_on_commit_callbacks: Any,
) -> None:
    today = D(2027, 6, 15)
    soon = period(today + dt.timedelta(days=3))
    overdue = period(today - dt.timedelta(days=20))
    long_overdue = period(today - dt.timedelta(days=45))
    with django_capture_on_commit_callbacks(execute=True):
        assert send_return_reminders(today=today) == 3
        assert send_return_reminders(today=today) == 0
    assert sent(soon) == [("before", 7)]
    assert sent(overdue) == [("after", 14)]
    assert sent(long_overdue) == [("after", 30)]  # past every chaser: one, and its task
    assert set(ReturnTask.objects.values_list("period", "opened_on")) == {
        (overdue.pk, today),
        (long_overdue.pk, today),
    }
    assert len(mail.outbox) == 3

    # Two days later: the 1-day reminder; the chasers' thresholds are the same, so nothing.
    with django_capture_on_commit_callbacks(execute=True):
        assert send_return_reminders(today=today + dt.timedelta(days=2)) == 1
    assert sent(soon) == [("before", 1), ("before", 7)]


def test_the_task_is_opened_once_and_a_closed_one_stays_closed(
    officer: Any, django_capture_on_commit_callbacks: Any
) -> None:
    overdue = period(DUE)
    with django_capture_on_commit_callbacks(execute=True):
        send_return_reminders(today=DUE + dt.timedelta(days=1))
    task = ReturnTask.objects.get(period=overdue)
    close_task(task_id=task.pk, by=officer, note="Waived: the licensee stopped trading.")
    with django_capture_on_commit_callbacks(execute=True):
        assert send_return_reminders(today=DUE + dt.timedelta(days=14)) == 1
    assert sent(overdue) == [("after", 1), ("after", 14)]
    task = ReturnTask.objects.get()
    assert task.closed_at is not None
    assert task.opened_on == DUE + dt.timedelta(days=1)


def test_an_overdue_period_chased_before_without_a_task_gets_its_task_and_no_mail(
    django_capture_on_commit_callbacks: Any,
) -> None:
    """A period past every chaser whose chasers were written before it had a task (another
    door opened it, or it predates the tasks): its task is opened; nothing is sent again."""
    overdue = period(DUE)
    chased = Notification.objects.create(
        key="legacy-chaser", template="return_chaser", recipient="x@example.org", language="en"
    )
    ReturnReminder.objects.create(period=overdue, kind="after", days=30, notification=chased)
    with django_capture_on_commit_callbacks(execute=True):
        assert send_return_reminders(today=DUE + dt.timedelta(days=40)) == 0
    assert ReturnTask.objects.get(period=overdue).opened_on == DUE + dt.timedelta(days=40)
    assert sent(overdue) == [("after", 30)]
    assert mail.outbox == []


@pytest.mark.parametrize("state", ["revoked", "surrendered", "transferred"])
def test_a_period_of_a_licence_that_ended_since_is_still_chased(
    state: str, django_capture_on_commit_callbacks: Any
) -> None:
    """The period covers days when the party was licensed: the return is still owed, by the
    party that held the licence then; an officer may waive it by closing the task."""
    owed = period(DUE, licence=LicenceFactory(**{state: True}))
    with django_capture_on_commit_callbacks(execute=True):
        assert send_return_reminders(today=DUE + dt.timedelta(days=1)) == 1
    assert sent(owed) == [(ReminderKind.AFTER, 1)]
    assert ReturnTask.objects.filter(period=owed).exists()
    assert mail.outbox[0].to == [owed.party.email]


def test_an_officer_closes_a_task_with_a_note_and_an_audit_event(officer: Any) -> None:
    task = ReturnTask.objects.create(period=period(DUE), opened_on=DUE + dt.timedelta(days=1))
    closed = close_task(task_id=task.pk, by=officer, note="  The licence was surrendered. ")
    assert closed.closed_by == officer
    assert closed.note == "The licence was surrendered."
    event = AuditEvent.objects.get(verb=Verb.RETURN_TASK_CLOSED)
    assert (event.actor, event.object_id, event.reason) == (
        officer,
        str(task.pk),
        "The licence was surrendered.",
    )


def test_closing_needs_a_note_an_open_task_and_the_permission(
    officer: Any, inspector: Any, refused: Any
) -> None:
    task = ReturnTask.objects.create(period=period(DUE), opened_on=DUE + dt.timedelta(days=1))
    with refused(ReasonRequired, task, "closed_at"):
        close_task(task_id=task.pk, by=officer, note="   ")
    with refused(PermissionDenied, task, "closed_at"):
        close_task(task_id=task.pk, by=inspector, note="No.")
    close_task(task_id=task.pk, by=officer, note="Filed on paper.")
    with refused(TransitionNotAllowed, task, "closed_at"):
        close_task(task_id=task.pk, by=officer, note="Again.")
    assert AuditEvent.objects.filter(verb=Verb.RETURN_TASK_CLOSED).count() == 1
