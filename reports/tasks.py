"""The management information's job: thin and idempotent, it calls the services."""

from __future__ import annotations

from celery import shared_task

from reports import case_flow, figures, glances


@shared_task(acks_late=True)
def refresh_management_figures() -> int:
    """Hourly: this month's and the previous month's case flow and monthly figures, and
    today's snapshot of the dashboard's tiles. Safe to run twice. Returns the rows written."""
    return case_flow.refresh_recent() + figures.refresh_recent() + glances.snapshot()


@shared_task(acks_late=True)
def snapshot_management_figures() -> int:
    """Daily: this month's count of licensees by risk score (it reads the whole register).
    Safe to run twice: the month's rows are replaced. Returns the rows written."""
    return figures.refresh_snapshots()
