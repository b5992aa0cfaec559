"""The flow of applications by month (issue 22): submitted, decided, withdrawn, open at the
month's end, and the days each decision took. ``refresh_month`` sums one month from the
applications and the audit trail into ``CaseFlow`` rows; the pages read only those rows, so a
page costs what its months cost, not what the register holds.

A month's figures change after it ends only when its data does (an application submitted in it
and decided later changes the later month, not this one), so the job refreshes the current and
the previous month; ``manage.py refresh_management_figures`` rebuilds any range (after an import, or
the first time)."""

from __future__ import annotations

import datetime as dt
import math
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import BigIntegerField, Count, Q
from django.db.models.functions import Cast
from django.utils import timezone

from licensing.models import (
    Application,
    ApplicationKind,
    ApplicationState,
    AuditEvent,
    Verb,
)
from reports.models import CaseFlow

DECIDED = (ApplicationState.APPROVED, ApplicationState.REFUSED)


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def next_month(month: dt.date) -> dt.date:
    return (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def months(first: dt.date, last: dt.date) -> list[dt.date]:
    found, month = [], month_start(first)
    while month <= last:
        found.append(month)
        month = next_month(month)
    return found


def instant(day: dt.date) -> dt.datetime:
    """The start of ``day`` in the authority's time zone."""
    return dt.datetime.combine(day, dt.time.min, tzinfo=timezone.get_current_timezone())


def _withdrawals() -> Any:
    return AuditEvent.objects.filter(
        content_type__app_label="licensing", content_type__model="application", verb=Verb.WITHDRAWN
    ).annotate(application_id=Cast("object_id", BigIntegerField()))


@transaction.atomic
def refresh_month(month: dt.date) -> list[CaseFlow]:
    """Sum ``month`` (its first day) for every kind of application, and write its rows."""
    month = month_start(month)
    since, until = instant(month), instant(next_month(month))
    submitted = Counter(
        dict(
            Application.objects.filter(submitted_at__gte=since, submitted_at__lt=until)
            .values_list("kind")
            .annotate(n=Count("pk"))
            .order_by()
        )
    )
    decided: dict[tuple[str, str], int] = {
        (kind, state): n
        for kind, state, n in Application.objects.filter(
            state__in=DECIDED, decided_at__gte=since, decided_at__lt=until
        )
        .values_list("kind", "state")
        .annotate(n=Count("pk"))
        .order_by()
    }
    days: dict[str, Counter[int]] = defaultdict(Counter)
    for kind, submitted_at, decided_at in (
        Application.objects.filter(
            state__in=DECIDED,
            decided_at__gte=since,
            decided_at__lt=until,
            submitted_at__isnull=False,
        )
        .values_list("kind", "submitted_at", "decided_at")
        .iterator(chunk_size=5000)
    ):
        days[kind][max((decided_at - submitted_at).days, 0)] += 1
    in_month = _withdrawals().filter(at__gte=since, at__lt=until).values("application_id")
    withdrawn = Counter(
        dict(
            Application.objects.filter(pk__in=in_month)
            .values_list("kind")
            .annotate(n=Count("pk"))
            .order_by()
        )
    )
    before_end = _withdrawals().filter(at__lt=until).values("application_id")
    open_at_end = Counter(
        dict(
            Application.objects.filter(submitted_at__lt=until)
            .filter(Q(decided_at__isnull=True) | Q(decided_at__gte=until))
            .exclude(state=ApplicationState.DRAFT)
            .exclude(pk__in=before_end)
            .values_list("kind")
            .annotate(n=Count("pk"))
            .order_by()
        )
    )
    deadline = settings.DECISION_DEADLINE_DAYS
    now = timezone.now()
    rows = []
    for kind in ApplicationKind.values:
        histogram = days.get(kind, Counter())
        row, _created = CaseFlow.objects.update_or_create(
            month=month,
            kind=kind,
            defaults={
                "submitted": submitted.get(kind, 0),
                "approved": decided.get((kind, ApplicationState.APPROVED), 0),
                "refused": decided.get((kind, ApplicationState.REFUSED), 0),
                "withdrawn": withdrawn.get(kind, 0),
                "open_at_end": open_at_end.get(kind, 0),
                "over_deadline": sum(n for d, n in histogram.items() if d > deadline),
                "decision_days": {str(d): n for d, n in sorted(histogram.items())},
                "refreshed_at": now,
            },
        )
        rows.append(row)
    return rows


def refresh_recent(today: dt.date | None = None) -> int:
    """The job: this month and the one before it. Returns how many rows it wrote."""
    this_month = month_start(today or timezone.localdate())
    previous = month_start(this_month - dt.timedelta(days=1))
    return len(refresh_month(previous)) + len(refresh_month(this_month))


@dataclass(frozen=True)
class MonthFigures:
    month: dt.date
    submitted: int
    decided: int
    withdrawn: int
    open_at_end: int
    median_days: float | None
    p90_days: float | None
    over_deadline: int


def _percentile(histogram: Counter[int], share: float) -> float | None:
    """The nearest-rank percentile of the days in ``histogram`` (days -> count)."""
    total = sum(histogram.values())
    if not total:
        return None
    rank, seen = max(1, math.ceil(share * total)), 0
    for days in sorted(histogram):
        seen += histogram[days]
        if seen >= rank:
            return float(days)
    return float(max(histogram))  # pragma: no cover - the loop always reaches the rank


def _median(histogram: Counter[int]) -> float | None:
    if not histogram:
        return None
    return float(statistics.median(histogram.elements()))


def figures(first: dt.date, last: dt.date, kinds: Iterable[str] = ()) -> list[MonthFigures]:
    """One line per month from ``first`` to ``last`` (months), the chosen kinds summed (every
    kind when none). Reads only ``CaseFlow``: one query, whatever the register's size."""
    chosen = list(kinds) or list(ApplicationKind.values)
    rows = CaseFlow.objects.filter(
        month__gte=month_start(first), month__lte=month_start(last), kind__in=chosen
    )
    by_month: dict[dt.date, list[CaseFlow]] = defaultdict(list)
    for row in rows:
        by_month[row.month].append(row)
    lines = []
    for month in months(first, last):
        found = by_month.get(month, [])
        histogram: Counter[int] = Counter()
        for row in found:
            histogram.update({int(d): n for d, n in row.decision_days.items()})
        lines.append(
            MonthFigures(
                month=month,
                submitted=sum(r.submitted for r in found),
                decided=sum(r.approved + r.refused for r in found),
                withdrawn=sum(r.withdrawn for r in found),
                open_at_end=sum(r.open_at_end for r in found),
                median_days=_median(histogram),
                p90_days=_percentile(histogram, 0.9),
                over_deadline=sum(r.over_deadline for r in found),
            )
        )
    return lines
