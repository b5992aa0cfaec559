"""The management information's job: thin and idempotent, it calls the service."""

from __future__ import annotations

from celery import shared_task

from reports import case_flow


@shared_task(acks_late=True)
def refresh_case_flow() -> int:
    """Hourly: this month's and the previous month's case flow. Safe to run twice."""
    return case_flow.refresh_recent()
