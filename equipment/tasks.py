"""Celery tasks of the equipment register: thin and idempotent; they call services."""

from __future__ import annotations

import datetime as dt
import logging

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from equipment.services import destruction_jobs, licence_end, machines

logger = logging.getLogger(__name__)


@shared_task(acks_late=True)
def require_disposal_for_licence(licence_id: int) -> int:
    """Sent when a licence ends (``licensing.signals.state_changed``)."""
    return licence_end.require_disposal(licence_id=licence_id)


@shared_task(acks_late=True)
def declare_machines_of_application(application_id: int) -> int:
    """Sent when an application is approved: the machines it declared enter the register."""
    return machines.declare_from_application(application_id=application_id)


@shared_task(acks_late=True)
def declare_machines_of_recent_approvals() -> int:
    """Hourly: the machines of applications approved in the last
    ``MACHINE_DECLARATION_SWEEP_DAYS`` whose declaration job was lost (the broker down at the
    approval) enter the register. Safe to run twice; returns how many machines it declared."""
    since = timezone.now() - dt.timedelta(days=settings.MACHINE_DECLARATION_SWEEP_DAYS)
    return sum(
        machines.declare_from_application(application_id=pk)
        for pk in machines.approvals_declaring_machines(since)
    )


@shared_task(acks_late=True)
def require_disposal_for_ended_licences() -> int:
    """Nightly: the same for any ended licence whose message was lost. Safe to run twice."""
    return sum(
        licence_end.require_disposal(licence_id=pk)
        for pk in licence_end.ended_licences_with_machines_in_use()
    )


@shared_task(acks_late=True)
def assign_inspectors() -> int:
    return destruction_jobs.assign_inspectors()


@shared_task(acks_late=True)
def send_destruction_reminders() -> int:
    return destruction_jobs.send_reminders()


@shared_task(acks_late=True)
def escalate_overdue_destructions() -> int:
    return destruction_jobs.escalate_overdue()


@shared_task(acks_late=True)
def chase_destruction_certificates() -> int:
    return destruction_jobs.chase_certificates()


@shared_task(acks_late=True)
def run_destruction_jobs() -> dict[str, int]:
    """Art. 6.3(i): the periodic round, in order. Each step writes its rows under unique keys
    before anything is sent, so a second run, or a run after a worker was killed half way,
    sends nothing twice."""
    return {
        "assigned": destruction_jobs.assign_inspectors(),
        "reminded": destruction_jobs.send_reminders(),
        "escalated": destruction_jobs.escalate_overdue(),
        "chased": destruction_jobs.chase_certificates(),
    }
