"""The dashboard tiles of the apps above the core (issue 22): returns overdue (Art. 9.1),
inspections overdue (Art. 6.3(e)) and destruction orders due (Art. 6.3(b)(iv)-(v)), each a
link to the list it counts; and the daily snapshot of every tile over the whole register that
their trends are read from (``licensing.glance``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from equipment.models import DestructionOrder, OrderState
from inspections.models import Inspection
from inspections.models.inspections import OPEN_STATES as OPEN_INSPECTIONS
from licensing import glance
from reports.models import GlanceCount
from returns.models import ReturnPeriod

# Destruction orders planned within this many days, or already past their date, are due.
DESTRUCTION_DUE_DAYS = 7
OPEN_ORDERS = (OrderState.REQUESTED, OrderState.SCHEDULED)


def app_glances(user: Any, today: dt.date) -> Iterable[glance.Glance]:
    if user.has_perm("returns.view_returnperiod"):
        yield glance.Glance(
            key="returns_overdue",
            label=_("returns overdue"),
            count=ReturnPeriod.objects.filter(filed_at__isnull=True, due_on__lt=today).count(),
            url=reverse("admin:returns_returnperiod_changelist") + "?status=overdue",
            whole=True,
        )
    if user.has_perm("inspections.review_inspection"):
        yield glance.Glance(
            key="inspections_overdue",
            label=_("inspections overdue"),
            count=Inspection.objects.filter(
                state__in=OPEN_INSPECTIONS, planned_on__lt=today
            ).count(),
            url=reverse("admin:inspections_inspection_changelist") + "?overdue=yes",
            whole=True,
        )
    if user.has_perm("equipment.order_destruction"):
        until = today + dt.timedelta(days=DESTRUCTION_DUE_DAYS)
        states = ",".join(OPEN_ORDERS)
        yield glance.Glance(
            key="destruction_due",
            label=_("destruction orders due within %(days)s days") % {"days": DESTRUCTION_DUE_DAYS},
            count=DestructionOrder.objects.filter(
                state__in=OPEN_ORDERS, planned_on__lte=until
            ).count(),
            url=reverse("admin:equipment_destructionorder_changelist")
            + f"?state__in={states}&planned_on__lte={until.isoformat()}",
            whole=True,
        )


def earlier_counts(keys: list[str], day: dt.date) -> dict[str, int]:
    """The trend source: each figure's count as kept on ``day``."""
    return dict(GlanceCount.objects.filter(day=day, key__in=keys).values_list("key", "count"))


@transaction.atomic
def snapshot(today: dt.date | None = None) -> int:
    """Keep today's count of every tile over the whole register. Idempotent: a second run on
    the same day replaces the first's counts. Returns how many figures it kept."""
    day = today or timezone.localdate()
    now = timezone.now()
    found = glance.glances(glance.Everything(), day)
    for figure in found:
        GlanceCount.objects.update_or_create(
            day=day, key=figure.key, defaults={"count": figure.count, "refreshed_at": now}
        )
    return len(found)


def register() -> None:
    glance.register_glance(app_glances)
    glance.set_trend_source(earlier_counts)
