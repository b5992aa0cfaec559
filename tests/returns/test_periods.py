"""Art. 9.1, 9.2: the periods a licence owes, monthly or quarterly by its activities, and the
job that opens them, once each."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from licensing.models import Licence, LicenceState
from returns.models import Frequency, ReturnPeriod
from returns.services.periods import frequency_for, open_periods, period_containing, periods_owed
from tests.factories import LicenceFactory

D = dt.date
MONTHLY = ["import", "wholesale"]  # import files monthly
QUARTERLY = ["wholesale", "retail"]


def licence(
    activities: list[str], valid_from: dt.date, state: str = LicenceState.ACTIVE, **kwargs: Any
) -> Licence:
    """Unsaved: the periods are worked out from the licence's fields alone."""
    kwargs.setdefault("expires_on", valid_from + dt.timedelta(days=730))
    return Licence(activities=activities, valid_from=valid_from, state=state, **kwargs)


def test_a_licence_with_any_monthly_activity_files_monthly() -> None:
    assert frequency_for(licence(MONTHLY, D(2027, 1, 1))) == Frequency.MONTHLY
    assert frequency_for(licence(["manufacture_products"], D(2027, 1, 1))) == Frequency.MONTHLY
    assert frequency_for(licence(QUARTERLY, D(2027, 1, 1))) == Frequency.QUARTERLY


def test_the_monthly_activities_come_from_the_settings(settings: Any) -> None:
    settings.RETURN_MONTHLY_ACTIVITIES = frozenset({"retail"})
    assert frequency_for(licence(QUARTERLY, D(2027, 1, 1))) == Frequency.MONTHLY
    assert frequency_for(licence(["import"], D(2027, 1, 1))) == Frequency.QUARTERLY


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (D(2027, 1, 1), (D(2027, 1, 1), D(2027, 1, 31))),
        (D(2027, 1, 31), (D(2027, 1, 1), D(2027, 1, 31))),
        (D(2027, 2, 14), (D(2027, 2, 1), D(2027, 2, 28))),
        (D(2028, 2, 29), (D(2028, 2, 1), D(2028, 2, 29))),
        (D(2027, 4, 30), (D(2027, 4, 1), D(2027, 4, 30))),
        (D(2027, 12, 31), (D(2027, 12, 1), D(2027, 12, 31))),
    ],
)
def test_a_month_runs_from_its_first_to_its_last_day(day: dt.date, expected: tuple) -> None:
    assert period_containing(day, Frequency.MONTHLY) == expected


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (D(2027, 1, 1), (D(2027, 1, 1), D(2027, 3, 31))),
        (D(2027, 3, 31), (D(2027, 1, 1), D(2027, 3, 31))),
        (D(2027, 4, 1), (D(2027, 4, 1), D(2027, 6, 30))),
        (D(2027, 9, 30), (D(2027, 7, 1), D(2027, 9, 30))),
        (D(2027, 11, 15), (D(2027, 10, 1), D(2027, 12, 31))),
        (D(2027, 12, 31), (D(2027, 10, 1), D(2027, 12, 31))),
    ],
)
def test_a_quarter_is_a_calendar_quarter(day: dt.date, expected: tuple) -> None:
    assert period_containing(day, Frequency.QUARTERLY) == expected


def test_a_licence_issued_mid_quarter_owes_that_whole_quarter_and_those_begun() -> None:
    issued = licence(QUARTERLY, D(2027, 2, 15))
    assert periods_owed(issued, D(2027, 5, 10)) == [
        (D(2027, 1, 1), D(2027, 3, 31)),
        (D(2027, 4, 1), D(2027, 6, 30)),
    ]
    assert periods_owed(issued, D(2027, 2, 15)) == [(D(2027, 1, 1), D(2027, 3, 31))]


def test_a_monthly_licence_owes_each_month_begun_across_the_year_end() -> None:
    issued = licence(MONTHLY, D(2026, 11, 20))
    assert periods_owed(issued, D(2027, 1, 1)) == [
        (D(2026, 11, 1), D(2026, 11, 30)),
        (D(2026, 12, 1), D(2026, 12, 31)),
        (D(2027, 1, 1), D(2027, 1, 31)),
    ]
    assert periods_owed(issued, D(2026, 12, 31))[-1] == (D(2026, 12, 1), D(2026, 12, 31))


def test_periods_ended_longer_ago_than_the_look_back_are_not_owed(settings: Any) -> None:
    settings.RETURN_LOOK_BACK_DAYS = 120
    old = licence(QUARTERLY, D(2024, 1, 10), expires_on=D(2028, 1, 10))
    # 120 days before 2027-05-10 is 2027-01-10: the last quarter of 2026 ended before it.
    assert periods_owed(old, D(2027, 5, 10)) == [
        (D(2027, 1, 1), D(2027, 3, 31)),
        (D(2027, 4, 1), D(2027, 6, 30)),
    ]
    # Ended exactly 120 days ago: still owed.
    assert periods_owed(old, D(2027, 4, 30))[0] == (D(2026, 10, 1), D(2026, 12, 31))


