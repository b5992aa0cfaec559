"""The custody chain of a seized item: taken into custody at a store, then moved from store to
store. Each step is written under the item's row lock and checks that the item is still where
the officer saw it (``expected_from_id``): of two officers moving the same item at once, the
first wins and the second is told to reload, so the chain never forks and never has a gap
(each move starts where the previous one ended; ``CustodyMove.sequence`` is unique per item)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from licensing.exceptions import PermissionDenied
from licensing.models.audit import Verb
from licensing.services.audit import record_event
from licensing.services.common import locked
from seizures.models import IN_STORE, CaseOrigin, CustodyMove, SeizedItem, StorageLocation
from seizures.services.errors import (
    ItemNotInStore,
    LocationNotInUse,
    MovedMeanwhile,
    NamesRequired,
    SameLocation,
)

MOVE = "seizures.move_item"


def _step(
    item: SeizedItem,
    to: StorageLocation,
    *,
    by: Any,
    handed_over_by: str,
    received_by: str,
    note: str,
    moved_at: dt.datetime | None,
) -> CustodyMove:
    if not to.active:
        raise LocationNotInUse()
    if not handed_over_by.strip() or not received_by.strip():
        raise NamesRequired()
    sequence = (item.moves.aggregate(top=Max("sequence"))["top"] or 0) + 1
    move = CustodyMove.objects.create(
        item=item,
        sequence=sequence,
        from_location=item.location,
        to_location=to,
        moved_at=moved_at or timezone.now(),
        handed_over_by=handed_over_by.strip(),
        received_by=received_by.strip(),
        note=note.strip(),
        recorded_by=by,
    )
    from_name = item.location.name if item.location is not None else ""
    item.location = to
    item.save(update_fields=["location", "updated_at"])
    record_event(
        item,
        verb=Verb.CUSTODY_MOVED,
        by=by,
        changes={
            "sequence": sequence,
            "from": from_name,
            "to": to.name,
            "handed_over_by": move.handed_over_by,
            "received_by": move.received_by,
        },
    )
    return move


def take_into_custody(
    *,
    item: SeizedItem,
    location: StorageLocation,
    by: Any,
    handed_over_by: str,
    received_by: str,
    note: str = "",
) -> CustodyMove:
    """The first step of the chain, when the item is recorded (the caller holds the case's
    lock and has just created the item)."""
    return _step(
        item,
        location,
        by=by,
        handed_over_by=handed_over_by,
        received_by=received_by,
        note=note,
        moved_at=None,
    )


@transaction.atomic
def move_item(
    *,
    item_id: int,
    to_location_id: int,
    expected_from_id: int | None,
    by: Any,
    handed_over_by: str,
    received_by: str,
    note: str = "",
    moved_at: dt.datetime | None = None,
) -> CustodyMove:
    """Officers with ``move_item``. ``expected_from_id`` is where the page showed the item
    (None: not yet in a store)."""
    if not by.has_perm(MOVE):
        raise PermissionDenied()
    item = locked(SeizedItem, item_id)
    if item.state not in IN_STORE or item.case.origin != CaseOrigin.OWN:
        raise ItemNotInStore()
    if item.location_id != expected_from_id:
        raise MovedMeanwhile()
    if item.location_id == to_location_id:
        raise SameLocation()
    to = StorageLocation.objects.get(pk=to_location_id)
    return _step(
        item,
        to,
        by=by,
        handed_over_by=handed_over_by,
        received_by=received_by,
        note=note,
        moved_at=moved_at,
    )


def chain_has_no_gap(item: SeizedItem) -> bool:
    """Each move starts where the one before it ended, and the last ends where the item is."""
    previous = None
    for move in item.moves.order_by("sequence"):
        if move.from_location_id != previous:
            return False
        previous = move.to_location_id
    return previous == item.location_id
