"""Declaring, registering and seizing machines (Art. 6.3(b)(iv)-(v), 18)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from stdnum.iso7064 import mod_37_36

from equipment.models import Machine, MachineKind, Part, normalised_serial
from equipment.services.codes import issue_machine_code
from equipment.services.errors import SerialTaken
from licensing.exceptions import PermissionDenied
from licensing.models.audit import Verb
from licensing.models.licences import Licence
from licensing.models.sites import Site
from licensing.services.audit import record_event
from licensing.services.common import locked, require_reason, run_transition
from licensing.services.numbers import next_value


def machine_identifier(on: dt.date) -> str:
    """``M-2026-000012-X``: drawn like a licence number, with its MOD 37,36 check character, so
    that an identifier misread off a machine plate is caught."""
    value = next_value(f"machine-{on.year}")
    body = f"M{on.year}{value:06d}"
    return f"M-{on.year}-{value:06d}-{mod_37_36.calc_check_digit(body)}"


def part_identifier(on: dt.date) -> str:
    value = next_value(f"part-{on.year}")
    body = f"P{on.year}{value:06d}"
    return f"P-{on.year}-{value:06d}-{mod_37_36.calc_check_digit(body)}"


def serial_taken(make: str, serial_number: str) -> bool:
    return Machine.objects.filter(
        make_key=normalised_serial(make), serial_key=normalised_serial(serial_number)
    ).exists()


def declare_machine(
    *,
    licence: Licence,
    site: Site | None,
    make: str,
    model: str,
    serial_number: str,
    kind: str,
    hs_code: str,
    year: int | None = None,
    rated_capacity: int | None = None,
    by: Any,
) -> Machine:
    """A machine newly in the register, ``declared`` until an officer registers it. The caller
    holds the transaction and has checked who may declare. Refused when the serial number
    is already registered for this make, whoever holds it."""
    if serial_taken(make, serial_number):
        raise SerialTaken()
    machine = Machine(
        identifier=machine_identifier(timezone.localdate()),
        make=make.strip(),
        model=model.strip(),
        serial_number=serial_number.strip(),
        kind=kind,
        hs_code=hs_code.strip(),
        year=year,
        rated_capacity=rated_capacity,
        holder=licence.holder,
        licence=licence,
        site=site,
    )
    machine.full_clean(exclude=["state", "identifier"])
    try:
        with transaction.atomic():
            machine.save()
    except IntegrityError as error:  # declared meanwhile by another transaction
        raise SerialTaken() from error
    record_event(
        machine,
        verb=Verb.CREATED,
        by=by,
        to_state=machine.state,
        changes={"licence": licence.number, "serial_number": machine.serial_number},
    )
    return machine


@transaction.atomic
def register_machine(*, machine_id: int, by: Any) -> Machine:
    """Licence officers: the declared machine enters the register."""
    machine = locked(Machine, machine_id)
    run_transition(machine, "register", by=by, verb=Verb.REGISTERED)
    issue_machine_code(machine)  # Reg. 2018/574 Art. 19: its machine identifier code
    return machine


@transaction.atomic
def seize_machine(*, machine_id: int, by: Any, reason: str) -> Machine:
    """Art. 18: licence officers record a seizure, with its reason."""
    machine = locked(Machine, machine_id)
    reason = require_reason(reason)
    run_transition(machine, "seize", by=by, verb=Verb.SEIZED, reason=reason)
    return machine


@transaction.atomic
def add_part(
    *,
    holder_licence: Licence,
    description: str,
    serial_number: str = "",
    machine: Machine | None = None,
    by: Any,
) -> Part:
    """Art. 1.8(b): any part thereof, with its own identifier. Licence officers."""
    if not by.has_perm("equipment.add_part"):
        raise PermissionDenied()
    part = Part.objects.create(
        identifier=part_identifier(timezone.localdate()),
        description=description.strip(),
        serial_number=serial_number.strip(),
        holder=holder_licence.holder,
        machine=machine,
    )
    record_event(part, verb=Verb.CREATED, by=by, changes={"licence": holder_licence.number})
    return part


def approvals_declaring_machines(since: dt.datetime) -> list[int]:
    """Applications approved since ``since`` that declared machines: the sweep declares them
    again (``declare_from_application`` skips those already in the register)."""
    from licensing.models.applications import Application, ApplicationState

    return list(
        Application.objects.filter(
            state=ApplicationState.APPROVED, decided_at__gte=since, declared_machines__isnull=False
        )
        .order_by("pk")
        .values_list("pk", flat=True)
        .distinct()
    )


@transaction.atomic
def declare_from_application(*, application_id: int) -> int:
    """Art. 6.3(b)(iv)-(v): the machines an approved application declared enter the register
    as ``declared`` under the licence it issued or changed, for an officer to check and
    register (kind and HS code are set to "other" and 8478 until then). A machine already in
    the register is left where it is, so a rerun declares nothing twice."""
    from licensing.models.applications import Application

    application = Application.objects.select_related("party").get(pk=application_id)
    # A new licence or a transfer's successor names the application; a renewal or a change
    # is on the licence the application names.
    licence = Licence.objects.filter(application=application).first() or application.licence
    if licence is None or not licence.is_manufacturing:
        return 0
    declared = 0
    for item in application.declared_machines.select_related("site").order_by("pk"):
        if serial_taken(item.make, item.serial_number):
            continue
        machine = Machine.objects.create(
            identifier=machine_identifier(timezone.localdate()),
            make=item.make,
            model=item.model,
            serial_number=item.serial_number,
            year=item.year,
            kind=MachineKind.OTHER,
            hs_code="8478",  # Art. 1.8, footnote: the heading of manufacturing equipment
            holder=licence.holder,
            licence=licence,
            site=item.site,
        )
        record_event(
            machine,
            verb=Verb.CREATED,
            by=None,
            to_state=machine.state,
            changes={"application": application.reference, "licence": licence.number},
        )
        declared += 1
    return declared
