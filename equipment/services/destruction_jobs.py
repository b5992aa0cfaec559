"""The jobs of supervised destruction (``equipment.tasks``): an inspector assigned to each
requested order, reminders before the date, escalations when it passes without a record or
the countersignature does not come. Each reminder and escalation is a notification row with a
unique key, written before it is sent (``queue_notification``): a job run twice, or killed half
way and run again, finds the row and sends nothing twice; a row whose message was lost is sent
by the core's sweeper. An order of seized stock (Art. 18) has no holder to tell and is placed by
its ``region`` rather than a site."""

from __future__ import annotations

import datetime as dt
import logging
from types import SimpleNamespace
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext

from equipment.models import (
    DestructionOrder,
    MachineState,
    OfficerTask,
    OrderState,
    TaskKind,
)
from equipment.services.errors import NoInspectorAvailable
from licensing.models.audit import Verb
from licensing.models.licences import Licence
from licensing.services.common import locked, run_transition
from licensing.services.notifications import queue_notification

logger = logging.getLogger(__name__)

INSPECTORS = "inspector"
SENIORS = "senior officer"


def inspectors_covering(site: Any, regions: dict[str, list[str]]) -> Any:
    """The active inspectors who cover the site's region or municipality in ``regions``
    (username -> areas), else every active inspector. Shared with the inspections' planning."""
    users = get_user_model().objects.filter(groups__name=INSPECTORS, is_active=True)
    place = {site.region.casefold(), site.municipality.casefold()} - {""}
    covering = [name for name, areas in regions.items() if place & {a.casefold() for a in areas}]
    if covering and users.filter(username__in=covering).exists():
        users = users.filter(username__in=covering)
    return users


def inspector_for(order: DestructionOrder) -> Any:
    """The inspector who covers the site's region or municipality
    (``DESTRUCTION_INSPECTOR_REGIONS``), else any inspector; among them the one with the fewest
    open orders, then the lowest id, so that the choice is repeatable."""
    place = order.site or SimpleNamespace(region=order.region, municipality="")
    users = inspectors_covering(place, settings.DESTRUCTION_INSPECTOR_REGIONS)
    return (
        users.annotate(
            load=Count(
                "destruction_orders",
                filter=Q(destruction_orders__state__in=[OrderState.SCHEDULED]),
            )
        )
        .order_by("load", "pk")
        .first()
    )


def _subject(order: DestructionOrder) -> str:
    return order.licence.number if order.licence is not None else gettext("seized stock")


def _notify_holder(order: DestructionOrder, template: str, key: str, **context: Any) -> None:
    if order.licence is None:
        return  # seized stock: no holder is told
    queue_notification(
        key=key,
        template=template,
        party=order.licence.holder,
        context={
            "licence": order.licence.number,
            "planned_on": order.planned_on.isoformat(),
            "site": order.where,
            "machines": ", ".join(m.identifier for m in order.machines.order_by("pk")),
            **context,
        },
    )


def _notify_staff(user: Any, order: DestructionOrder, template: str, key: str) -> None:
    if not user.email:
        return
    queue_notification(
        key=key,
        template=template,
        recipient=user.email,
        language=settings.LANGUAGE_CODE,
        party=None,
        context={
            "party_name": user.get_full_name() or user.get_username(),
            "licence": _subject(order),
            "planned_on": order.planned_on.isoformat(),
            "site": order.where,
            "order": order.pk,
            "portal_url": settings.PORTAL_BASE_URL,
        },
    )


@transaction.atomic
def assign_inspector(*, order_id: int) -> bool:
    """One requested order gets its inspector and is scheduled; the holder and the inspector
    are told. False when there is nothing to do (already scheduled, cancelled)."""
    order = locked(DestructionOrder, order_id)
    if order.state != OrderState.REQUESTED:
        return False
    inspector = inspector_for(order)
    if inspector is None:
        raise NoInspectorAvailable()
    order.inspector = inspector
    run_transition(
        order,
        "schedule",
        by=None,
        verb=Verb.DESTRUCTION_SCHEDULED,
        extra_fields=("inspector",),
        changes={"inspector": inspector.get_username()},
    )
    for machine in order.machines.select_for_update().order_by("pk"):
        if machine.state == MachineState.DESTRUCTION_REQUESTED:
            run_transition(
                machine, "schedule_destruction", by=None, verb=Verb.DESTRUCTION_SCHEDULED
            )
    _notify_holder(order, "destruction_scheduled", f"destruction-scheduled:{order.pk}:holder")
    _notify_staff(
        inspector, order, "destruction_assigned", f"destruction-scheduled:{order.pk}:inspector"
    )
    return True


