"""Recording a seizure (Art. 18): the case, the persons involved, and each item. An item that is
a machine is compared with the register by make and serial (normalised like the register,
``equipment.serials``): the register's machine itself is seized with it (its state becomes
``seized``, as a seizure from the register always did), while a machine marked ``cloned`` is
another physical machine carrying a registered serial, and the register's machine stays where it
is. Every write is in one transaction with its audit events; ``signals.case_changed`` lets due
diligence re-index the case's screening keys in the same transaction."""

from __future__ import annotations

import hashlib
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Max

from equipment.models import Machine, MachineState
from equipment.serials import normalised_serial
from equipment.services.destruction import checked_photo
from licensing.exceptions import DomainError, PermissionDenied
from licensing.models.audit import Verb
from licensing.services.audit import record_event
from licensing.services.common import locked, run_transition
from licensing.services.numbers import save_with_reference
from licensing.services.records import PERSONAL
from licensing.storage import storage_errors
from seizures.models import (
    CaseOrigin,
    CaseState,
    ItemKind,
    ItemStatus,
    SeizedItem,
    SeizureCase,
    SeizurePerson,
    SeizurePhoto,
    StorageLocation,
)
from seizures.services import custody
from seizures.services.errors import (
    CaseClosed,
    ItemsStillInStore,
    NotAClone,
    RegisterMachineAlreadySeized,
    RegisterMachineGone,
)
from seizures.signals import case_changed

RECORD = "seizures.add_seizurecase"


def _require(by: Any, permission: str = RECORD) -> None:
    if by is None or not by.has_perm(permission):
        raise PermissionDenied()


def _changed(case: SeizureCase) -> None:
    case_changed.send(sender=SeizureCase, case=case)


@transaction.atomic
def record_case(*, case: SeizureCase, by: Any) -> SeizureCase:
    """Officers with ``add_seizurecase``. ``case`` is unsaved and valid (the form or the
    exchange cleaned it); it gets its reference here."""
    _require(by)
    case.recorded_by = by
    save_with_reference(case, prefix="SZ", year=case.seized_on.year)
    record_event(
        case,
        verb=Verb.CREATED,
        by=by,
        changes={
            "agency": case.agency,
            "seized_on": case.seized_on.isoformat(),
            "party_kind": case.party_kind,
            "party": case.party_label,
            "origin": case.origin,
        },
    )
    _changed(case)
    return case


@transaction.atomic
def add_person(*, case_id: int, person: SeizurePerson, by: Any) -> SeizurePerson:
    """A person involved; the trail names the record, not the person (personal data)."""
    _require(by)
    case = locked(SeizureCase, case_id)
    if case.state != CaseState.OPEN:
        raise CaseClosed()
    person.case = case
    person.full_clean()
    person.save()
    record_event(
        case,
        verb=Verb.EDITED,
        by=by,
        changes={
            # Art. 5: the trail, which every reader of the case sees, names the record only.
            "person_added": person.pk,
            "role": person.role,
            **{name: PERSONAL for name in SeizurePerson.personal_data_fields},
        },
    )
    _changed(case)
    return person


def register_entry(item: SeizedItem) -> Machine | None:
    """The register's machine of the item's make and serial, compared normalised (one indexed
    lookup on the register's unique key)."""
    if item.kind != ItemKind.MACHINE:
        return None
    make, serial = normalised_serial(item.make), normalised_serial(item.serial_number)
    if not serial:
        return None
    return Machine.objects.filter(make_key=make, serial_key=serial).first()


def register_conflict(entry: Machine | None, cloned: bool) -> DomainError | None:
    """Art. 18: why a machine with this register entry cannot be recorded as marked, or None.
    The item form shows it on the field; ``add_item`` raises it (under the machine's lock)."""
    if cloned and entry is None:
        return NotAClone()
    if entry is not None and not cloned:
        if entry.state == MachineState.DESTROYED:
            return RegisterMachineGone()
        if entry.state == MachineState.SEIZED:
            return RegisterMachineAlreadySeized()
    return None


def _seize_from_register(item: SeizedItem, machine: Machine, case: SeizureCase, by: Any) -> None:
    machine = locked(Machine, machine.pk)
    conflict = register_conflict(machine, cloned=False)
    if conflict is not None:
        raise conflict
    run_transition(
        machine,
        "seize",
        by=by,
        verb=Verb.SEIZED,
        reason=f"{case.reference}/{item.number}: {case.agency}",
        changes={"case": case.reference, "item": item.number},
    )


@transaction.atomic
def add_item(
    *,
    case_id: int,
    item: SeizedItem,
    by: Any,
    location: StorageLocation | None = None,
    handed_over_by: str = "",
    received_by: str = "",
) -> SeizedItem:
    """Officers with ``add_seizurecase``: the item, numbered within its case, compared with the
    register, and (with ``location``) taken into custody as the first step of its chain."""
    _require(by)
    case = locked(SeizureCase, case_id)
    if case.state != CaseState.OPEN:
        raise CaseClosed()
    item.case = case
    item.number = (case.items.aggregate(top=Max("number"))["top"] or 0) + 1
    entry = register_entry(item)
    if item.cloned and entry is None:
        raise NotAClone()
    item.register_machine = entry
    item.full_clean(
        exclude=["case", "number", "state"]
    )  # a ValidationError by field, nothing saved
    item.save()
    # A partner's seizure abroad names the register's machine but does not seize it here.
    if entry is not None and not item.cloned and case.origin == CaseOrigin.OWN:
        _seize_from_register(item, entry, case, by)
    record_event(
        case,
        verb=Verb.EDITED,
        by=by,
        changes={
            "item_added": item.number,
            "kind": item.kind,
            "what": item.what,
            "quantity": f"{item.quantity.normalize():f} {item.unit}",
            "register_entry": entry.identifier if entry is not None else "",
            "cloned": item.cloned,
        },
    )
    if location is not None:
        custody.take_into_custody(
            item=item,
            location=location,
            by=by,
            handed_over_by=handed_over_by or case.agency,
            received_by=received_by or (by.get_full_name() or by.get_username()),
        )
    _changed(case)
    return item


@transaction.atomic
def close_case(*, case_id: int, by: Any) -> SeizureCase:
    """Every item released or destroyed: the case is closed."""
    case = locked(SeizureCase, case_id)
    if case.items.filter(state__in=[ItemStatus.HELD, ItemStatus.DESTRUCTION_ORDERED]).exists():
        raise ItemsStillInStore()
    run_transition(case, "close", by=by, verb=Verb.CASE_CLOSED)
    return case


@transaction.atomic
def add_photo(*, item_id: int, upload: UploadedFile, by: Any) -> SeizurePhoto:
    """A photo of the item (JPEG or PNG, by its content, within the size limit; the client's
    file name is never used)."""
    _require(by)
    item = locked(SeizedItem, item_id)
    content_type, data = checked_photo(upload)
    photo = SeizurePhoto(
        item=item,
        content_type=content_type,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        uploaded_by=by,
    )
    with storage_errors("seizure photo"):
        photo.file.save("photo", ContentFile(data), save=False)
    photo.save()
    record_event(
        item,
        verb=Verb.EDITED,
        by=by,
        changes={"photo_added": str(photo.public_id), "sha256": photo.sha256},
    )
    return photo
