"""What the officers' dashboard (the admin's home page) reads: counts by state, the officer's
own queue and its deadlines, licences expiring soon or in their renewal grace period, the
reminders sent and whether they were delivered, and expiries per month.

Every count goes through ``selectors.visible_*``, so a user sees numbers about what it may see
and nothing else. Each is one aggregate query answered from an index (state; the partial index
on active licences' expiry; the reminders' creation time): docs/benchmarks.md has the times
at a million licences."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Count, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from licensing import selectors
from licensing.models import (
    Application,
    ApplicationState,
    ExpiryReminder,
    LicenceState,
    NotificationStatus,
)
from licensing.models.applications import OPEN_STATES

EXPIRY_WINDOWS = (30, 60, 90)
CHART_MONTHS = 12
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
    label: str
    count: int
    x: int
    y: int
    height: int
    url: str = ""


def _by_state(rows: QuerySet[Any], choices: Any, changelist: str) -> list[Tally]:
    counts = dict(rows.order_by().values_list("state").annotate(n=Count("*")))
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
    )


def licence_states(user: Any) -> list[Tally]:
    return _by_state(
        selectors.visible_licences(user), LicenceState.choices, "admin:licensing_licence_changelist"
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
    a chart 600 by 160 (the template draws them; labels are escaped there)."""
    start = today.replace(day=1)
    counts: dict[dt.date, int] = {}
    for day, n in by_day.items():
        month = day.replace(day=1)
        counts[month] = counts.get(month, 0) + n
    peak = max(counts.values(), default=0) or 1
    width = 600 // months
    bars = []
    for index in range(months):
        month = _add_months(start, index)
        count = counts.get(month, 0)
        height = round(120 * count / peak)
        bars.append(
            Bar(
                label=date_format(month, "M Y"),
                count=count,
                x=index * width,
                y=130 - height,
                height=height,
            )
        )
    return bars


def _add_months(day: dt.date, months: int) -> dt.date:
    total = day.year * 12 + day.month - 1 + months
    return dt.date(total // 12, total % 12 + 1, 1)


def dashboard(user: Any) -> dict[str, Any]:
    today = timezone.localdate()
    by_day = expiries_by_day(user, today)
    return {
        "application_states": application_states(user),
        "licence_states": licence_states(user),
        "queue": queue(user),
        "expiring": expiring(by_day, today),
        "grace": in_grace_period(user, today),
        "reminders": reminders_sent(user, today),
        "reminder_days": REMINDER_DAYS_SHOWN,
        "chart": expiries_per_month(by_day, today),
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
