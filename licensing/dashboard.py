"""What the officers' dashboard (the admin's home page) reads: counts by state, the officer's
own queue and its deadlines, licences expiring soon or in their renewal grace period, the
reminders sent and whether they were delivered, and expiries per month.

Every count goes through ``selectors.visible_*``, so a user sees numbers about what it may see
and nothing else. Each is one aggregate query answered from an index (state; the partial index
on active licences' expiry; the reminders' creation time): docs/benchmarks.md has the times
at a million licences.

The chart is an SVG drawn on the server, so its labels are laid out here from an upper
estimate of their widths (``text_width``, ``text_box``; the network drawing of
``duediligence.network`` uses them too), so that no two overlap."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Count, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from licensing import glance, selectors, tallies
from licensing.models import (
    Application,
    ApplicationState,
    ExpiryReminder,
    LicenceState,
    NotificationStatus,
)
from licensing.models.applications import OPEN_STATES
from licensing.svg_text import Box, boxes_overlap, text_box, text_width

EXPIRY_WINDOWS = (30, 60, 90)
CHART_MONTHS = 12
# The chart's drawing, in the units of its viewBox (it is scaled to the card's width, its text
# with it, so a layout without overlaps here has none at any width): the bars stand on
# CHART_BASE, the tallest reaching CHART_TOP; under them a line of month labels and one of years.
CHART_WIDTH = 600
CHART_TOP = 18
CHART_BASE = 140
CHART_FONT = 11  # px, as admin.css draws .dashboard-label and .dashboard-value
CHART_LINE = 16  # from one line of labels to the next: the tallest of the usual fonts' boxes
CHART_MONTH_Y = CHART_BASE + CHART_LINE  # the baselines of the months' and the years' labels
CHART_YEAR_Y = CHART_BASE + 2 * CHART_LINE
CHART_HEIGHT = CHART_YEAR_Y + 8
LABEL_GAP = 4  # the least room between two labels side by side
# Reminders of this many days are counted on the dashboard.
REMINDER_DAYS_SHOWN = 30


@dataclass(frozen=True)
class Tally:
    label: str
    count: int
    url: str = ""


@dataclass(frozen=True)
class Deadline:
    application: Application
    due_on: dt.date
    url: str

    @property
    def overdue(self) -> bool:
        return self.due_on < timezone.localdate()


@dataclass(frozen=True)
class Bar:
    """One month's bar; ``label`` names the month in full (the bar's title), ``month`` and
    ``year`` are what is written under it (either may be empty when there is no room)."""

    label: str
    count: int
    x: float
    y: float
    height: float
    width: float = 0.0
    centre: float = 0.0
    month: str = ""
    year: str = ""
    show_count: bool = True
    url: str = ""

    @property
    def count_y(self) -> float:
        """The baseline of the count written above the bar."""
        return round(self.y - 4, 1)


def _by_state(
    rows: QuerySet[Any], choices: Any, changelist: str, table: str, whole: bool
) -> list[Tally]:
    """Counts by state: of the whole register from the counts the triggers keep
    (``licensing.tallies``) where they are kept, else of the rows this user may see."""
    kept = tallies.counts(table) if whole else None
    counts = (
        kept
        if kept is not None
        else dict(rows.order_by().values_list("state").annotate(n=Count("*")))
    )
    base = reverse(changelist)
    return [
        Tally(label=str(label), count=counts.get(value, 0), url=f"{base}?state__exact={value}")
        for value, label in choices
    ]


def application_states(user: Any) -> list[Tally]:
    return _by_state(
        selectors.visible_applications(user),
        ApplicationState.choices,
        "admin:licensing_application_changelist",
        "application",
        whole=user.has_perm("licensing.view_application"),
    )


def licence_states(user: Any) -> list[Tally]:
    return _by_state(
        selectors.visible_licences(user),
        LicenceState.choices,
        "admin:licensing_licence_changelist",
        "licence",
        whole=user.has_perm("licensing.view_licence"),
    )


def application_deadline(application: Application) -> dt.date:
    """The answer's due date while the applicant is asked; else the decision target."""
    requested = [r.due_on for r in application.information_requests.all() if r.answered_at is None]
    if application.state == ApplicationState.INFORMATION_REQUESTED and requested:
        return min(requested)
    submitted = timezone.localdate(application.submitted_at or application.created_at)
    return submitted + dt.timedelta(days=settings.DECISION_TARGET_DAYS)


