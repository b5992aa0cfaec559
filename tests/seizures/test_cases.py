"""Recording a seizure (Art. 18): the register's own machine seized with the case, a machine
carrying a cloned serial, seizures from unknown and unlicensed parties, and bad input refused
with nothing saved."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from equipment.models import Machine, MachineState
from licensing.exceptions import PermissionDenied
from licensing.models import AuditEvent
from seizures.models import CaseState, ItemKind, PartyKind, SeizedItem, SeizureCase, Unit
from seizures.services import cases, disposal
from seizures.services.errors import (
    CaseClosed,
    ItemsStillInStore,
    NotAClone,
    RegisterMachineAlreadySeized,
    RegisterMachineGone,
)
from tests.factories import MachineFactory
from tests.seizures.helpers import machine, open_case, store, tobacco


@pytest.mark.django_db
def test_a_case_gets_its_reference_and_only_officers_record_one(officer, inspector, registrar):
    for user in (inspector, registrar):
        with pytest.raises(PermissionDenied):
            open_case(user)
    assert not SeizureCase.objects.exists()
    case = open_case(officer)
    assert case.reference == f"SZ-{case.seized_on.year}-{case.pk:06d}"
    assert case.state == CaseState.OPEN and case.recorded_by == officer
    assert AuditEvent.objects.filter(object_id=str(case.pk), verb="created").exists()


@pytest.mark.django_db
def test_the_registers_own_machine_is_seized_with_the_case(officer):
    # Art. 18: a seizure from the register moves the machine to "seized", as before.
    registered = MachineFactory(make="Hauni", serial_number="PM8-31337")
    case = open_case(officer, party_kind=PartyKind.LICENSED, party=registered.holder)
    item = cases.add_item(case_id=case.pk, item=machine("HAUNI", "pm8 31337"), by=officer)
    assert item.register_machine == registered and not item.cloned
    registered.refresh_from_db()
    assert registered.state == MachineState.SEIZED
    # Its trail names the case.
    event = AuditEvent.objects.filter(object_id=str(registered.pk), verb="seized").get()
    assert case.reference in event.reason


@pytest.mark.django_db
def test_a_cloned_serial_leaves_the_registers_machine_where_it_is(officer):
    registered = MachineFactory(make="Hauni", serial_number="PM8-40000")
    case = open_case(officer, party_kind=PartyKind.UNLICENSED, party_name="Lager Syd AS")
    item = cases.add_item(
        case_id=case.pk, item=machine("Hauni", "PM8-40000", cloned=True), by=officer
    )
    assert (item.register_machine, item.cloned) == (registered, True)
    assert Machine.objects.get(pk=registered.pk).state == MachineState.REGISTERED


@pytest.mark.django_db
def test_a_clone_needs_a_register_entry_and_a_destroyed_or_seized_one_needs_the_clone_mark(
    officer,
):
    case = open_case(officer)
    with pytest.raises(NotAClone):
        cases.add_item(
            case_id=case.pk, item=machine("Hauni", "NOT-IN-REGISTER", cloned=True), by=officer
        )
    destroyed = MachineFactory(make="Focke", serial_number="F8-1", state=MachineState.DESTROYED)
    with pytest.raises(RegisterMachineGone):
        cases.add_item(case_id=case.pk, item=machine("Focke", "F8-1"), by=officer)
    seized = MachineFactory(make="Focke", serial_number="F8-2", state=MachineState.SEIZED)
    with pytest.raises(RegisterMachineAlreadySeized):
        cases.add_item(case_id=case.pk, item=machine("Focke", "F8-2"), by=officer)
    assert not SeizedItem.objects.exists()  # each refusal rolled back whole
    # Marked as clones, both are recorded, and neither register machine changes.
    for serial in ("F8-1", "F8-2"):
        cases.add_item(case_id=case.pk, item=machine("Focke", serial, cloned=True), by=officer)
    assert {destroyed.pk: "destroyed", seized.pk: "seized"} == dict(
        Machine.objects.filter(pk__in=[destroyed.pk, seized.pk]).values_list("pk", "state")
    )


@pytest.mark.django_db
def test_a_machine_not_in_the_register_seized_from_an_unknown_party(officer):
    case = open_case(officer)  # nobody known
    item = cases.add_item(case_id=case.pk, item=machine("Molins", "MK9-0001"), by=officer)
    assert item.register_machine is None and item.number == 1
    assert case.party_label == str(PartyKind.UNKNOWN.label)
    second = cases.add_item(case_id=case.pk, item=tobacco(), by=officer)
    assert second.number == 2 and second.what == "cut tobacco"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("item", "field"),
    [
        (machine("Hauni", "-- / .."), "serial_number"),  # normalises to nothing
        (machine("", "PM8-1"), "make"),
        (tobacco(-5), "quantity"),
        (tobacco(0), "quantity"),
        (SeizedItem(kind=ItemKind.TOBACCO, quantity=Decimal(3), unit="barrel"), "unit"),
        (SeizedItem(kind=ItemKind.TOBACCO, quantity=Decimal(3), unit=Unit.STICK), "unit"),
        (SeizedItem(kind=ItemKind.CASH, quantity=Decimal(100), unit=Unit.MONEY), "currency"),
        (
            SeizedItem(kind=ItemKind.CASH, quantity=Decimal(100), unit=Unit.MONEY, currency="eur"),
            "currency",
        ),
    ],
)
def test_bad_items_are_refused_with_a_message_and_nothing_saved(officer, item, field):
    case = open_case(officer)
    events = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as info:
        cases.add_item(case_id=case.pk, item=item, by=officer)
    assert field in info.value.message_dict
    assert not SeizedItem.objects.exists() and AuditEvent.objects.count() == events


@pytest.mark.django_db
def test_nothing_is_added_to_a_closed_case(officer):
    case = open_case(officer)
    cases.close_case(case_id=case.pk, by=officer)
    with pytest.raises(CaseClosed):
        cases.add_item(case_id=case.pk, item=tobacco(), by=officer)


@pytest.mark.django_db
def test_an_item_recorded_with_a_store_starts_its_custody_chain(officer):
    oslo = store(officer)
    case = open_case(officer)
    item = cases.add_item(case_id=case.pk, item=tobacco(), by=officer, location=oslo)
    move = item.moves.get()
    assert (move.sequence, move.from_location, move.to_location) == (1, None, oslo)
    assert move.handed_over_by == "Tolletaten"


@pytest.mark.django_db
def test_a_case_closes_only_when_nothing_is_left_in_store(officer, inspector, refused):
    case = open_case(officer)
    item = cases.add_item(case_id=case.pk, item=tobacco(), by=officer)
    with refused(ItemsStillInStore, case):
        cases.close_case(case_id=case.pk, by=officer)
    disposal.release_item(
        item_id=item.pk, by=officer, order_reference="24-9 ENE", released_to="State treasury"
    )
    with refused(PermissionDenied, case):
        cases.close_case(case_id=case.pk, by=inspector)
    assert cases.close_case(case_id=case.pk, by=officer).state == CaseState.CLOSED
