"""Art. 6.3(g): the job that applies approved changes on their date, against real Celery workers
on a real Redis (worker_processes.py). Run twice at once, each change is applied exactly once:
one new version per record, one licence event."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from licensing.models import Application, AuditEvent, Party, RecordVersion, Verb
from licensing.tasks import apply_due_changes
from tests.licensing.test_record_versions_jobs import change_effective_in
from tests.licensing.worker_processes import wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

CHANGES = 12


def approved_changes(officer: Any, count: int) -> list[Application]:
    """``count`` approved renamings of licensed parties, each taking effect today (approved
    yesterday, when the date was still to come)."""
    applications = [
        change_effective_in(1, officer, f"Fjordtobakk {n} AS", f"Fjordtobakk {n} ASA")
        for n in range(count)
    ]
    # The date has come.
    Application.objects.filter(pk__in=[a.pk for a in applications]).update(
        effective_on=timezone.localdate()
    )
    return applications


def test_the_job_run_twice_at_once_applies_each_change_once(cluster: Any, officer: Any) -> None:
    applications = approved_changes(officer, CHANGES)
    cluster.start_worker("one")
    cluster.start_worker("two")
    cluster.send(apply_due_changes)
    cluster.send(apply_due_changes)
    wait_for(
        lambda: (
            not Application.objects.filter(
                pk__in=[a.pk for a in applications], changes_applied_at__isnull=True
            ).exists()
        ),
        timeout=120,
        what="every change applied",
    )
    logs = [worker.log.read_text() for worker in cluster.workers]
    assert all("apply_due_changes" in log for log in logs), "each worker ran the job"
    for application in applications:
        party = Party.objects.get(pk=application.party_id)
        assert party.legal_name.endswith("ASA") and party.version == 2
        versions = RecordVersion.objects.filter(record_type="licensing.party", record_id=party.pk)
        assert versions.count() == 1
        events = AuditEvent.objects.for_object(application.licence).filter(verb=Verb.CHANGE_APPLIED)
        assert events.count() == 1
