"""The destruction of seized stock (Art. 18): an officer orders it, with a reason, for register
machines already seized and for lines that are not in the register (a machine with an unknown or
cloned serial, loose parts, tobacco and products by quantity), at the place where the authority
keeps them. From there the order is the same as any other: an inspector is assigned, witnesses
and records it, a senior officer countersigns and the certificate lists every machine and line
(``destruction``, ``destruction_jobs``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction

from equipment.models import (
    DestructionLine,
    DestructionOrder,
    Machine,
    MachineState,
    OrderOrigin,
)
from equipment.services.errors import MachinesNotSeized, NothingToDestroy, PlaceRequired
from licensing.exceptions import PermissionDenied
from licensing.models.audit import Verb
from licensing.services.audit import record_event
from licensing.services.common import require_reason


@dataclass(frozen=True)
class StockLine:
    """What a line of the order says; ``reference`` names where the item comes from."""

    kind: str
    description: str
    quantity: Decimal
    unit: str
    reference: str
    serial_number: str = ""


@transaction.atomic
def order_stock_destruction(
    *,
    machine_ids: Iterable[int],
    lines: Sequence[StockLine],
    by: Any,
    reason: str,
    method: str,
    planned_on: dt.date,
    place: str,
    region: str = "",
) -> tuple[DestructionOrder, list[DestructionLine]]:
    """Officers with ``order_destruction``; each register machine must be seized. The order
    and its lines, in the caller's transaction; each machine's trail and the order's own say
    so."""
    if not by.has_perm("equipment.order_destruction"):
        raise PermissionDenied()
    reason = require_reason(reason)
    if not place.strip():
        raise PlaceRequired()
    ids = sorted(set(machine_ids))
    machines = list(Machine.objects.select_for_update().filter(pk__in=ids).order_by("pk"))
    if len(machines) != len(ids) or any(m.state != MachineState.SEIZED for m in machines):
        raise MachinesNotSeized()
    if not machines and not lines:
        raise NothingToDestroy()
    order = DestructionOrder.objects.create(
        origin=OrderOrigin.OFFICER,
        method=method,
        planned_on=planned_on,
        requested_by=by,
        reason=reason,
        place=place.strip(),
        region=region.strip(),
    )
    order.machines.set(machines)
    order.parts.set([p for m in machines for p in m.parts.filter(destroyed_on__isnull=True)])
    created = []
    for line in lines:
        row = DestructionLine(
            order=order,
            kind=line.kind,
            description=line.description[:300],
            serial_number=line.serial_number,
            quantity=line.quantity,
            unit=line.unit,
            reference=line.reference,
        )
        row.save()
        created.append(row)
    changes = {"order": order.pk, "planned_on": planned_on.isoformat()}
    for machine in machines:
        record_event(
            machine, verb=Verb.DESTRUCTION_REQUESTED, by=by, reason=reason, changes=changes
        )
    record_event(
        order,
        verb=Verb.DESTRUCTION_REQUESTED,
        by=by,
        reason=reason,
        changes={**changes, "lines": [line.reference for line in created]},
    )
    return order, created
