"""Celery tasks of the returns: thin and idempotent. They call services."""

from __future__ import annotations

from celery import shared_task

from returns.services import periods, reminders


@shared_task(acks_late=True)
def run_return_jobs() -> dict[str, int]:
    """Art. 9.1, 9.2: open the periods owed, then send the reminders and chasers due today
    (the first chaser opens the officer's task). Safe to run twice, at once or after a crash:
    each period and each reminder is a row with a unique key, the reminder written with its
    e-mail."""
    opened = periods.open_periods()
    sent = reminders.send_return_reminders()
    return {"periods_opened": opened, "reminders_sent": sent}
