"""The officers' dashboard card of confiscated stock (Art. 18): how many items of each kind
the authority still holds, how many of them are already under a destruction order, and the
weight of tobacco in store. One aggregate query over the items' status index."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Count, Sum
from django.urls import reverse
from django.utils.translation import gettext as _

from licensing.dashboard import Tally, Tile, register_tile
from seizures.models import IN_STORE, CaseOrigin, ItemKind, ItemStatus, SeizedItem, Unit

TO_KG = {Unit.KG: Decimal(1), Unit.G: Decimal("0.001"), Unit.TONNE: Decimal(1000)}


def stock_tile(user: Any) -> Tile | None:
    if not user.has_perm("seizures.view_seizeditem"):
        return None
    rows = (
        SeizedItem.objects.filter(state__in=IN_STORE, case__origin=CaseOrigin.OWN)
        .values("kind", "state", "unit")
        .annotate(count=Count("pk"), quantity=Sum("quantity"))
        .order_by()
    )
    held: dict[str, int] = {}
    ordered = 0
    tobacco_kg = Decimal(0)
    for row in rows:
        held[row["kind"]] = held.get(row["kind"], 0) + row["count"]
        if row["state"] == ItemStatus.DESTRUCTION_ORDERED:
            ordered += row["count"]
        if row["kind"] == ItemKind.TOBACCO:
            tobacco_kg += (row["quantity"] or 0) * TO_KG.get(row["unit"], Decimal(0))
    base = reverse("admin:seizures_seizeditem_changelist")
    tallies = [
        Tally(
            label=str(ItemKind(kind).label),
            count=held[kind],
            url=f"{base}?in_store=1&kind__exact={kind}",
        )
        for kind in ItemKind.values
        if held.get(kind)
    ]
    tallies.append(
        Tally(
            label=_("of them under a destruction order"),
            count=ordered,
            url=f"{base}?state__exact={ItemStatus.DESTRUCTION_ORDERED}",
        )
    )
    tallies.append(
        Tally(
            label=_("kg of tobacco in store"),
            count=int(tobacco_kg.to_integral_value()),
            url=f"{base}?in_store=1&kind__exact={ItemKind.TOBACCO}",
        )
    )
    return Tile(title=_("Seized stock awaiting destruction or release"), tallies=tallies)


def register() -> None:
    register_tile(stock_tile)
