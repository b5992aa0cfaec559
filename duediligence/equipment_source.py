"""The equipment register as a source of the machine check (Art. 6.3(b)(iv), 18): a serial
number the applicant declares that the register already holds under another party, or that
was seized or destroyed. ``duediligence`` may import ``equipment`` (DESIGN.md); the register
cannot plug itself in, so it is plugged in here.

One indexed query: ``Machine.serial_key`` is looked up with the check's serial keys, both
made by ``equipment.serials.normalised_serial``."""

from __future__ import annotations

from django.utils.translation import gettext

from duediligence.models import KeyKind
from duediligence.sources import KeysByKind, Match

# Whoever holds it, the machine must not come back into use (Art. 18).
GONE = ("seized", "destroyed")


class EquipmentRegister:
    code = "equipment_register"
    # The applicant's own machines in use do not flag it (a renewal lists the same machines).
    excludes_applicant = True

    def adverse_matches(self, keys_by_kind: KeysByKind) -> list[Match]:
        from equipment.models import Machine

        serials = keys_by_kind.get(KeyKind.SERIAL, set())
        if not serials:
            return []
        rows = (
            Machine.objects.filter(serial_key__in=sorted(serials))
            .order_by("serial_key", "pk")
            .values("serial_key", "state", "identifier", "holder_id", "holder__legal_name")
        )
        found = []
        for row in rows:
            gone = row["state"] in GONE
            found.append(
                Match(
                    source=self.code,
                    reason=gettext("seized or destroyed (equipment register)")
                    if gone
                    else gettext("registered to another holder (equipment register)"),
                    kind=KeyKind.SERIAL,
                    value=row["serial_key"],
                    # A seized or destroyed machine flags even when the applicant held it: no
                    # party is named for the "not the applicant's own" rule to drop it.
                    party_id=None if gone else row["holder_id"],
                    party=row["holder__legal_name"] or "",
                    reference=row["identifier"],
                )
            )
        return found
