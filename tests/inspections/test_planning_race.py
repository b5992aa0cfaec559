"""Two planning jobs at once (a beat delivered twice, a manual run beside it) plan one periodic
audit per licence and period: the unique constraint decides, not a check before the insert."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
import time_machine
from django.db import connection

from inspections.models import Inspection
from inspections.services import planning
from tests.factories.inspections import licensed_site
from tests.factories.licensing import LicenceFactory

THREADS = 8

pytestmark = [pytest.mark.postgresql, pytest.mark.django_db(transaction=True)]


def test_concurrent_planning_jobs_plan_each_audit_once(inspector):
    licences = [
        LicenceFactory(activities=["manufacture_products"], valid_from=dt.date(2026, 1, 5))
        for _ in range(3)
    ]
    for licence in licences:
        licensed_site(licence)
    barrier = threading.Barrier(THREADS)
    errors: list[BaseException] = []

    def run() -> None:
        try:
            barrier.wait(timeout=30)
            planning.plan_inspections(today=dt.date(2026, 12, 1))
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    with time_machine.travel(dt.date(2026, 12, 1), tick=False):
        threads = [threading.Thread(target=run) for _ in range(THREADS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    assert errors == []
    assert sorted(Inspection.objects.values_list("licence_id", "period")) == sorted(
        (licence.pk, "2027-01") for licence in licences
    )