def queue(user: Any, limit: int = 10) -> dict[str, Any]:
    """The officer's own open cases, with deadlines, and how many are waiting for anyone."""
    open_cases = selectors.visible_applications(user).filter(state__in=OPEN_STATES)
    mine = open_cases.filter(assigned_officer=user)
    rows = list(
        mine.order_by("submitted_at", "pk")
        .select_related("party")
        .prefetch_related("information_requests")[:limit]
    )
    deadlines = sorted(
        (
            Deadline(
                application=a,
                due_on=application_deadline(a),
                url=reverse("admin:licensing_application_change", args=[a.pk]),
            )
            for a in rows
        ),
        key=lambda d: d.due_on,
    )
    changelist = reverse("admin:licensing_application_changelist")
    return {
        "mine": mine.count(),
        "unassigned": open_cases.filter(assigned_officer__isnull=True).count(),
        "deadlines": deadlines,
        "mine_url": f"{changelist}?queue=open&officer=mine",
        "unassigned_url": f"{changelist}?queue=open&officer=none",
    }


def expiries_by_day(user: Any, today: dt.date, months: int = CHART_MONTHS) -> dict[dt.date, int]:
    """Active licences by expiry day, from the first of this month for ``months`` months: one
    scan of the partial index on active licences' expiry, which both the 30/60/90-day counts
    and the chart are summed from."""
    start = today.replace(day=1)
    return dict(
        selectors.visible_licences(user)
        .filter(selectors.expiring(start, _add_months(start, months)))
        .order_by()
        .values_list("expires_on")
        .annotate(n=Count("*"))
    )


def expiring(by_day: dict[dt.date, int], today: dt.date) -> list[Tally]:
    """Active licences expiring within 30, 60 and 90 days, as the licence list filters them
    (today to today + N days, both included)."""
    base = reverse("admin:licensing_licence_changelist")
    return [
        Tally(
            label=str(days),
            count=sum(
                n for day, n in by_day.items() if today <= day <= today + dt.timedelta(days=days)
            ),
            url=f"{base}?expires={days}",
        )
        for days in EXPIRY_WINDOWS
    ]


def in_grace_period(user: Any, today: dt.date) -> Tally:
    """Art. 6.3(f): expired, and still renewable (``Licence.is_renewable``)."""
    since = today - dt.timedelta(days=settings.LICENCE_RENEWAL_GRACE_DAYS)
    count = (
        selectors.visible_licences(user)
        .filter(state=LicenceState.EXPIRED, expires_on__gte=since)
        .count()
    )
    base = reverse("admin:licensing_licence_changelist")
    return Tally(label="grace", count=count, url=f"{base}?expires=grace")


def reminders_sent(user: Any, today: dt.date) -> list[Tally]:
    """Reminders of the last days, by the delivery status of the holder's e-mail."""
    since = timezone.make_aware(
        dt.datetime.combine(today - dt.timedelta(days=REMINDER_DAYS_SHOWN), dt.time.min)
    )
    rows = ExpiryReminder.objects.filter(created_at__gte=since)
    if not user.has_perm("licensing.view_licence"):
        rows = rows.filter(licence__in=selectors.visible_licences(user))
    counts = dict(
        rows.order_by().values_list("holder_notification__status").annotate(n=Count("pk"))
    )
    return [
        Tally(label=str(label), count=counts.get(value, 0))
        for value, label in NotificationStatus.choices
    ]


def expiries_per_month(
    by_day: dict[dt.date, int], today: dt.date, months: int = CHART_MONTHS
) -> list[Bar]:
    """Active licences by the month their term ends, this month and the next ones, as bars of
    a chart CHART_WIDTH by CHART_HEIGHT (the template draws them; labels are escaped there).
    Labels are laid out so that none overlaps another (``month_labels``); a count is written
    above its bar where it has room (the bar's title always has it)."""
    start = today.replace(day=1)
    counts: dict[dt.date, int] = {}
    for day, n in by_day.items():
        month = day.replace(day=1)
        counts[month] = counts.get(month, 0) + n
    return month_bars(counts, [_add_months(start, index) for index in range(months)])


def month_bars(counts: dict[dt.date, int], firsts: list[dt.date]) -> list[Bar]:
    """A bar for each month of ``firsts`` (first days), ``counts`` high, laid out as
    ``expiries_per_month`` says; the management pages draw theirs with it too."""
    peak = max(counts.values(), default=0) or 1
    slot = CHART_WIDTH / max(len(firsts), 1)
    labels = month_labels(firsts, slot)
    bars: list[Bar] = []
    shown: list[Box] = []
    for index, month in enumerate(firsts):
        count = counts.get(month, 0)
        height = round((CHART_BASE - CHART_TOP) * count / peak, 1)
        centre = round((index + 0.5) * slot, 1)
        y = round(CHART_BASE - height, 1)
        box = text_box(centre, round(y - 4, 1), str(count), CHART_FONT)  # at Bar.count_y
        show_count = not any(boxes_overlap(box, other, LABEL_GAP) for other in shown)
        if show_count:
            shown.append(box)
        bars.append(
            Bar(
                label=date_format(month, "M Y"),
                count=count,
                x=round(index * slot + slot * 0.12, 1),
                y=y,
                height=height,
                width=round(slot * 0.76, 1),
                centre=centre,
                month=labels[index][0],
                year=labels[index][1],
                show_count=show_count,
            )
        )
    return bars


