"""Seizure records for the exchange of enforcement information (Art. 21.1(e), 21.2): the export
for another Party in the shape the authorities exchange, and another Party's records received
into the same model, all or nothing."""

from __future__ import annotations

import csv
import io
import json

import pytest

from licensing.exceptions import PermissionDenied
from licensing.models import AuditEvent
from seizures import exchange
from seizures.models import CaseOrigin, PersonRole, SeizureCase, SeizurePerson
from seizures.services import cases
from tests.factories import MachineFactory
from tests.seizures.helpers import open_case, tobacco


def record(**changes):
    base = {
        "schema": exchange.SCHEMA,
        "reporting_party": "SE",
        "reference": "TV-2026-1",
        "agency": "Tullverket",
        "seized_on": "2026-11-02",
        "place": "Svinesund",
        "country": "SE",
        "modus_operandi": {"transport": "lorry", "concealment": "feed pallets"},
        "entity": {"name": "Nordvik Frakt AS", "country": "NO"},
        "items": [{"kind": "tobacco", "tobacco_form": "leaf", "quantity": "1200", "unit": "kg"}],
        "persons": [{"full_name": "Nils Berg", "role": "driver"}],
        "onward_restricted": True,
    }
    return {**base, **changes}


def payload(*records):
    return json.dumps({"records": list(records)}).encode()


@pytest.mark.django_db
def test_the_export_carries_the_art_21_facts_and_persons_only_when_asked(officer, senior):
    case = open_case(
        senior,
        transport="van",
        detection="tip-off",
        party_name="=HYPERLINK(1)",
        party_kind="unlicensed",
    )
    cases.add_item(case_id=case.pk, item=tobacco(300, value=450000, currency="NOK"), by=senior)
    cases.add_person(
        case_id=case.pk,
        person=SeizurePerson(full_name="Tor Kristiansen", role=PersonRole.OWNER),
        by=senior,
    )
    with pytest.raises(PermissionDenied):
        exchange.export_cases(queryset=SeizureCase.objects.all(), by=officer)
    exported = exchange.export_cases(queryset=SeizureCase.objects.all(), by=senior, purpose="SE")
    data = json.loads(exported.content)
    (sent,) = data["records"]
    assert sent["reference"] == case.reference and sent["reporting_party"] == "NO"
    assert sent["items"][0]["quantity"] == "300" and sent["items"][0]["value"] == "450000"
    assert sent["modus_operandi"]["detection"] == "tip-off"
    assert "persons" not in sent
    with_persons = exchange.export_cases(
        queryset=SeizureCase.objects.all(), by=senior, persons=True
    )
    assert (
        json.loads(with_persons.content)["records"][0]["persons"][0]["full_name"]
        == "Tor Kristiansen"
    )
    rows = list(
        csv.DictReader(
            io.StringIO(
                exchange.export_cases(
                    queryset=SeizureCase.objects.all(), by=senior, fmt="csv"
                ).content.decode("utf-8-sig")
            )
        )
    )
    assert rows[0]["entity_name"] == "'=HYPERLINK(1)"  # never a formula in a spreadsheet
    assert AuditEvent.objects.filter(verb="exported").count() == 3


@pytest.mark.django_db
def test_a_partners_records_are_received_all_or_nothing_and_not_passed_on(senior, officer):
    with pytest.raises(PermissionDenied):
        exchange.accept_records(payload=payload(record()), by=officer)
    bad = [
        record(reference="TV-2", items=[{"kind": "tobacco", "quantity": "-3", "unit": "kg"}]),
        record(reference="TV-3", reporting_party="NO"),
        record(reference="TV-4", items=[{"kind": "tobacco", "quantity": "3", "unit": "barrel"}]),
    ]
    with pytest.raises(exchange.RecordsRejected) as info:
        exchange.accept_records(payload=payload(record(), *bad), by=senior)
    joined = " ".join(info.value.errors)
    assert "record 2, item 1: quantity" in joined and "record 3:" in joined
    assert "record 4, item 1: unit" in joined
    assert not SeizureCase.objects.exists()
    for garbage in (b"\xff\xfe", b"[]", b'{"records": [1]}'):
        with pytest.raises(exchange.RecordsRejected):
            exchange.accept_records(payload=garbage, by=senior)
    (received,) = exchange.accept_records(payload=payload(record()), by=senior)
    assert (received.origin, str(received.reporting_country)) == (CaseOrigin.PARTNER, "SE")
    assert received.items.get().quantity == 1200 and received.persons.get().full_name == "Nils Berg"
    with pytest.raises(exchange.RecordsRejected):  # the same record twice
        exchange.accept_records(payload=payload(record()), by=senior)
    # Art. 21.2: not passed on without the reporting Party's agreement.
    exported = exchange.export_cases(queryset=SeizureCase.objects.all(), by=senior)
    assert json.loads(exported.content)["records"] == []


@pytest.mark.django_db
def test_a_partners_seizure_does_not_seize_a_register_machine_here(senior):
    registered = MachineFactory(make="Hauni", serial_number="PM8-808")
    items = [
        {
            "kind": "machine",
            "make": "Hauni",
            "serial_number": "PM8 808",
            "quantity": 1,
            "unit": "piece",
        }
    ]
    (received,) = exchange.accept_records(payload=payload(record(items=items)), by=senior)
    item = received.items.get()
    assert item.register_machine == registered
    registered.refresh_from_db()
    assert registered.state == "registered"
