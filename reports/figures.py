"""The management pages' monthly figures (issue 22): each page (``Figure``) names its series
and how one month of them is summed from the records (``Figure.sum_month``), into
``MonthlyFigure`` rows by activity and region. The pages read only those rows, so a page costs
what its months cost, not what the register holds; ``refresh_recent`` (hourly) and
``manage.py refresh_management_figures --since`` rebuild them, and a month rebuilt twice holds
the same figures. The pages themselves are in ``reports.figure_sources``."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.functional import Promise

from reports.case_flow import instant, month_start, months, next_month
from reports.models import MonthlyFigure

# What a month's sum yields: a series, the record's activities and regions, the officer who
# decided, inspected or recorded it (a user's id, or None), and its value.
Item = tuple[str, Iterable[str], Iterable[str], int | None, Decimal | int]
Link = Callable[[dt.date, dt.date, str], str]


@dataclass(frozen=True)
class Series:
    key: str
    label: Promise | str
    # Linked to the list that counts it (only where that list can filter as the page does).
    linked: bool = False
    # A count at the month's end, not of the month: months do not add up to a total.
    stock: bool = False


@dataclass(frozen=True)
class Breakdown:
    """The period's totals of some series, broken down by a second key (the decisions by their
    ground): the month's sum yields them as "<column>:<row>" series, beside the plain ones."""

    title: Promise
    heading: Promise  # the rows' column heading
    rows: tuple[tuple[str, Promise | str], ...]  # each row's key and label
    columns: tuple[str, ...]  # keys of the figure's series broken down


@dataclass(frozen=True)
class Figure:
    slug: str
    title: Promise
    article: Promise | str
    series: tuple[Series, ...]
    charted: str  # the series drawn as bars
    sum_month: Callable[[dt.datetime, dt.datetime], Iterable[Item]]
    # Series found in the data (a currency, say), beside the fixed ones.
    open_series: bool = False
    link: Link | None = None
    money: bool = False
    notes: tuple[Promise | str, ...] = field(default=())
    breakdown: Breakdown | None = None
    # Kept by officer too (the officer who decided, inspected or recorded).
    by_officer: bool = True
    # A count of the register as it stands, not of a month's records: summed for the current
    # month only, by the daily job (``refresh_snapshots``); a past month keeps its last sum.
    snapshot: bool = False


_figures: dict[str, Figure] = {}


def register(figure: Figure) -> Figure:
    _figures[figure.slug] = figure
    return figure


def all_figures() -> list[Figure]:
    return list(_figures.values())


def get(slug: str) -> Figure | None:
    return _figures.get(slug)


@transaction.atomic
def refresh_month(figure: Figure, month: dt.date) -> int:
    """Sum ``month`` of ``figure`` and replace its rows. Returns how many rows it wrote."""
    month = month_start(month)
    sums: defaultdict[tuple[str, str, str, int], Decimal] = defaultdict(Decimal)
    for series, activities, regions, officer, value in figure.sum_month(
        instant(month), instant(next_month(month))
    ):
        for activity in {"", *activities}:
            for region in {"", *regions}:
                sums[(series, activity, region, 0)] += Decimal(value)
        if officer:
            sums[(series, "", "", officer)] += Decimal(value)
    MonthlyFigure.objects.filter(figure=figure.slug, month=month).delete()
    now = timezone.now()
    MonthlyFigure.objects.bulk_create(
        MonthlyFigure(
            figure=figure.slug,
            month=month,
            series=series,
            activity=activity,
            region=region[:100],
            officer=officer,
            value=value,
            refreshed_at=now,
        )
        for (series, activity, region, officer), value in sums.items()
    )
    return len(sums)


def refresh_range(first: dt.date, last: dt.date) -> int:
    """The months from ``first`` to ``last`` of every page that sums a month's records (a
    snapshot cannot be taken of a month gone by)."""
    return sum(
        refresh_month(f, m) for f in all_figures() if not f.snapshot for m in months(first, last)
    )


def refresh_snapshots(today: dt.date | None = None) -> int:
    """The daily job: this month's count of the pages that count the register as it stands."""
    this_month = month_start(today or timezone.localdate())
    return sum(refresh_month(f, this_month) for f in all_figures() if f.snapshot)


def refresh_recent(today: dt.date | None = None) -> int:
    """The job: this month and the one before it, for every page."""
    this_month = month_start(today or timezone.localdate())
    return refresh_range(month_start(this_month - dt.timedelta(days=1)), this_month)


@dataclass(frozen=True)
class Table:
    series: list[Series]
    rows: list[tuple[dt.date, list[Decimal]]]  # each month with its value in each series
    totals: list[Decimal]
    # The period's sums of the series found that are not columns (a breakdown's).
    others: dict[str, Decimal] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        return not any(self.totals)

    def column(self, key: str) -> dict[dt.date, Decimal]:
        index = [s.key for s in self.series].index(key)
        return {month: values[index] for month, values in self.rows}


def table(
    figure: Figure,
    first: dt.date,
    last: dt.date,
    activity: str = "",
    region: str = "",
    officer: int = 0,
) -> Table:
    """The months from ``first`` to ``last``, by series: one query of the summed rows. An
    officer's rows are of every activity and region."""
    found = MonthlyFigure.objects.filter(
        figure=figure.slug,
        month__gte=month_start(first),
        month__lte=month_start(last),
        activity="" if officer else activity,
        region="" if officer else region,
        officer=officer,
    ).values_list("month", "series", "value")
    values: dict[tuple[dt.date, str], Decimal] = defaultdict(Decimal)
    for month, key, value in found:
        values[(month, key)] += value
    series = list(figure.series)
    if figure.open_series:
        known = {s.key for s in series}
        series += [Series(k, k) for k in sorted({k for _m, k in values} - known)]
    rows = [(month, [values[(month, s.key)] for s in series]) for month in months(first, last)]
    totals = [sum((row[i] for _m, row in rows), Decimal(0)) for i in range(len(series))]
    columns = {s.key for s in series}
    others: dict[str, Decimal] = defaultdict(Decimal)
    for (_month, key), value in values.items():
        if key not in columns:
            others[key] += value
    return Table(series=series, rows=rows, totals=totals, others=dict(others))


def broken_down(figure: Figure, found: Table) -> list[tuple[Promise | str, list[Decimal]]]:
    """The rows of ``figure``'s breakdown that hold anything, each with its value in each
    broken-down column, from the table's other sums (no query)."""
    if figure.breakdown is None:
        return []
    rows = []
    for key, label in figure.breakdown.rows:
        values = [
            found.others.get(f"{column}:{key}", Decimal(0)) for column in figure.breakdown.columns
        ]
        if any(values):
            rows.append((label, values))
    return rows


def regions(figure: Figure) -> list[str]:
    """The regions the page has rows for (its filter's choices), from the summed rows."""
    return list(
        MonthlyFigure.objects.filter(figure=figure.slug)
        .exclude(region="")
        .order_by("region")
        .values_list("region", flat=True)
        .distinct()
    )


def officers(figure: Figure) -> list[tuple[int, str]]:
    """The officers the page has rows for, with their names (its filter's choices)."""
    from django.contrib.auth import get_user_model

    ids = (
        MonthlyFigure.objects.filter(figure=figure.slug)
        .exclude(officer=0)
        .values_list("officer", flat=True)
        .distinct()
    )
    users = get_user_model().objects.filter(pk__in=list(ids))
    return sorted(
        ((user.pk, user.get_full_name() or user.get_username()) for user in users),
        key=lambda pair: pair[1].casefold(),
    )
