"""The dashboard's tiles (issue 22): one figure each (open cases, overdue, expiring, returns
late, inspections overdue, destruction orders due), a link to the list it counts, and its trend
against the same figure ``GLANCE_TREND_DAYS`` ago.

The core draws the tiles and counts its own; ``reports`` registers those of the apps above the
core (``register_glance``), so the core imports none of them, and keeps the earlier figures
(a daily snapshot of the whole register, ``set_trend_source``). A trend is shown only where
the user's count is over the whole register too, so that a count of what one user may see is
never compared with a count of everything. Each figure is one aggregate query over an index
(state, due or planned date)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _

from licensing import selectors
from licensing.models.applications import OPEN_STATES


@dataclass(frozen=True)
class Glance:
    """``key`` names the figure in the snapshots; ``whole`` says the count is over the whole
    register (the user sees every record of its kind), so a trend may be drawn for it."""

    key: str
    label: str
    count: int
    url: str
    whole: bool
    previous: int | None = None

    @property
    def change(self) -> int | None:
        return None if self.previous is None else self.count - self.previous

    @property
    def trend(self) -> str:
        """The trend in words, so that it does not depend on colour or an arrow."""
        days = settings.GLANCE_TREND_DAYS
        change = self.change
        if change is None:
            return _("no figure kept %(days)s days ago yet") % {"days": days} if self.whole else ""
        if change > 0:
            return _("up %(n)s from %(days)s days ago") % {"n": change, "days": days}
        if change < 0:
            return _("down %(n)s from %(days)s days ago") % {"n": -change, "days": days}
        return _("as %(days)s days ago") % {"days": days}

    @property
    def direction(self) -> str:
        change = self.change
        return "" if change is None else "up" if change > 0 else "down" if change < 0 else "same"


GlanceSource = Callable[[Any, dt.date], Iterable[Glance]]
TrendSource = Callable[[list[str], dt.date], dict[str, int]]

_sources: list[GlanceSource] = []
_trends: list[TrendSource] = []


def register_glance(source: GlanceSource) -> None:
    """``source(user, today)`` yields the tiles of one app, none for a user who may not see
    what they count."""
    if source not in _sources:
        _sources.append(source)


def set_trend_source(source: TrendSource) -> None:
    """``source(keys, day)`` answers each figure's count on ``day``, where it was kept."""
    _trends[:] = [source]


class Everything:
    """The reader of the snapshots: every permission, so each count is the whole register's."""

    is_active = is_staff = is_authenticated = True
    pk = None

    def has_perm(self, perm: str, obj: Any = None) -> bool:
        return True


def glances(user: Any, today: dt.date) -> list[Glance]:
    found = [glance for source in _sources for glance in source(user, today)]
    if not _trends:
        return found
    then = today - dt.timedelta(days=settings.GLANCE_TREND_DAYS)
    earlier = _trends[0]([g.key for g in found if g.whole], then)
    return [
        Glance(**{**g.__dict__, "previous": earlier.get(g.key)}) if g.whole else g for g in found
    ]


def core_glances(user: Any, today: dt.date) -> list[Glance]:
    """Open cases, the overdue among them, and active licences expiring within 90 days."""
    if not user.has_perm("licensing.view_application"):
        return []
    applications = selectors.visible_applications(user)
    cases = reverse("admin:licensing_application_changelist")
    licences = reverse("admin:licensing_licence_changelist")
    soon = today + dt.timedelta(days=90)
    return [
        Glance(
            key="open_cases",
            label=_("open cases"),
            count=applications.filter(state__in=OPEN_STATES).count(),
            url=f"{cases}?queue=open",
            whole=True,
        ),
        Glance(
            key="overdue_cases",
            label=_("cases overdue"),
            count=applications.filter(selectors.overdue_q(today)).values("pk").distinct().count(),
            url=f"{cases}?overdue=yes",
            whole=True,
        ),
        Glance(
            key="expiring_90",
            label=_("licences expiring within 90 days"),
            count=selectors.visible_licences(user)
            .filter(selectors.expiring(today, soon + dt.timedelta(days=1)))
            .count(),
            url=f"{licences}?expires=90",
            whole=user.has_perm("licensing.view_licence"),
        ),
    ]


register_glance(core_glances)
