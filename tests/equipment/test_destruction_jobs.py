"""The destruction jobs (Art. 6.3(i)): each reminder and escalation is a notification row with a
unique key, so a job run twice sends nothing twice; overdue orders go to the senior officers."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from equipment.models import DestructionOrder, OfficerTask, TaskKind
from equipment.services import destruction as svc
from equipment.services import destruction_jobs
from equipment.tasks import run_destruction_jobs
from licensing.models import Notification, NotificationStatus
from tests.factories import MachineFactory
from tests.licensing.helpers import local


def scheduled_order(applicant_for, planned: int = 50) -> DestructionOrder:
    machine = MachineFactory()
    order = svc.request_destruction(
        machine_ids=[machine.pk],
        by=applicant_for(machine.holder),
        method="crushing",
        planned_on=timezone.localdate() + dt.timedelta(days=planned),
    )
    return order


@pytest.mark.django_db
def test_reminders_are_sent_once_when_the_job_runs_twice(
    applicant_for, inspector, time_machine, settings, django_capture_on_commit_callbacks
):
    settings.DESTRUCTION_REMINDER_DAYS = 7
    order = scheduled_order(applicant_for)
    assert run_destruction_jobs.delay().get()["assigned"] == 1
    order.refresh_from_db()
    mail.outbox.clear()

    time_machine.move_to(local(order.planned_on - dt.timedelta(days=8)), tick=False)
    assert destruction_jobs.send_reminders() == 0  # not yet
    time_machine.move_to(local(order.planned_on - dt.timedelta(days=7)), tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        run_destruction_jobs.delay().get()
    with django_capture_on_commit_callbacks(execute=True):
        run_destruction_jobs.delay().get()
    time_machine.move_to(local(order.planned_on - dt.timedelta(days=2)), tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        run_destruction_jobs.delay().get()

    reminders = Notification.objects.filter(key__startswith=f"destruction-reminder:{order.pk}:")
    assert sorted(n.recipient for n in reminders) == sorted(
        [order.licence.holder.email, inspector.email]
    )
    assert all(n.status == NotificationStatus.SENT and n.attempts == 1 for n in reminders)
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [order.licence.holder.email, inspector.email]
    )


@pytest.mark.django_db
def test_an_overdue_destruction_is_escalated_to_the_senior_officers_once(
    applicant_for, inspector, senior, officer, time_machine, django_capture_on_commit_callbacks
):
    order = scheduled_order(applicant_for)
    destruction_jobs.assign_inspectors()
    time_machine.move_to(local(order.planned_on), tick=False)
    assert destruction_jobs.escalate_overdue() == 0  # the day itself is not overdue
    time_machine.move_to(local(order.planned_on + dt.timedelta(days=1)), tick=False)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        run_destruction_jobs.delay().get()
    with django_capture_on_commit_callbacks(execute=True):
        run_destruction_jobs.delay().get()
    task = OfficerTask.objects.get()
    assert (task.kind, task.order_id, task.for_group) == (
        TaskKind.DESTRUCTION_OVERDUE,
        order.pk,
        "senior officer",
    )
    assert [m.to for m in mail.outbox] == [[senior.email]]  # seniors only, once


@pytest.mark.django_db
def test_a_witnessed_destruction_without_countersignature_is_chased_once(
    applicant_for, inspector, senior, time_machine
):
    order = scheduled_order(applicant_for)
    destruction_jobs.assign_inspectors()
    svc.record_destruction(
        order_id=order.pk,
        by=inspector,
        witnessed_at=timezone.now(),
        method="crushing",
        serials_seen=[],
        witnesses="",
    )
    assert destruction_jobs.chase_certificates() == 0
    time_machine.move_to(timezone.now() + dt.timedelta(days=4), tick=False)
    assert destruction_jobs.chase_certificates() == 1
    assert destruction_jobs.chase_certificates() == 0
    assert OfficerTask.objects.get().kind == TaskKind.CERTIFICATE_MISSING
    # The countersignature closes the task.
    svc.countersign_destruction(order_id=order.pk, by=senior)
    assert OfficerTask.objects.get().closed_by == senior