def test_an_ended_licence_owes_up_to_the_period_of_its_last_day() -> None:
    # The expiry job ends it on 2027-03-01: its last day in force is 28 February.
    ended = licence(MONTHLY, D(2025, 3, 1), expires_on=D(2027, 3, 1))
    assert periods_owed(ended, D(2027, 4, 15))[-1] == (D(2027, 2, 1), D(2027, 2, 28))
    mid_month = licence(MONTHLY, D(2025, 3, 15), expires_on=D(2027, 3, 15))
    assert periods_owed(mid_month, D(2027, 4, 15))[-1] == (D(2027, 3, 1), D(2027, 3, 31))


@pytest.mark.parametrize("state", ["revoked", "expired", "surrendered", "transferred"])
def test_a_licence_not_in_force_owes_no_new_period(state: str) -> None:
    ended = licence(QUARTERLY, D(2027, 1, 5), state=state)
    assert periods_owed(ended, D(2027, 6, 1)) == []


def test_a_suspended_licence_still_owes_its_periods() -> None:
    suspended = licence(QUARTERLY, D(2027, 1, 5), state=LicenceState.SUSPENDED)
    assert periods_owed(suspended, D(2027, 1, 6)) == [(D(2027, 1, 1), D(2027, 3, 31))]


def test_a_licence_not_yet_valid_owes_nothing() -> None:
    assert periods_owed(licence(QUARTERLY, D(2027, 2, 1)), D(2027, 1, 31)) == []


@pytest.mark.django_db
def test_the_job_opens_each_period_once_with_its_due_date_and_licensee(settings: Any) -> None:
    settings.RETURN_DUE_DAYS = 20
    monthly: Any = LicenceFactory(activities=MONTHLY, valid_from=D(2027, 1, 10))
    quarterly: Any = LicenceFactory(activities=QUARTERLY, valid_from=D(2027, 1, 10))
    LicenceFactory(activities=QUARTERLY, valid_from=D(2027, 1, 10), revoked=True)
    today = D(2027, 3, 5)

    assert open_periods(today=today, batch_size=1) == 4  # January to March, and Q1
    assert open_periods(today=today, batch_size=1) == 0
    assert open_periods(today=today) == 0
    assert ReturnPeriod.objects.count() == 4

    q1 = ReturnPeriod.objects.get(licence=quarterly)
    assert (q1.frequency, q1.starts_on, q1.ends_on) == (
        Frequency.QUARTERLY,
        D(2027, 1, 1),
        D(2027, 3, 31),
    )
    assert q1.due_on == D(2027, 4, 20)
    assert q1.party == quarterly.holder
    months = ReturnPeriod.objects.filter(licence=monthly).order_by("starts_on")
    assert [(p.starts_on, p.due_on) for p in months] == [
        (D(2027, 1, 1), D(2027, 2, 20)),
        (D(2027, 2, 1), D(2027, 3, 20)),
        (D(2027, 3, 1), D(2027, 4, 20)),
    ]
    assert {p.frequency for p in months} == {Frequency.MONTHLY}

    assert open_periods(today=D(2027, 4, 1)) == 2  # April, and Q2
    assert ReturnPeriod.objects.count() == 6


@pytest.mark.django_db
def test_a_period_opened_by_another_run_meanwhile_is_not_opened_twice() -> None:
    licensed: Any = LicenceFactory(activities=QUARTERLY, valid_from=D(2027, 1, 10))
    ReturnPeriod.objects.create(
        licence=licensed,
        party=licensed.holder,
        frequency=Frequency.QUARTERLY,
        starts_on=D(2027, 1, 1),
        ends_on=D(2027, 3, 31),
        due_on=D(2027, 4, 20),
    )
    assert open_periods(today=D(2027, 4, 2)) == 1  # Q2 only
    assert ReturnPeriod.objects.filter(licence=licensed).count() == 2


@pytest.mark.django_db
def test_a_changed_frequency_owes_each_day_once() -> None:
    licensed: Any = LicenceFactory(activities=MONTHLY, valid_from=D(2027, 1, 10))
    open_periods(today=D(2027, 2, 10))  # January and February, monthly
    licensed.activities = QUARTERLY
    licensed.save(update_fields=["activities"])
    open_periods(today=D(2027, 4, 2))
    periods = ReturnPeriod.objects.filter(licence=licensed).order_by("starts_on")
    assert [(p.starts_on, p.ends_on) for p in periods] == [
        (D(2027, 1, 1), D(2027, 1, 31)),
        (D(2027, 2, 1), D(2027, 2, 28)),
        (D(2027, 3, 1), D(2027, 3, 31)),  # the rest of the first quarter
        (D(2027, 4, 1), D(2027, 6, 30)),
    ]


@pytest.mark.django_db
def test_the_job_reads_licences_in_batches_not_one_by_one() -> None:
    def queries(count: int) -> int:
        for _ in range(count):
            LicenceFactory(activities=QUARTERLY, valid_from=D(2027, 1, 10))
        with CaptureQueriesContext(connection) as captured:
            assert open_periods(today=D(2027, 1, 20), batch_size=100) == count
        return len(captured)

    assert queries(2) == queries(6)
