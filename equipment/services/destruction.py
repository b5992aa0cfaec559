"""Supervised destruction (Art. 6.3(i), 18): requested by the holder or ordered by an officer,
assigned to an inspector, witnessed, countersigned by a senior officer, certified.

The jobs (``equipment.tasks``) call the functions at the end of this module. Each reminder and
escalation is a notification row with a unique key, written before it is sent
(``queue_notification``): a job run twice, or killed half way and run again, finds the row and
sends nothing twice; a row whose message was lost is sent by the core's sweeper."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections.abc import Iterable, Sequence
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from equipment.models import (
    DestructionOrder,
    DestructionPhoto,
    Machine,
    MachineState,
    OfficerTask,
    OrderOrigin,
    OrderState,
    TaskKind,
    normalised_serial,
)
from equipment.services import certificates
from equipment.services.errors import (
    BadPhoto,
    MachinesMixed,
    MachinesNotSeized,
    NoInspectorAvailable,
    NoticePeriodTooShort,
)
from licensing.exceptions import PermissionDenied
from licensing.models.audit import Verb
from licensing.models.licences import Licence
from licensing.models.sites import Site
from licensing.services.audit import record_event
from licensing.services.common import locked, require_reason, run_transition
from licensing.services.notifications import queue_notification

logger = logging.getLogger(__name__)

INSPECTORS = "inspector"
SENIORS = "senior officer"
PHOTO_SIGNATURES = {b"\xff\xd8\xff": "image/jpeg", b"\x89PNG\r\n\x1a\n": "image/png"}


def _machines(ids: Iterable[int]) -> tuple[list[Machine], Licence, Site]:
    machines = list(Machine.objects.select_for_update().filter(pk__in=list(ids)).order_by("pk"))
    if not machines:
        raise MachinesMixed()
    if len({(m.holder_id, m.site_id, m.licence_id) for m in machines}) != 1:
        raise MachinesMixed()
    licence, site = machines[0].licence, machines[0].site
    if licence is None or site is None:
        raise MachinesMixed()
    return machines, licence, site


def _order(found: tuple[list[Machine], Licence, Site], **fields: Any) -> DestructionOrder:
    machines, licence, site = found
    order = DestructionOrder.objects.create(licence=licence, site=site, **fields)
    order.machines.set(machines)
    order.parts.set([p for m in machines for p in m.parts.filter(destroyed_on__isnull=True)])
    return order


@transaction.atomic
def request_destruction(
    *,
    machine_ids: Iterable[int],
    by: Any,
    method: str,
    planned_on: dt.date,
    today: dt.date | None = None,
) -> DestructionOrder:
    """Art. 6.3(i): the holder's portal users ask for a supervised destruction, at least
    ``DESTRUCTION_NOTICE_DAYS`` ahead so that an inspector can be there."""
    today = today or timezone.localdate()
    found = _machines(machine_ids)
    machines = found[0]
    days = settings.DESTRUCTION_NOTICE_DAYS
    if planned_on < today + dt.timedelta(days=days):
        raise NoticePeriodTooShort(NoticePeriodTooShort.default_message % {"days": days})
    order = _order(
        found, origin=OrderOrigin.HOLDER, method=method, planned_on=planned_on, requested_by=by
    )
    for machine in machines:
        run_transition(
            machine,
            "request_destruction",
            by=by,
            verb=Verb.DESTRUCTION_REQUESTED,
            changes={"order": order.pk, "planned_on": planned_on.isoformat()},
        )
    return order


@transaction.atomic
def order_destruction(
    *, machine_ids: Iterable[int], by: Any, reason: str, method: str, planned_on: dt.date
) -> DestructionOrder:
    """Art. 18: licence officers order the destruction of seized machines, with a reason."""
    if not by.has_perm("equipment.order_destruction"):
        raise PermissionDenied()
    reason = require_reason(reason)
    found = _machines(machine_ids)
    machines = found[0]
    if any(m.state != MachineState.SEIZED for m in machines):
        raise MachinesNotSeized()
    order = _order(
        found,
        origin=OrderOrigin.OFFICER,
        method=method,
        planned_on=planned_on,
        requested_by=by,
        reason=reason,
    )
    for machine in machines:
        record_event(
            machine,
            verb=Verb.DESTRUCTION_REQUESTED,
            by=by,
            reason=reason,
            changes={"order": order.pk, "planned_on": planned_on.isoformat()},
        )
    return order


@transaction.atomic
def cancel_order(*, order_id: int, by: Any, reason: str) -> DestructionOrder:
    """Licence officers, with a reason: machines waiting for destruction go back to use;
    seized machines stay seized."""
    order = locked(DestructionOrder, order_id)
    reason = require_reason(reason)
    run_transition(order, "cancel", by=by, verb=Verb.CANCELLED, reason=reason)
    for machine in order.machines.select_for_update().order_by("pk"):
        if machine.state != MachineState.SEIZED:
            run_transition(machine, "cancel_destruction", by=by, verb=Verb.CANCELLED, reason=reason)
    return order


# The inspector's record and the senior officer's countersignature.


def checked_photo(upload: UploadedFile) -> tuple[str, bytes]:
    limit = settings.DESTRUCTION_PHOTO_MAX_BYTES
    message = BadPhoto.default_message % {"mb": limit // (1024 * 1024)}
    if upload.size is None or upload.size > limit:
        raise BadPhoto(message)
    data = upload.read()
    # The content decides, not the name or the browser's claim.
    for signature, content_type in PHOTO_SIGNATURES.items():
        if data.startswith(signature):
            return content_type, data
    raise BadPhoto(message)


@transaction.atomic
def record_destruction(
    *,
    order_id: int,
    by: Any,
    witnessed_at: dt.datetime,
    method: str,
    serials_seen: Sequence[str],
    witnesses: str,
    photos: Sequence[UploadedFile] = (),
) -> DestructionOrder:
    """Art. 6.3(i): the assigned inspector records what was witnessed. Each typed serial is
    compared with the order's machines; one that matches none, and a machine whose serial
    was not seen, is recorded as a finding, never refused: the record says what was seen."""
    order = locked(DestructionOrder, order_id)
    checked = [checked_photo(upload) for upload in photos]  # refuse a bad photo before writing
    expected = {m.serial_key: m.serial_number for m in order.machines.all()}
    seen = [s.strip() for s in serials_seen if s.strip()]
    seen_keys = {normalised_serial(s) for s in seen}
    findings = [
        {"serial": s, "finding": "not_in_order"}
        for s in seen
        if normalised_serial(s) not in expected
    ] + [
        {"serial": serial, "finding": "not_seen"}
        for key, serial in expected.items()
        if key not in seen_keys
    ]
    order.witnessed_at = witnessed_at
    order.witnessed_method = method
    order.witnesses = witnesses.strip()
    order.serials_seen = seen
    order.findings = findings
    run_transition(
        order,
        "witness",
        by=by,
        verb=Verb.DESTRUCTION_WITNESSED,
        extra_fields=("witnessed_at", "witnessed_method", "witnesses", "serials_seen", "findings"),
        changes={"serials_seen": seen, "findings": findings, "photos": len(checked)},
    )
    for content_type, data in checked:
        photo = DestructionPhoto(
            order=order,
            content_type=content_type,
            size=len(data),
            sha256=hashlib.sha256(data).hexdigest(),
        )
        photo.file.save("photo", ContentFile(data), save=False)
        photo.save()
    return order


@transaction.atomic
def countersign_destruction(*, order_id: int, by: Any) -> DestructionOrder:
    """Senior officers (``countersign_destruction``): the machines and parts become destroyed
    and the destruction certificate is printed and stored in the same transaction, so a
    certified order always has its certificate."""
    order = locked(DestructionOrder, order_id)
    event = run_transition(order, "certify", by=by, verb=Verb.DESTROYED)
    order.countersigned_by = by
    order.countersigned_at = timezone.now()
    for machine in order.machines.select_for_update().order_by("pk"):
        run_transition(machine, "destroy", by=by, verb=Verb.DESTROYED, changes={"order": order.pk})
    destroyed_on = timezone.localdate(order.witnessed_at)
    order.parts.update(destroyed_on=destroyed_on)
    order.certificate = certificates.issue_certificate(order=order, event=event, by=by)
    order.save(update_fields=["countersigned_by", "countersigned_at", "certificate", "updated_at"])
    OfficerTask.objects.filter(order=order, closed_at__isnull=True).update(
        closed_at=timezone.now(), closed_by=by
    )
    return order


# Jobs.


def inspectors_covering(site: Site, regions: dict[str, list[str]]) -> Any:
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
    users = inspectors_covering(order.site, settings.DESTRUCTION_INSPECTOR_REGIONS)
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


def _notify_holder(order: DestructionOrder, template: str, key: str, **context: Any) -> None:
    queue_notification(
        key=key,
        template=template,
        party=order.licence.holder,
        context={
            "licence": order.licence.number,
            "planned_on": order.planned_on.isoformat(),
            "site": str(order.site),
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
            "licence": order.licence.number,
            "planned_on": order.planned_on.isoformat(),
            "site": str(order.site),
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
