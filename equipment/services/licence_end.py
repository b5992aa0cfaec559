"""When a licence ends (revoked, surrendered, or expired and not renewed), its machines may no
longer be used: they are to be disposed of to a licensee or destroyed under supervision by a
deadline (Art. 6.3(h), 6.3(i)), and an officer gets a task to follow it up."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from equipment.models import IN_USE, Machine, MachineState, OfficerTask, TaskKind
from licensing.models.audit import Verb
from licensing.models.licences import Licence, LicenceState
from licensing.services.common import locked, run_transition

ENDED = (LicenceState.REVOKED, LicenceState.SURRENDERED, LicenceState.EXPIRED)
OFFICERS = "licence officer"


def has_ended(licence: Licence, today: dt.date) -> bool:
    """Revoked or surrendered; or expired and past the grace period in which it may still be
    renewed (Art. 6.3(f)): "expired without renewal"."""
    if licence.state == LicenceState.EXPIRED:
        return not licence.is_renewable(today)
    return licence.state in ENDED


@transaction.atomic
def require_disposal(*, licence_id: int, today: dt.date | None = None) -> int:
    """The machines in use under an ended licence need disposal or destruction by the
    deadline; one task for the officers per licence. Safe to run again: machines already
    moved on and the existing task are left as they are. Returns the machines changed."""
    today = today or timezone.localdate()
    licence = locked(Licence, licence_id)
    if not has_ended(licence, today):
        return 0
    deadline = today + dt.timedelta(days=settings.MACHINE_DISPOSAL_DAYS)
    machines = list(
        Machine.objects.select_for_update()
        .filter(licence=licence, state__in=[*IN_USE, MachineState.DISPOSAL_NOTIFIED])
        .order_by("pk")
    )
    for machine in machines:
        machine.disposal_deadline = deadline
        run_transition(
            machine,
            "require_disposal",
            by=None,
            verb=Verb.DISPOSAL_REQUIRED,
            extra_fields=("disposal_deadline",),
            changes={
                "licence": licence.number,
                "licence_state": licence.state,
                "deadline": deadline.isoformat(),
            },
        )
    if (
        machines
        or Machine.objects.filter(licence=licence, state=MachineState.DISPOSAL_REQUIRED).exists()
    ):
        OfficerTask.objects.get_or_create(
            key=f"licence-ended:{licence.pk}:{licence.state}",
            defaults={
                "kind": TaskKind.LICENCE_ENDED,
                "licence": licence,
                "for_group": OFFICERS,
                "due_on": deadline,
            },
        )
    return len(machines)


def ended_licences_with_machines_in_use() -> list[int]:
    return list(
        Licence.objects.filter(state__in=ENDED, machines__state__in=IN_USE)
        .values_list("pk", flat=True)
        .distinct()
    )
