"""What the equipment register tells the apps above it about a destruction order (DESIGN.md:
the register imports none of them). Both are sent inside the service's transaction, so that a
receiver's writes commit or roll back with the order: ``seizures`` marks the seized items of the
order's lines destroyed, or back in store.

``order_certified(sender, order, by)``: countersigned, its certificate issued.
``order_cancelled(sender, order, by)``: cancelled before the destruction."""

from __future__ import annotations

from django.dispatch import Signal

order_certified = Signal()
order_cancelled = Signal()
