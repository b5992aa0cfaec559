"""Supervised destruction (Art. 6.3(i), 18): requested by the holder or ordered by an officer,
assigned to an inspector, witnessed, countersigned by a senior officer, certified.

The jobs (assignment, reminders, escalations) are in ``destruction_jobs``; the orders of seized
stock (Art. 18) in ``stock_destruction``."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Sequence
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from equipment.models import (
    DestructionOrder,
    DestructionPhoto,
    Machine,
    MachineState,
    OfficerTask,
    OrderOrigin,
    normalised_serial,
)
from equipment.order_signals import order_cancelled, order_certified
from equipment.services import certificates
from equipment.services.errors import (
    BadPhoto,
    MachinesMixed,
    MachinesNotSeized,
    NoticePeriodTooShort,
)
from licensing.exceptions import PermissionDenied
from licensing.models.audit import Verb
from licensing.models.licences import Licence
from licensing.models.sites import Site
from licensing.services.audit import record_event
from licensing.services.common import locked, require_reason, run_transition
from licensing.storage import storage_errors

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
    order_cancelled.send(sender=DestructionOrder, order=order, by=by)
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
    # Seized machines the register does not hold are lines of the order, with their serials.
    expected.update({line.serial_key: line.serial_number for line in order.lines.all()})
    expected.pop("", None)
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
        with storage_errors("destruction photo"):
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
    # The seized items of its lines become destroyed in this transaction (``seizures``).
    order_certified.send(sender=DestructionOrder, order=order, by=by)
    OfficerTask.objects.filter(order=order, closed_at__isnull=True).update(
        closed_at=timezone.now(), closed_by=by
    )
    return order
