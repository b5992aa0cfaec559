"""Reads of the machine identifier codes (Reg. (EU) 2018/574 Art. 19) for the admin, the demo
and the HTTP API, and the registry's machine messages (Annex II 1.7 to 1.9) in its field
names. docs/identifiers.md."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from equipment.models import Machine, MachineCode
from licensing.identifiers import code_kind, normalised_code
from licensing.models.identifiers import CodeKind, MessageType


def machine_code(machine: Any) -> str | None:
    """The active machine identifier code (M_ID) of ``machine`` (or its id), if any."""
    machine_id = getattr(machine, "pk", machine)
    return (
        MachineCode.objects.filter(machine_id=machine_id, active=True)
        .values_list("code", flat=True)
        .first()
    )


def machine_codes(machines: Iterable[Any]) -> dict[int, str]:
    """machine id -> its active M_ID, for the machines (or ids) that have one; one query."""
    ids = [getattr(machine, "pk", machine) for machine in machines]
    if not ids:
        return {}
    return dict(
        MachineCode.objects.filter(machine_id__in=ids, active=True).values_list(
            "machine_id", "code"
        )
    )


def machine_by_code(text: str) -> Machine | None:
    """The machine a code (active or not, any spacing or case) was issued to, or None: what
    an inspector or another authority reads off a document (one query)."""
    code = normalised_code(text)
    if code_kind(code) != CodeKind.MACHINE:
        return None
    found = MachineCode.objects.select_related("machine").filter(code=code).first()
    return found.machine if found is not None else None


def machine_code_history(machine: Any) -> list[MachineCode]:
    """Every code ``machine`` was given, newest first, with the codes it was linked to."""
    return list(
        MachineCode.objects.filter(machine=machine)
        .select_related("operator", "facility")
        .order_by("-issued_at", "-pk")
    )


def machine_fields(
    message_type: str, *, code: str, operator: str, facility: str, machine: Machine | None
) -> dict[str, Any]:
    """Annex II 1.7 (request) and 1.8 (correction): the operator's and facility's codes and
    the machine's make, model, serial number and capacity; 1.9 (deregistration): the codes.
    M_Capacity is the maximum over a 24-hour production cycle: the rated units an hour
    times 24 (docs/identifiers.md)."""
    fields: dict[str, Any] = {
        "Message_Type": message_type,
        "EO_ID": operator,
        "F_ID": facility,
        "M_ID": code,
    }
    if message_type == MessageType.M_DEREGISTRATION or machine is None:
        return {**fields, "Reg_3": 0}
    capacity = machine.rated_capacity * 24 if machine.rated_capacity else ""
    return {
        **fields,
        "M_Producer": machine.make,
        "M_Model": machine.model,
        "M_Number": machine.serial_number,
        "M_Capacity": capacity,
        "Reg_3": 0,
    }