def assign_inspectors() -> int:
    done = 0
    for pk in DestructionOrder.objects.filter(state=OrderState.REQUESTED).values_list(
        "pk", flat=True
    ):
        try:
            done += assign_inspector(order_id=pk)
        except NoInspectorAvailable:
            logger.warning("destruction order %s: no inspector to assign", pk)
    return done


def send_reminders(*, today: dt.date | None = None) -> int:
    """Remind the holder and the inspector ``DESTRUCTION_REMINDER_DAYS`` before the date. The
    key names the order, its date and the addressee: one reminder each, ever; a new one if
    the date is moved."""
    today = today or timezone.localdate()
    horizon = today + dt.timedelta(days=settings.DESTRUCTION_REMINDER_DAYS)
    written = 0
    due = DestructionOrder.objects.filter(
        state=OrderState.SCHEDULED, planned_on__gte=today, planned_on__lte=horizon
    ).select_related("licence__holder", "site", "inspector")
    for order in due.order_by("pk"):
        with transaction.atomic():
            base = f"destruction-reminder:{order.pk}:{order.planned_on.isoformat()}"
            _notify_holder(order, "destruction_reminder", f"{base}:holder")
            if order.inspector is not None:
                _notify_staff(
                    order.inspector, order, "destruction_reminder_inspector", f"{base}:inspector"
                )
        written += 1
    return written


def _escalate(order: DestructionOrder, kind: str, key: str, template: str) -> bool:
    _task, created = OfficerTask.objects.get_or_create(
        key=key,
        defaults={"kind": kind, "licence": order.licence, "order": order, "for_group": SENIORS},
    )
    seniors = get_user_model().objects.filter(groups__name=SENIORS, is_active=True).order_by("pk")
    for senior in seniors:
        _notify_staff(senior, order, template, f"{key}:{senior.pk}")
    return created


def escalate_overdue(*, today: dt.date | None = None) -> int:
    """A scheduled order whose date has passed without the inspector's record goes to the
    senior officers: a task in their queue and an e-mail each, once per order and date."""
    today = today or timezone.localdate()
    opened = 0
    for order in DestructionOrder.objects.filter(
        state=OrderState.SCHEDULED, planned_on__lt=today
    ).order_by("pk"):
        with transaction.atomic():
            key = f"destruction-overdue:{order.pk}:{order.planned_on.isoformat()}"
            opened += _escalate(order, TaskKind.DESTRUCTION_OVERDUE, key, "destruction_overdue")
    return opened


def chase_certificates(*, now: dt.datetime | None = None) -> int:
    """A witnessed destruction not countersigned after ``DESTRUCTION_CERTIFICATE_CHASE_DAYS``:
    the senior officers are asked, once per order."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(days=settings.DESTRUCTION_CERTIFICATE_CHASE_DAYS)
    opened = 0
    for order in DestructionOrder.objects.filter(
        state=OrderState.WITNESSED, witnessed_at__lt=cutoff
    ).order_by("pk"):
        with transaction.atomic():
            key = f"destruction-certificate:{order.pk}"
            opened += _escalate(
                order, TaskKind.CERTIFICATE_MISSING, key, "destruction_certificate_missing"
            )
    return opened


def orders_for_inspector(user: Any) -> Any:
    """Object level: an inspector sees the orders assigned to them, and no other."""
    return DestructionOrder.objects.filter(inspector=user).select_related("site", "licence__holder")


def open_orders_of(licence: Licence) -> Any:
    return licence.destruction_orders.exclude(
        state__in=[OrderState.CERTIFIED, OrderState.CANCELLED]
    )
