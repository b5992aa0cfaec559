"""The dashboard's tiles (issue 22): open cases, overdue, expiring, returns overdue (Art. 9.1),
inspections overdue (Art. 6.3(e)) and destruction orders due; each count is the count of the
list it links to, each trend compares with the snapshot kept GLANCE_TREND_DAYS ago, and a
count of what one user may see is never compared with the whole register's."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.utils import timezone

from equipment.services import destruction as destruction_services
from licensing import glance
from reports import glances
from reports.models import GlanceCount
from tests.factories import ApplicationFactory, LicenceFactory, MachineFactory
from tests.factories.equipment import days
from tests.factories.inspections import InspectionFactory
from tests.factories.returns import ReturnPeriodFactory
from tests.portal.cases_world import client_for

pytestmark = pytest.mark.django_db

KEYS = [
    "open_cases",
    "overdue_cases",
    "expiring_90",
    "returns_overdue",
    "inspections_overdue",
    "destruction_due",
]


@pytest.fixture
def world(applicant_for: Any, settings: Any) -> None:
    today = timezone.localdate()
    long_ago = timezone.now() - dt.timedelta(days=settings.DECISION_TARGET_DAYS + 5)
    ApplicationFactory(in_review=True)
    ApplicationFactory(in_review=True, submitted_at=long_ago)  # open and overdue
    ApplicationFactory(approved=True)  # decided: in neither
    LicenceFactory(
        valid_from=today - dt.timedelta(days=700), expires_on=today + dt.timedelta(days=40)
    )
    ReturnPeriodFactory(due_on=today - dt.timedelta(days=3))
    ReturnPeriodFactory(due_on=today + dt.timedelta(days=3))  # not yet due
    InspectionFactory(planned_on=today - dt.timedelta(days=1))
    InspectionFactory(planned_on=today + dt.timedelta(days=5))
    settings.DESTRUCTION_NOTICE_DAYS = 1
    for planned in (3, 30):
        machine = MachineFactory()
        destruction_services.request_destruction(
            machine_ids=[machine.pk],
            by=applicant_for(machine.holder),
            method="shredding",
            planned_on=days(planned),
        )


def tiles(user: Any) -> dict[str, glance.Glance]:
    return {g.key: g for g in glance.glances(user, timezone.localdate())}


def test_each_tile_counts_what_its_list_shows(world: None, senior: Any) -> None:
    found = tiles(senior)
    assert list(found) == KEYS
    assert [found[k].count for k in KEYS] == [2, 1, 1, 1, 1, 1]
    client = client_for(senior)
    for key in KEYS:
        response = client.get(found[key].url)
        assert response.status_code == 200, key
        assert response.context["cl"].result_count == found[key].count, key
    # The dashboard draws them, the officer's own queue before them.
    html = client.get("/admin/").content.decode()
    assert html.index("Your queue") < html.index('class="glance-grid"')
    assert "cases overdue" in html


def test_the_trend_compares_with_the_snapshot_of_thirty_days_ago(
    world: None, senior: Any, time_machine: Any, settings: Any
) -> None:
    settings.GLANCE_TREND_DAYS = 30
    today = timezone.localdate()
    # Nothing kept yet (a new installation): said so.
    assert tiles(senior)["open_cases"].trend == "no figure kept 30 days ago yet"
    then = today - dt.timedelta(days=30)
    GlanceCount.objects.create(day=then, key="open_cases", count=5, refreshed_at=timezone.now())
    GlanceCount.objects.create(
        day=then, key="returns_overdue", count=0, refreshed_at=timezone.now()
    )
    GlanceCount.objects.create(day=then, key="overdue_cases", count=1, refreshed_at=timezone.now())
    found = tiles(senior)
    assert found["open_cases"].trend == "down 3 from 30 days ago"
    assert found["returns_overdue"].trend == "up 1 from 30 days ago"
    assert found["overdue_cases"].trend == "as 30 days ago"
    html = client_for(senior).get("/admin/").content.decode()
    assert "down 3 from 30 days ago" in html


def test_the_snapshot_keeps_the_whole_register_once_a_day(world: None, senior: Any) -> None:
    assert glances.snapshot() == len(KEYS)
    kept = dict(GlanceCount.objects.values_list("key", "count"))
    assert kept == {k: tiles(senior)[k].count for k in KEYS}
    ApplicationFactory(in_review=True)
    assert glances.snapshot() == len(KEYS)  # again the same day: replaced, not added
    assert GlanceCount.objects.count() == len(KEYS)
    assert GlanceCount.objects.get(key="open_cases").count == 3


def test_a_partial_count_gets_no_trend(world: None, settings: Any) -> None:
    """A user who sees every application but only some licences: no trend on the licences'
    tile, whose count is not the register's."""
    from tests.factories import UserFactory

    user = UserFactory(username="reader", is_staff=True)
    user.user_permissions.add(
        Permission.objects.get(codename="view_application", content_type__app_label="licensing")
    )
    user = type(user).objects.get(pk=user.pk)
    today = timezone.localdate()
    then = today - dt.timedelta(days=settings.GLANCE_TREND_DAYS)
    for key in ("open_cases", "expiring_90"):
        GlanceCount.objects.create(day=then, key=key, count=9, refreshed_at=timezone.now())
    found = tiles(user)
    assert list(found) == ["open_cases", "overdue_cases", "expiring_90"]
    assert found["open_cases"].trend
    assert (found["expiring_90"].count, found["expiring_90"].trend) == (0, "")
    assert found["expiring_90"].direction == ""


def test_staff_without_the_lists_get_no_tiles() -> None:
    from tests.factories import UserFactory

    assert tiles(UserFactory(username="nobody", is_staff=True)) == {}
