"""Art. 6.3(g): the job that applies approved changes on their date, against real Celery workers
on a real Redis (worker_processes.py). Run twice at once, each change is applied exactly once:
one new version per record, one licence event."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from licensing.models import Application, AuditEvent, Party, RecordVersion, Verb
from licensing.services import applications as application_services
from licensing.tasks import apply_due_changes
from tests.factories import ApplicationFactory, LicenceFactory, PartyFactory, SiteFactory
from tests.licensing.worker_processes import wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

CHANGES = 12


def approved_changes(officer: Any, count: int) -> list[Application]:
    """``count`` approved renamings of licensed parties, each taking effect today (approved
    yesterday, when the date was still to come)."""
    applications = []
    for n in range(count):
        party = PartyFactory(approved=True, legal_name=f"Fjordtobakk {n} AS")
        licence = LicenceFactory(holder=party)
        application = ApplicationFactory(
            in_review=True,
            paid=True,
            change=True,
            party=party,
            licence=licence,
            effective_on=timezone.localdate() + dt.timedelta(days=1),
            party_changes={"base_version": 1, "fields": {"legal_name": f"Fjordtobakk {n} ASA"}},
        )
        application.sites.add(SiteFactory(party=party))
        application_services.approve_application(application_id=application.pk, by=officer)
        applications.append(application)
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
