"""When each licence is next inspected, and the job that plans periodic audits (Art. 6.3(e)).

The interval is the activity group's (``INSPECTION_INTERVAL_DAYS``, manufacturing shortest),
shortened to ``INSPECTION_HIGH_RISK_DAYS`` when the holder's risk score (its latest review, the
flags on its returns and its overdue returns) is at least ``INSPECTION_HIGH_RISK_SCORE``, and to
``INSPECTION_AFTER_FINDING_DAYS`` after an inspection with a major or critical finding, and to
the stricter controls' interval (a site in a free zone, Art. 12.1: ``licensing.controls``). It
runs from the last inspection carried out, or from the start of the licence."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone

from duediligence.services.risk import party_risk
from equipment.models import OrderState
from equipment.services.destruction_jobs import inspectors_covering
from inspections.models import (
    OPEN_STATES,
    SERIOUS,
    Finding,
    Inspection,
    InspectionKind,
    InspectionState,
    group_for,
)
from licensing.controls import controls_for
from licensing.models.audit import Verb
from licensing.models.licences import Licence, LicenceState
from licensing.models.sites import Site, SiteKind
from licensing.services.audit import record_event
from licensing.services.common import locked

logger = logging.getLogger(__name__)

DONE = (InspectionState.SUBMITTED, InspectionState.REVIEWED)


def risk_of(licence: Licence) -> int | None:
    """The holder's risk score (``duediligence.services.risk.party_risk``: its latest review,
    the flags on its returns, its overdue returns), or None when nothing contributes."""
    score, rows = party_risk(licence.holder_id)
    return score if rows else None


def last_inspection(licence: Licence) -> Inspection | None:
    return licence.inspections.filter(state__in=DONE).order_by("-planned_on", "-pk").first()


def interval_days(licence: Licence) -> int:
    days = int(settings.INSPECTION_INTERVAL_DAYS[group_for(licence.activities)])
    score = risk_of(licence)
    if score is not None and score >= settings.INSPECTION_HIGH_RISK_SCORE:
        days = min(days, settings.INSPECTION_HIGH_RISK_DAYS)
    last = last_inspection(licence)
    if last is not None and last.findings.filter(severity__in=SERIOUS).exists():
        days = min(days, settings.INSPECTION_AFTER_FINDING_DAYS)
    stricter = controls_for([licence.pk]).get(licence.pk)
    if stricter is not None and stricter.inspection_interval_days:
        days = min(days, stricter.inspection_interval_days)
    return days


def next_inspection_date(licence: Licence) -> dt.date:
    last = last_inspection(licence)
    start = last.planned_on if last is not None else licence.valid_from
    return start + dt.timedelta(days=interval_days(licence))


def site_to_inspect(licence: Licence) -> Site | None:
    """A manufacturing unit first (where the machines are), then any site of the licence."""
    sites = list(licence.sites.order_by("pk"))
    return next((s for s in sites if s.kind == SiteKind.MANUFACTURING), None) or next(
        iter(sites), None
    )


def inspector_for_site(site: Site) -> Any:
    """The inspector covering the site's region (``INSPECTOR_REGIONS``), else any; the least
    busy first (open inspections and scheduled destructions), then the lowest id."""
    users = inspectors_covering(site, settings.INSPECTOR_REGIONS)
    return (
        users.annotate(
            inspections_open=Count(
                "inspections", filter=Q(inspections__state__in=OPEN_STATES), distinct=True
            ),
            orders_open=Count(
                "destruction_orders",
                filter=Q(destruction_orders__state=OrderState.SCHEDULED),
                distinct=True,
            ),
        )
        .order_by("inspections_open", "orders_open", "pk")
        .first()
    )


def plan_periodic(*, licence_id: int, today: dt.date | None = None) -> Inspection | None:
    """One licence: a periodic audit for its next date, if that date is within
    ``INSPECTION_PLAN_WEEKS`` and none is open. The period is the due month; the unique
    constraint on (licence, period) makes a second run, or two at once, write nothing."""
    today = today or timezone.localdate()
    try:
        with transaction.atomic():
            licence = locked(Licence, licence_id)
            if licence.state != LicenceState.ACTIVE:
                return None
            if licence.inspections.filter(
                kind=InspectionKind.PERIODIC, state__in=OPEN_STATES
            ).exists():
                return None
            due = next_inspection_date(licence)
            if due > today + dt.timedelta(weeks=settings.INSPECTION_PLAN_WEEKS):
                return None
            period = f"{due:%Y-%m}"
            if licence.inspections.filter(kind=InspectionKind.PERIODIC, period=period).exists():
                return None
            site = site_to_inspect(licence)
            if site is None:
                return None
            inspection = Inspection.objects.create(
                licence=licence,
                site=site,
                inspector=inspector_for_site(site),
                kind=InspectionKind.PERIODIC,
                period=period,
                planned_on=max(due, today),
            )
            record_event(
                inspection,
                verb=Verb.INSPECTION_PLANNED,
                by=None,
                to_state=inspection.state,
                changes={
                    "licence": licence.number,
                    "planned_on": inspection.planned_on.isoformat(),
                    "inspector": inspection.inspector.get_username()
                    if inspection.inspector
                    else "",
                },
            )
            return inspection
    except IntegrityError:
        # Another run planned the same licence and period first.
        return None


def plan_inspections(*, today: dt.date | None = None) -> int:
    """Every active licence, in short transactions (one per licence)."""
    planned = 0
    for pk in Licence.objects.filter(state=LicenceState.ACTIVE).values_list("pk", flat=True):
        planned += plan_periodic(licence_id=pk, today=today) is not None
    logger.info("planned %d inspections", planned)
    return planned


def findings_of(licence: Licence) -> Any:
    return Finding.objects.filter(inspection__licence=licence).select_related("inspection")
