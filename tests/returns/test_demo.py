"""The returns' part of the demo world (``returns.demo``), built by the core's story runner as
``manage.py build_demo_fixture`` builds it, on a fixed build day: what the officers' queue and
the browser test of filing in Hungarian need."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.contrib.auth import get_user_model

from licensing.demo.users import demo_password
from licensing.demo.world import build_world
from licensing.models import Notification
from licensing.signals import demo_loaded
from returns.demo import HUNGARIAN_PARTY, HUNGARIAN_USERNAME
from returns.models import Return, ReturnPeriod, ReturnReminder
from returns.models.periods import PeriodStatus
from returns.services.filing import may_file

BUILD_DAY = dt.datetime(2026, 12, 5, 18, 0, tzinfo=dt.UTC)


@pytest.fixture
def world(db, django_capture_on_commit_callbacks):
    # build_demo_fixture commits each step; here the checks a filing starts after its commit
    # run once the world is built.
    with (
        time_machine.travel(BUILD_DAY, tick=True),
        django_capture_on_commit_callbacks(execute=True),
    ):
        built = build_world(today=BUILD_DAY.date())
    return built


def run_jobs() -> None:
    from returns.tasks import run_return_jobs

    run_return_jobs()


def test_fjordtobakk_filed_its_months_one_flagged_and_its_last_month_is_due(world):
    with time_machine.travel(BUILD_DAY, tick=True):
        filed = list(
            Return.objects.filter(period__party__legal_name="Fjordtobakk AS").order_by("pk")
        )
        assert len(filed) >= 3
        for one in filed:
            assert one.lines.count() == 2
            assert one.payments.count() == 2
            assert one.counterparts.filter(role="supplier").count() == 1
        unlicensed = [r for r in filed if r.counterparts.filter(name="Kiosk Bryggen AS")]
        assert unlicensed == [filed[2]]
        # The checks ran when each was filed: only the unlicensed customer is flagged.
        assert [r.flag_count for r in filed] == [1 if r == filed[2] else 0 for r in filed]
        flagged = filed[2].check_results.get(code="counterparts")
        assert flagged.is_flag
        assert "Kiosk Bryggen AS" in flagged.summary
        open_ = ReturnPeriod.objects.filter(
            party__legal_name="Fjordtobakk AS", filed_at__isnull=True
        )
        assert {p.starts_on: p.status() for p in open_} == {
            dt.date(2026, 11, 1): PeriodStatus.DUE,
            dt.date(2026, 12, 1): PeriodStatus.UPCOMING,
        }


def test_alfoldi_owes_last_quarter_and_the_hungarian_user_may_file_it(world):
    with time_machine.travel(BUILD_DAY, tick=True):
        period = ReturnPeriod.objects.get(
            party__legal_name=HUNGARIAN_PARTY, starts_on=dt.date(2026, 7, 1)
        )
        assert period.frequency == "quarterly"
        assert period.filed_at is None
        demo_loaded.send(sender=None)  # what load_demo sends once the fixture is in
        user = get_user_model().objects.get(username=HUNGARIAN_USERNAME)
        assert user.portal_profile.language == "hu"
        assert user.check_password(demo_password())
        assert may_file(user, period)
        other = ReturnPeriod.objects.filter(party__legal_name="Fjordtobakk AS").earliest("pk")
        assert not may_file(user, other)


def test_the_next_job_run_sends_one_chaser_for_nordlys_forgotten_month_and_nothing_else(world):
    with time_machine.travel(BUILD_DAY, tick=True):
        # The last month that ended before the first run's look-back (returns.demo).
        forgotten = ReturnPeriod.objects.get(
            party__legal_name="Nordlys Import AS", starts_on=dt.date(2026, 6, 1)
        )
        assert not forgotten.reminders.exists()
        assert forgotten.status() == PeriodStatus.OVERDUE
        reminders, mails = ReturnReminder.objects.count(), Notification.objects.count()
        run_jobs()
        new = ReturnReminder.objects.order_by("-pk")[: ReturnReminder.objects.count() - reminders]
        assert [(r.period_id, r.kind) for r in new] == [(forgotten.pk, "after")]
        assert Notification.objects.count() == mails + 1
        run_jobs()
        assert ReturnReminder.objects.count() == reminders + 1
