"""Celery tasks of the inspections: thin and idempotent; they call services."""

from __future__ import annotations

from celery import shared_task

from inspections.services import planning


@shared_task(acks_late=True)
def plan_inspections() -> int:
    """Art. 6.3(e): daily, periodic audits for the licences due within the planning horizon.
    Safe to run twice: one audit per licence and period (a unique constraint)."""
    return planning.plan_inspections()
