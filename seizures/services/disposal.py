"""How confiscated items leave the authority (Art. 18): released by a court order (its reference
is required), or destroyed under a supervised destruction order of the equipment register,
extended to what the register does not hold (``equipment.services.stock_destruction``). A
register machine seized with the case is a machine of the order; every other item is one of its
lines. The countersignature or the cancellation of the order comes back through
``equipment.order_signals`` (``seizures.receivers``), in the same transaction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone

from equipment.models import DestructionOrder, LineKind, Machine, MachineState
from equipment.services.errors import NothingToDestroy
from equipment.services.stock_destruction import StockLine, order_stock_destruction
from licensing.models.audit import Verb
from licensing.services.common import locked, require_reason, run_transition
from seizures.models import CaseOrigin, ItemKind, ItemStatus, SeizedItem, SeizureCase
from seizures.services.errors import (
    CashNotDestroyed,
    ItemsInSeveralStores,
    ItemsNotHeld,
    ItemWithoutStore,
    NotInOurCustody,
    OrderReferenceRequired,
    ReleasedToRequired,
)

LINE_KINDS = {
    ItemKind.MACHINE: LineKind.MACHINE,
    ItemKind.PART: LineKind.PART,
    ItemKind.TOBACCO: LineKind.TOBACCO,
    ItemKind.PRODUCT: LineKind.PRODUCT,
    ItemKind.OTHER: LineKind.OTHER,
}


def from_register(item: SeizedItem) -> bool:
    """The register's own machine, seized with the case (not a clone)."""
    return item.register_machine_id is not None and not item.cloned


@transaction.atomic
def release_item(
    *,
    item_id: int,
    by: Any,
    order_reference: str,
    released_to: str,
    released_on: dt.date | None = None,
    note: str = "",
) -> SeizedItem:
    """Officers with ``release_item``. A register machine released goes back to its holder's
    register entry."""
    item = locked(SeizedItem, item_id)
    if item.case.origin != CaseOrigin.OWN:
        raise NotInOurCustody()
    if not order_reference.strip():
        raise OrderReferenceRequired()
    if not released_to.strip():
        raise ReleasedToRequired()
    item.release_order_reference = order_reference.strip()
    item.released_to = released_to.strip()
    item.released_on = released_on or timezone.localdate()
    run_transition(
        item,
        "release",
        by=by,
        verb=Verb.RELEASED,
        reason=note.strip() or item.release_order_reference,
        extra_fields=("release_order_reference", "released_to", "released_on"),
        changes={
            "court_order": item.release_order_reference,
            "released_to": item.released_to,
            "released_on": item.released_on.isoformat(),
        },
    )
    if from_register(item):
        machine = locked(Machine, item.register_machine_id)  # type: ignore[arg-type]
        if machine.state == MachineState.SEIZED:
            run_transition(
                machine,
                "release",
                by=None,
                actor=by,
                verb=Verb.RELEASED,
                reason=item.release_order_reference,
                changes={"case": item.case.reference, "item": item.number},
            )
    return item


@transaction.atomic
def order_destruction(
    *,
    case_id: int,
    item_ids: Iterable[int],
    by: Any,
    reason: str,
    method: str,
    planned_on: dt.date,
) -> DestructionOrder:
    """Officers with ``equipment.order_destruction``: the chosen items of one case, all held in
    the same store, under one order at that store."""
    case = locked(SeizureCase, case_id)
    if case.origin != CaseOrigin.OWN:
        raise NotInOurCustody()
    reason = require_reason(reason)
    ids = sorted(set(item_ids))
    items = list(
        SeizedItem.objects.select_for_update().filter(case=case, pk__in=ids).order_by("pk")
    )
    if not items or len(items) != len(ids):
        raise NothingToDestroy()
    if any(item.kind == ItemKind.CASH for item in items):
        raise CashNotDestroyed()
    if any(item.state != ItemStatus.HELD for item in items):
        raise ItemsNotHeld()
    stores = {item.location_id for item in items}
    if None in stores:
        raise ItemWithoutStore()
    if len(stores) > 1:
        raise ItemsInSeveralStores()
    store = items[0].location
    if store is None:
        raise ItemWithoutStore()
    lines = [
        StockLine(
            kind=LINE_KINDS[ItemKind(item.kind)],
            description=item.what,
            quantity=item.quantity,
            unit=item.unit,
            reference=item.label,
            serial_number=item.serial_number,
        )
        for item in items
        if not from_register(item)
    ]
    order, created = order_stock_destruction(
        machine_ids=[item.register_machine_id for item in items if from_register(item)],
        lines=lines,
        by=by,
        reason=reason,
        method=method,
        planned_on=planned_on,
        place=f"{store.name}, {store.address}",
        region=store.region,
    )
    by_reference = {line.reference: line for line in created}
    for item in items:
        item.destruction_order = order
        item.destruction_line = by_reference.get(item.label)
        run_transition(
            item,
            "order_destruction",
            by=by,
            verb=Verb.DESTRUCTION_REQUESTED,
            reason=reason,
            extra_fields=("destruction_order", "destruction_line"),
            changes={"order": order.pk, "planned_on": planned_on.isoformat()},
        )
    return order


def destroyed_with(order: DestructionOrder, by: Any) -> int:
    """The order was countersigned: its items are destroyed (``receivers``)."""
    done = 0
    for item in order.seized_items.select_for_update().order_by("pk"):
        if item.state == ItemStatus.DESTRUCTION_ORDERED:
            run_transition(
                item,
                "destroy",
                by=None,
                actor=by,
                verb=Verb.DESTROYED,
                changes={
                    "order": order.pk,
                    "certificate": order.certificate.code if order.certificate else "",
                },
            )
            done += 1
    return done


def back_to_store(order: DestructionOrder, by: Any) -> int:
    """The order was cancelled: its items are held again, free for another order."""
    done = 0
    for item in order.seized_items.select_for_update().order_by("pk"):
        if item.state == ItemStatus.DESTRUCTION_ORDERED:
            item.destruction_order = None
            item.destruction_line = None
            run_transition(
                item,
                "return_to_store",
                by=None,
                actor=by,
                verb=Verb.CANCELLED,
                extra_fields=("destruction_order", "destruction_line"),
                changes={"order": order.pk},
            )
            done += 1
    return done