def month_labels(months: list[dt.date], slot: float) -> list[tuple[str, str]]:
    """What is written under each bar, ``slot`` wide: the month and year on one line when
    every label fits its slot; else the month on the first line and the year on the second,
    under the first month labelled and the first of each year; and when even that does not
    fit, every second (third, ...) month only, so that no two labels overlap."""
    full = [date_format(month, "M Y") for month in months]
    if max(text_width(label, CHART_FONT) for label in full) + LABEL_GAP <= slot:
        return [(label, "") for label in full]
    short = [date_format(month, "M") for month in months]
    years = [date_format(month, "Y") for month in months]
    widest = max(text_width(text, CHART_FONT) for text in [*short, *years])
    stride = max(1, math.ceil((widest + LABEL_GAP) / slot))
    labels: list[tuple[str, str]] = []
    last_year = ""
    for index, (month, year) in enumerate(zip(short, years, strict=True)):
        if index % stride:
            labels.append(("", ""))
            continue
        labels.append((month, year if year != last_year else ""))
        last_year = year
    return labels


def chart_boxes(bars: list[Bar]) -> list[Box]:
    """The boxes of every text the chart writes, at most (as the template writes them)."""
    boxes = []
    for bar in bars:
        if bar.show_count:
            boxes.append(text_box(bar.centre, bar.count_y, str(bar.count), CHART_FONT))
        if bar.month:
            boxes.append(text_box(bar.centre, CHART_MONTH_Y, bar.month, CHART_FONT))
        if bar.year:
            boxes.append(text_box(bar.centre, CHART_YEAR_Y, bar.year, CHART_FONT))
    return boxes


def chart_frame(bars: list[Bar]) -> dict[str, Any]:
    """The chart's viewBox, wide enough for a label that reaches past the first or the last
    bar, and the baselines of its lines of labels."""
    boxes = chart_boxes(bars)
    left = math.floor(min([0.0, *(box[0] for box in boxes)]))
    right = math.ceil(max([float(CHART_WIDTH), *(box[2] for box in boxes)]))
    return {
        "view_box": f"{left} 0 {right - left} {CHART_HEIGHT}",
        "month_y": CHART_MONTH_Y,
        "year_y": CHART_YEAR_Y,
    }


def _add_months(day: dt.date, months: int) -> dt.date:
    total = day.year * 12 + day.month - 1 + months
    return dt.date(total // 12, total % 12 + 1, 1)


@dataclass(frozen=True)
class Tile:
    """A card an app above the core adds to the dashboard (``register_tile``): a title and its
    counts, each a link to the list it counts."""

    title: str
    tallies: list[Tally]


_tiles: list[Callable[[Any], Tile | None]] = []


def register_tile(tile: Callable[[Any], Tile | None]) -> None:
    """``tile(user)`` returns its card, or None when this user has nothing to see there."""
    if tile not in _tiles:
        _tiles.append(tile)


def app_tiles(user: Any) -> list[Tile]:
    return [card for card in (tile(user) for tile in _tiles) if card is not None]


def dashboard(user: Any) -> dict[str, Any]:
    today = timezone.localdate()
    by_day = expiries_by_day(user, today)
    chart = expiries_per_month(by_day, today)
    return {
        "application_states": application_states(user),
        "licence_states": licence_states(user),
        "queue": queue(user),
        "expiring": expiring(by_day, today),
        "grace": in_grace_period(user, today),
        "reminders": reminders_sent(user, today),
        "reminder_days": REMINDER_DAYS_SHOWN,
        "chart": chart,
        "chart_frame": chart_frame(chart),
        "tiles": app_tiles(user),
        "glances": glance.glances(user, today),
        "today": today,
    }


def shows_dashboard(user: Any) -> bool:
    """Licence officers and senior officers: whoever works the application queue."""
    return bool(
        user.is_active
        and user.is_staff
        and user.has_perm("licensing.review_application")
        and user.has_perm("licensing.view_licence")
    )
