"""The returns a licence owes (Art. 9.1, 9.2): one per month or quarter while it is in force,
each due ``RETURN_DUE_DAYS`` after its period ends. The job opens them as they begin.

Exactly once: a period is a row unique on ``(licence, starts_on)``
(``return_period_once_per_licence``), inserted with ``ignore_conflicts``, so a second run, a
second beat or two workers at once open each period once."""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Iterable

from django.conf import settings
from django.utils import timezone

from licensing.controls import controls_for
from licensing.models.licences import Licence, LicenceState
from returns.models import Frequency, ReturnPeriod

logger = logging.getLogger(__name__)

# A licence in force owes returns; one suspended still does (its stock and trade of the
# period are what the officers need to see). Ended licences owe the periods opened before.
OWING_STATES = (LicenceState.ACTIVE, LicenceState.SUSPENDED)
MONTHS = {Frequency.MONTHLY: 1, Frequency.QUARTERLY: 3}


def frequency_of(activities: Iterable[str] | None) -> str:
    """Monthly when any of these activities files monthly (``RETURN_MONTHLY_ACTIVITIES``),
    else quarterly."""
    if settings.RETURN_MONTHLY_ACTIVITIES.intersection(activities or []):
        return Frequency.MONTHLY
    return Frequency.QUARTERLY


def frequency_for(licence: Licence) -> str:
    """The licence's frequency, by its activities, or monthly under stricter controls (a site
    in a free zone, Art. 12.1: ``licensing.controls``)."""
    return frequencies_for([licence])[licence.pk]


def frequencies_for(licences: Iterable[Licence]) -> dict[int, str]:
    """``frequency_for`` of many licences, asking the stricter controls once."""
    licences = list(licences)
    stricter = controls_for(licence.pk for licence in licences)
    return {
        licence.pk: Frequency.MONTHLY
        if licence.pk in stricter and stricter[licence.pk].monthly_returns
        else frequency_of(licence.activities)
        for licence in licences
    }


def period_containing(day: dt.date, frequency: str) -> tuple[dt.date, dt.date]:
    """The calendar month or quarter that holds ``day``: (first day, last day)."""
    months = MONTHS[Frequency(frequency)]
    first_month = months * ((day.month - 1) // months) + 1
    starts = day.replace(month=first_month, day=1)
    return starts, _next_start(starts, months) - dt.timedelta(days=1)


def _next_start(starts: dt.date, months: int) -> dt.date:
    month = starts.month - 1 + months
    return starts.replace(year=starts.year + month // 12, month=month % 12 + 1, day=1)


def last_day_in_force(licence: Licence) -> dt.date:
    """The expiry job ends a licence on its ``expires_on``: the day before is its last."""
    return licence.expires_on - dt.timedelta(days=1)


def periods_owed(
    licence: Licence, today: dt.date, frequency: str | None = None
) -> list[tuple[dt.date, dt.date]]:
    """The periods the job should have opened for ``licence`` by ``today``: from the one that
    holds ``valid_from``, those that have begun, up to the one that holds the licence's last
    day if it has ended, and not those that ended more than ``RETURN_LOOK_BACK_DAYS`` ago (a
    first run over a register of old licences opens no years of returns). None for a licence
    not in force (active or suspended) or not yet valid."""
    if licence.state not in OWING_STATES or licence.valid_from > today:
        return []
    frequency = frequency or frequency_for(licence)
    months = MONTHS[Frequency(frequency)]
    oldest_end = today - dt.timedelta(days=settings.RETURN_LOOK_BACK_DAYS)
    last = min(today, last_day_in_force(licence))
    owed = []
    # Periods before the one that holds ``oldest_end`` ended before it: start there at once.
    starts, ends = period_containing(max(licence.valid_from, oldest_end), frequency)
    while starts <= last:
        owed.append((starts, ends))
        starts = ends + dt.timedelta(days=1)
        ends = _next_start(starts, months) - dt.timedelta(days=1)
    return owed


def _existing(licence_ids: list[int], since: dt.date) -> dict[int, list[tuple[dt.date, dt.date]]]:
    """The periods of these licences that end on or after ``since`` (the first day owed):
    any that could overlap a period owed."""
    found: dict[int, list[tuple[dt.date, dt.date]]] = defaultdict(list)
    rows = ReturnPeriod.objects.filter(licence_id__in=licence_ids, ends_on__gte=since)
    for licence_id, starts, ends in rows.values_list("licence_id", "starts_on", "ends_on"):
        found[licence_id].append((starts, ends))
    return found


def _new_periods(licences: Iterable[Licence], today: dt.date) -> list[ReturnPeriod]:
    licences = list(licences)
    frequencies = frequencies_for(licences)
    owed = {licence: periods_owed(licence, today, frequencies[licence.pk]) for licence in licences}
    owed = {licence: periods for licence, periods in owed.items() if periods}
    if not owed:
        return []
    since = min(periods[0][0] for periods in owed.values())
    existing = _existing([licence.pk for licence in owed], since)
    due_days = dt.timedelta(days=settings.RETURN_DUE_DAYS)
    new = []
    for licence, periods in owed.items():
        frequency = frequencies[licence.pk]
        for starts, ends in periods:
            # A licence whose activities changed files at the new frequency: a period that
            # overlaps those opened before begins the day after them, so no day is owed twice
            # and none is left out.
            covered = [e for s, e in existing.get(licence.pk, []) if s <= ends and starts <= e]
            if covered:
                starts = max(covered) + dt.timedelta(days=1)
                if starts > ends:
                    continue
            new.append(
                ReturnPeriod(
                    licence_id=licence.pk,
                    party_id=licence.holder_id,
                    frequency=frequency,
                    starts_on=starts,
                    ends_on=ends,
                    due_on=ends + due_days,
                )
            )
    return new


def open_periods(*, today: dt.date | None = None, batch_size: int = 1000) -> int:
    """The job: open every period owed by today by the licences in force, in batches of
    licences by id (bounded memory; each batch one insert). Safe to run twice or at once:
    the unique constraint drops a period another run has opened. Returns how many periods it
    found missing and inserted (two runs at once may both count one that only one wrote)."""
    today = today or timezone.localdate()
    fields = ("pk", "holder_id", "state", "activities", "valid_from", "expires_on")
    licences = Licence.objects.filter(state__in=OWING_STATES, valid_from__lte=today).only(*fields)
    opened = 0
    last_pk = 0
    while True:
        batch = list(licences.filter(pk__gt=last_pk).order_by("pk")[:batch_size])
        if not batch:
            return opened
        new = _new_periods(batch, today)
        ReturnPeriod.objects.bulk_create(new, ignore_conflicts=True)
        opened += len(new)
        last_pk = batch[-1].pk
        logger.info("return periods: %d opened so far (up to licence %d)", opened, last_pk)
        if len(batch) < batch_size:
            return opened
