"""What a seizure tells the apps above it (DESIGN.md: ``seizures`` imports none of them).

``case_changed(sender, case)``: a case was recorded or a person, party or item was added, inside
the service's transaction; ``duediligence`` re-indexes the case's screening keys (its persons,
its party, its machines' serials), so that they commit or roll back with the case."""

from __future__ import annotations

from django.dispatch import Signal

case_changed = Signal()
