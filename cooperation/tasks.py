"""Celery tasks of cooperation: thin and idempotent. They call services."""

from __future__ import annotations

from celery import shared_task

from cooperation.services import deadlines, transit


@shared_task(acks_late=True)
def chase_assistance_deadlines() -> dict[str, int]:
    """Art. 28: remind before a request's answer is due, escalate after. Safe to run twice."""
    return deadlines.chase()


@shared_task(acks_late=True)
def chase_overdue_transits() -> int:
    """Art. 12.3: a transit whose goods have not left by their last day, chased once."""
    return transit.chase_overdue()
