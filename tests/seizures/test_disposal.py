"""The custody chain of seized items, their release by court order and their supervised
destruction under a destruction order whose certificate lists them (Art. 18)."""

from __future__ import annotations

import subprocess

import pytest
from django.utils import timezone

from equipment.models import Machine, MachineState, OrderState
from equipment.services import destruction, destruction_jobs
from equipment.services.errors import NothingToDestroy
from licensing.exceptions import PermissionDenied, ReasonRequired
from licensing.models import IssuedDocument, IssuedDocumentKind
from licensing.transitions import ensure_allowed
from seizures.models import ItemKind, ItemStatus, SeizedItem, Unit
from seizures.services import cases, custody, disposal
from seizures.services.errors import (
    CashNotDestroyed,
    ItemNotInStore,
    ItemsInSeveralStores,
    ItemsNotHeld,
    ItemWithoutStore,
    MovedMeanwhile,
    OrderReferenceRequired,
    SameLocation,
)
from tests.factories import MachineFactory
from tests.factories.equipment import days
from tests.seizures.helpers import machine, open_case, store, tobacco


def move(item, to, expected, by):
    return custody.move_item(
        item_id=item.pk,
        to_location_id=to.pk,
        expected_from_id=expected.pk if expected else None,
        by=by,
        handed_over_by="Kari Nilsen",
        received_by="Ivar Lunde",
    )


@pytest.mark.django_db
def test_of_two_officers_moving_the_same_item_one_wins_and_the_chain_has_no_gap(
    officer, officer2, inspector
):
    oslo, drammen, bergen = (
        store(officer),
        store(officer, "Tollager Drammen"),
        store(officer, "Bergen"),
    )
    case = open_case(officer)
    item = cases.add_item(case_id=case.pk, item=tobacco(), by=officer, location=drammen)
    with pytest.raises(PermissionDenied):
        move(item, oslo, drammen, inspector)
    # Both saw it in Drammen; the first move wins, the second is told to reload.
    move(item, oslo, drammen, officer)
    with pytest.raises(MovedMeanwhile):
        move(item, bergen, drammen, officer2)
    with pytest.raises(SameLocation):
        move(item, oslo, oslo, officer2)
    move(item, bergen, oslo, officer2)
    item.refresh_from_db()
    chain = list(item.moves.values_list("sequence", "from_location", "to_location"))
    assert chain == [(1, None, drammen.pk), (2, drammen.pk, oslo.pk), (3, oslo.pk, bergen.pk)]
    assert item.location == bergen and custody.chain_has_no_gap(item)


@pytest.mark.django_db
def test_a_release_needs_a_court_order_and_gives_the_register_machine_back(
    officer, inspector, refused
):
    registered = MachineFactory(make="Hauni", serial_number="PM8-5150")
    case = open_case(officer)
    item = cases.add_item(case_id=case.pk, item=machine("Hauni", "PM8-5150"), by=officer)
    assert Machine.objects.get(pk=registered.pk).state == MachineState.SEIZED
    kwargs = {"item_id": item.pk, "released_to": registered.holder.legal_name}
    with refused(OrderReferenceRequired, item):
        disposal.release_item(by=officer, order_reference="  ", **kwargs)
    with refused(PermissionDenied, item):
        disposal.release_item(by=inspector, order_reference="24-1188 ENE", **kwargs)
    item = disposal.release_item(by=officer, order_reference="24-1188 ENE", **kwargs)
    assert (item.state, item.release_order_reference) == (ItemStatus.RELEASED, "24-1188 ENE")
    assert Machine.objects.get(pk=registered.pk).state == MachineState.REGISTERED
    with pytest.raises(ItemNotInStore):
        move(item, store(officer), None, officer)


