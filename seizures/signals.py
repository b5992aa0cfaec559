"""What a seizure tells the apps above it (DESIGN.md: ``seizures`` imports none of them).

``case_changed(sender, case)``: a case was recorded or a person, party or item was added, inside
the service's transaction; ``duediligence`` re-indexes the case's screening keys (its persons,
its party, its machines' serials), so that they commit or roll back with the case.

``records_exported(sender, by, purpose, persons, cases)``: cases left the authority in an export
for another Party (Art. 21.1(e)), inside the export's transaction; ``cases`` is a list of
``(party_id or None, reference, persons included)``. ``cooperation`` writes the register of
disclosures (Art. 22.2)."""

from __future__ import annotations

from django.dispatch import Signal

case_changed = Signal()
records_exported = Signal()
