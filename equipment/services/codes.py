"""Issuing, re-linking and deactivating machine identifier codes (Reg. (EU) 2018/574 Art. 18,
19), inside the transaction of the register's own change: a machine registered gets its code
(1-7), a confirmed change of custody or of site re-links it to the new holder's operator code
and the new site's facility code (a correction, 1-8), a destroyed machine's code and the codes
of machines whose operator or facility code was deactivated fall (1-9; Art. 15(4), 17(4)).
docs/identifiers.md."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.dispatch import receiver
from django.utils import timezone
from django_fsm.signals import post_transition

from equipment.identifiers import machine_fields
from equipment.models import Machine, MachineCode, MachineState
from licensing.identifiers import new_codes
from licensing.models.identifiers import CodeKind, FacilityCode, MessageType, OperatorCode
from licensing.services.identifiers import sync_party_codes, write_message
from licensing.signals import codes_deactivated


def _links(machine: Machine) -> tuple[OperatorCode | None, FacilityCode | None]:
    """The holder's active operator code and the site's active facility code. A holder whose
    live licences predate the codes (a factory, an import before the backfill) is given them
    first: its machine's code names them."""
    operator = OperatorCode.objects.filter(party_id=machine.holder_id, active=True).first()
    if operator is None:
        sync_party_codes(party_id=machine.holder_id, reason=machine.identifier)
        operator = OperatorCode.objects.filter(party_id=machine.holder_id, active=True).first()
    facility = None
    if machine.site_id is not None:
        facility = FacilityCode.objects.filter(site_id=machine.site_id, active=True).first()
    return operator, facility


def _message(message_type: str, code: MachineCode, machine: Machine | None) -> None:
    payload = machine_fields(
        message_type,
        code=code.code,
        operator=code.operator.code if code.operator else "",
        facility=code.facility.code if code.facility else "",
        machine=machine,
    )
    write_message(message_type, subject=code.code, payload=payload)


def issue_machine_code(machine: Machine) -> MachineCode:
    """Art. 19(1)-(3): the registered machine's M_ID and its message 1-7. Idempotent: a
    machine that has an active code keeps it."""
    existing = MachineCode.objects.filter(machine=machine, active=True).first()
    if existing is not None:
        return existing
    operator, facility = _links(machine)
    (value,) = new_codes(CodeKind.MACHINE)
    code = MachineCode.objects.create(
        machine=machine, operator=operator, facility=facility, code=value
    )
    _message(MessageType.M_REGISTRATION, code, machine)
    return code


def relink_machine_code(machine: Machine) -> MachineCode:
    """Art. 18(4): a confirmed change of custody or site is a correction of the machine's
    registration (1-8): its code now names the new holder's operator code and the new site's
    facility code. A machine without an active code (its old site's code fell) gets one."""
    code = MachineCode.objects.select_for_update().filter(machine=machine, active=True).first()
    if code is None:
        return issue_machine_code(machine)
    operator, facility = _links(machine)
    if (code.operator_id, code.facility_id) == (
        operator.pk if operator else None,
        facility.pk if facility else None,
    ):
        return code
    code.operator, code.facility = operator, facility
    code.save(update_fields=["operator", "facility", "updated_at"])
    _message(MessageType.M_CORRECTION, code, machine)
    return code


def deactivate_machine_codes(codes: list[MachineCode], *, reason: str) -> int:
    now = timezone.now()
    for code in codes:
        code.active = False
        code.deactivated_at = now
        code.deactivation_reason = reason[:300]
        code.save(update_fields=["active", "deactivated_at", "deactivation_reason", "updated_at"])
        _message(MessageType.M_DEREGISTRATION, code, None)
    return len(codes)


@receiver(codes_deactivated, dispatch_uid="equipment-machine-codes-cascade")
def cascade(
    sender: Any, operator_ids: list[int], facility_ids: list[int], reason: str, **kwargs: Any
) -> None:
    """Art. 15(4), 17(4): in the transaction that deactivated the operator or facility codes."""
    codes = list(
        MachineCode.objects.select_for_update(of=("self",))
        .filter(Q(operator_id__in=operator_ids) | Q(facility_id__in=facility_ids), active=True)
        .select_related("operator", "facility")
        .order_by("pk")
    )
    deactivate_machine_codes(codes, reason=reason)


@receiver(post_transition, sender=Machine, dispatch_uid="equipment-machine-code-destroyed")
def machine_destroyed(sender: Any, instance: Machine, target: str, **kwargs: Any) -> None:
    """Art. 18(4): a destroyed machine is decommissioned, whichever service destroyed it (an
    equipment order, a seizure's disposal): its code falls in the same transaction."""
    if target != MachineState.DESTROYED:
        return
    codes = list(
        MachineCode.objects.select_for_update(of=("self",))
        .filter(machine=instance, active=True)
        .select_related("operator", "facility")
    )
    deactivate_machine_codes(codes, reason=f"{instance.identifier}: {target}")