@pytest.mark.django_db
def test_what_can_be_ordered_for_destruction(officer, inspector):
    oslo, drammen = store(officer), store(officer, "Tollager Drammen")
    case = open_case(officer)
    loose = cases.add_item(case_id=case.pk, item=tobacco(), by=officer)
    cash = SeizedItem(kind=ItemKind.CASH, quantity=85000, unit=Unit.MONEY, currency="NOK")
    cash = cases.add_item(case_id=case.pk, item=cash, by=officer, location=oslo)
    here = cases.add_item(case_id=case.pk, item=tobacco(5), by=officer, location=oslo)
    there = cases.add_item(case_id=case.pk, item=tobacco(7), by=officer, location=drammen)
    kwargs = {"case_id": case.pk, "method": "other", "planned_on": days(10)}
    for ids, error in (
        ([], NothingToDestroy),
        ([cash.pk], CashNotDestroyed),
        ([loose.pk], ItemWithoutStore),
        ([here.pk, there.pk], ItemsInSeveralStores),
    ):
        with pytest.raises(error):
            disposal.order_destruction(item_ids=ids, by=officer, reason="confiscated", **kwargs)
    with pytest.raises(ReasonRequired):
        disposal.order_destruction(item_ids=[here.pk], by=officer, reason=" ", **kwargs)
    with pytest.raises(PermissionDenied):
        disposal.order_destruction(item_ids=[here.pk], by=inspector, reason="confiscated", **kwargs)
    order = disposal.order_destruction(
        item_ids=[here.pk], by=officer, reason="confiscated", **kwargs
    )
    with pytest.raises(ItemsNotHeld):
        disposal.order_destruction(item_ids=[here.pk], by=officer, reason="again", **kwargs)
    # Cancelled, the item is held again and free for another order.
    destruction.cancel_order(order_id=order.pk, by=officer, reason="date moved")
    here.refresh_from_db()
    assert (here.state, here.destruction_order) == (ItemStatus.HELD, None)
    disposal.order_destruction(item_ids=[here.pk], by=officer, reason="confiscated", **kwargs)


@pytest.mark.django_db
def test_seized_stock_is_destroyed_under_an_order_whose_certificate_lists_it(
    officer, inspector, senior
):
    registered = MachineFactory(make="Hauni", serial_number="PM8-60606")
    oslo = store(officer)
    case = open_case(officer)
    own = cases.add_item(
        case_id=case.pk, item=machine("Hauni", "PM8-60606"), by=officer, location=oslo
    )
    clone = cases.add_item(
        case_id=case.pk, item=machine("Hauni", "PM8-60606", cloned=True), by=officer, location=oslo
    )
    cut = cases.add_item(case_id=case.pk, item=tobacco(300), by=officer, location=oslo)
    order = disposal.order_destruction(
        case_id=case.pk,
        item_ids=[own.pk, clone.pk, cut.pk],
        by=officer,
        reason="Confiscation order 24-118833MED",
        method="shredding",
        planned_on=days(3),
    )
    # The register's machine is a machine of the order; the clone and the tobacco are lines.
    assert list(order.machines.all()) == [registered]
    assert order.licence is None and order.place.startswith("Sentrallager Oslo")
    assert sorted(order.lines.values_list("reference", flat=True)) == [clone.label, cut.label]
    destruction_jobs.assign_inspectors()
    order.refresh_from_db()
    assert (order.state, order.inspector) == (OrderState.SCHEDULED, inspector)
    destruction.record_destruction(
        order_id=order.pk,
        by=inspector,
        witnessed_at=timezone.now(),
        method="shredding",
        serials_seen=["PM8-60606"],
        witnesses="Ivar Lunde",
    )
    order = destruction.countersign_destruction(order_id=order.pk, by=senior)
    assert order.state == OrderState.CERTIFIED
    states = dict(SeizedItem.objects.values_list("pk", "state"))
    assert states == {own.pk: "destroyed", clone.pk: "destroyed", cut.pk: "destroyed"}
    assert Machine.objects.get(pk=registered.pk).state == MachineState.DESTROYED
    document = IssuedDocument.objects.get(kind=IssuedDocumentKind.DESTRUCTION_CERTIFICATE)
    assert document.licence is None and order.certificate == document
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-", "-"],  # noqa: S607
        input=document.file.open("rb").read(),
        capture_output=True,
        check=True,
    ).stdout.decode()
    for expected in (
        registered.identifier,
        clone.label,
        cut.label,
        "300 kg",
        "cut tobacco",
        "Sentrallager Oslo",
    ):
        assert expected in text


@pytest.mark.django_db
def test_a_machine_goes_back_to_the_register_only_through_the_release_of_its_item(officer):
    # Art. 18: the machine's own "release" is the system's, run by ``release_item`` alone.
    registered = MachineFactory(make="Hauni", serial_number="PM8-9191", state=MachineState.SEIZED)
    with pytest.raises(PermissionDenied):
        ensure_allowed(registered, "release", officer)
    # A clone released by court order leaves the register's machine as it was.
    case = open_case(officer)
    clone = cases.add_item(
        case_id=case.pk, item=machine("Hauni", "PM8-9191", cloned=True), by=officer
    )
    disposal.release_item(
        item_id=clone.pk, by=officer, order_reference="24-77 ENE", released_to="Owner"
    )
    assert Machine.objects.get(pk=registered.pk).state == MachineState.SEIZED
