"""Reminders before a return is due and chasers after (Art. 9.1, 9.2), and the officer's task
for an overdue return.

Exactly once, as the expiry reminders (``licensing.services.reminders``): a reminder is a row
unique on ``(period, kind, days)``, written in the same transaction as its notification row
and under a lock on the period, so a second run, a second beat or two workers at once find
the row and send nothing again. Only the latest threshold a period has crossed is sent: a
period found late (the job was down, the period opened by the look-back) gets one e-mail, not
a backlog.

Whatever the licence's state now (revoked, surrendered, transferred, expired), a period
opened is still owed: it covers days when the party was licensed (Art. 9.1, 9.2), and it is
addressed to the period's party, the holder when it was opened. An officer who waives it
closes its task with a note. A filed period gets nothing."""

from __future__ import annotations

import datetime as dt
import logging
from functools import partial

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from licensing import selectors
from licensing.services.notifications import queue_notification
from returns.models import ReminderKind, ReturnPeriod, ReturnReminder, ReturnTask

logger = logging.getLogger(__name__)

TEMPLATES = {ReminderKind.BEFORE: "return_reminder", ReminderKind.AFTER: "return_chaser"}


def reminder_threshold(days_left: int) -> int | None:
    """The reminder a period due in ``days_left`` days has crossed most recently: the
    smallest of ``RETURN_REMINDER_DAYS`` not below ``days_left``. None before the first, and
    from the due day on."""
    if days_left < 1:
        return None
    crossed = [d for d in settings.RETURN_REMINDER_DAYS if d >= days_left]
    return min(crossed) if crossed else None


def chaser_threshold(days_overdue: int) -> int | None:
    """The chaser a period ``days_overdue`` days past its due date has crossed most recently:
    the largest of ``RETURN_CHASER_DAYS`` not above it. None before the first."""
    crossed = [d for d in settings.RETURN_CHASER_DAYS if d <= days_overdue]
    return max(crossed) if crossed else None


def threshold(kind: str, period: ReturnPeriod, today: dt.date) -> int | None:
    if kind == ReminderKind.BEFORE:
        return reminder_threshold((period.due_on - today).days)
    return chaser_threshold((today - period.due_on).days)


def period_url(period: ReturnPeriod) -> str:
    return settings.PORTAL_BASE_URL.rstrip("/") + reverse(
        "returns:period", kwargs={"period_id": period.pk}
    )


@transaction.atomic
def send_return_reminder(
    *, period_id: int, kind: str, today: dt.date | None = None
) -> ReturnReminder | None:
    """The job, for one period: the reminder (``before``) or chaser (``after``) of the
    threshold it has crossed, with its e-mail to the period's party, unless it exists. The
    first chaser opens the officer's task (once per period: a closed one stays closed). None
    when there is nothing to send: filed, no threshold crossed, already sent."""
    today = today or timezone.localdate()
    # Two jobs on one period: the second waits here, then finds the row the first wrote.
    # The period's row only: a join here would lock the licence too.
    period = ReturnPeriod.objects.select_for_update().get(pk=period_id)
    if period.filed_at is not None:
        return None
    days = threshold(kind, period, today)
    if days is None:
        return None
    if kind == ReminderKind.AFTER:
        # Also for a period chased before it had a task (opened by another door, or before
        # the tasks existed): every overdue period gets its one task.
        ReturnTask.objects.get_or_create(period=period, defaults={"opened_on": today})
    if ReturnReminder.objects.filter(period=period, kind=kind, days=days).exists():
        return None
    notification = queue_notification(
        key=f"return_{kind}:{period.pk}:{days}",
        template=TEMPLATES[ReminderKind(kind)],
        party=period.party,
        context={
            "licence": period.licence.number,
            "starts_on": period.starts_on.isoformat(),
            "ends_on": period.ends_on.isoformat(),
            "due_on": period.due_on.isoformat(),
            "days": abs((period.due_on - today).days),
            "period_url": period_url(period),
        },
    )
    return ReturnReminder.objects.create(
        period=period, kind=kind, days=days, notification=notification
    )


def windows(kind: str) -> list[tuple[int, int | None]]:
    """(threshold, next): the due dates for which ``threshold`` is the latest crossed, in days
    from today. Before: ``next`` < days left <= ``threshold``. After: ``threshold`` <= days
    overdue < ``next`` (None: no later chaser). Each period is read in one window only."""
    if kind == ReminderKind.BEFORE:
        days = sorted(settings.RETURN_REMINDER_DAYS, reverse=True)
        return [(t, days[i + 1] if i + 1 < len(days) else 0) for i, t in enumerate(days)]
    days = sorted(settings.RETURN_CHASER_DAYS)
    return [(t, days[i + 1] if i + 1 < len(days) else None) for i, t in enumerate(days)]


def oldest_chased(today: dt.date) -> dt.date:
    """No period is opened later than ``RETURN_LOOK_BACK_DAYS`` after it ended, and the job
    that opens it chases it in the same run: older due dates were chased long ago. The last
    chaser's window stops here, so the scan does not grow with years of unfiled periods."""
    horizon = settings.RETURN_LOOK_BACK_DAYS + max(settings.RETURN_CHASER_DAYS, default=0)
    return today - dt.timedelta(days=horizon)


def due_for(
    today: dt.date, kind: str, days: int, next_days: int | None, after: selectors.Key | None
) -> QuerySet[ReturnPeriod]:
    """Unfiled periods whose latest crossed threshold of ``kind`` is ``days`` and whose
    reminder for it is not written (for a chaser: or that have no task yet), after the key
    ``after`` in ``(due_on, id)`` order: a range of the partial index
    ``return_period_unfiled``."""
    if kind == ReminderKind.BEFORE:
        window = {
            "due_on__gt": today + dt.timedelta(days=next_days or 0),
            "due_on__lte": today + dt.timedelta(days=days),
        }
    else:
        window = {"due_on__lte": today - dt.timedelta(days=days)}
        if next_days is not None:
            window["due_on__gt"] = today - dt.timedelta(days=next_days)
        else:
            window["due_on__gte"] = oldest_chased(today)
    sent = ReturnReminder.objects.filter(period=OuterRef("pk"), kind=kind, days=days)
    todo = Q(~Exists(sent))
    if kind == ReminderKind.AFTER:
        todo |= Q(~Exists(ReturnTask.objects.filter(period=OuterRef("pk"))))
    return ReturnPeriod.objects.filter(
        selectors.after_key(after, date="due_on"), todo, filed_at__isnull=True, **window
    )


def send_return_reminders(*, today: dt.date | None = None, batch_size: int = 1000) -> int:
    """The job: every reminder and chaser due today, period by period in short
    transactions, each window read in keyset batches on ``(due_on, id)``. Returns how many it
    wrote."""
    today = today or timezone.localdate()
    written = 0
    for kind in (ReminderKind.BEFORE, ReminderKind.AFTER):
        for days, next_days in windows(kind):
            due = partial(due_for, today, kind, days, next_days)
            for ids in selectors.keyset_batches(due, batch_size, date="due_on"):
                for pk in ids:
                    written += (
                        send_return_reminder(period_id=pk, kind=kind, today=today) is not None
                    )
                logger.info("return %s %d days: %d written so far", kind, days, written)
    return written
