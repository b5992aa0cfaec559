"""What seizures do when the equipment register tells them a destruction order ended
(``equipment.order_signals``, sent inside the order's transaction)."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from equipment.models import DestructionOrder
from equipment.order_signals import order_cancelled, order_certified


@receiver(order_certified, sender=DestructionOrder, dispatch_uid="seizures-order-certified")
def items_destroyed(sender: Any, order: DestructionOrder, by: Any, **kwargs: Any) -> None:
    from seizures.services.disposal import destroyed_with

    destroyed_with(order, by)


@receiver(order_cancelled, sender=DestructionOrder, dispatch_uid="seizures-order-cancelled")
def items_back_in_store(sender: Any, order: DestructionOrder, by: Any, **kwargs: Any) -> None:
    from seizures.services.disposal import back_to_store

    back_to_store(order, by)
