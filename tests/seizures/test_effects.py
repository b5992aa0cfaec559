"""What a seizure changes elsewhere (Art. 6.3(d), 7, 18): the risk score of the parties it
involves, the screening of applications (persons involved and seized serials are adverse keys),
the network view, and the officers' dashboard card of stock."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from duediligence.network import party_network
from duediligence.screening import machine_matches, related_parties
from duediligence.services.risk import party_risk
from seizures.models import PartyKind, PersonRole, SeizurePerson
from seizures.services import cases, disposal
from tests.factories import MachineFactory
from tests.factories.duediligence import ready_application
from tests.factories.equipment import days
from tests.seizures.helpers import machine, open_case, store, tobacco


@pytest.mark.django_db
def test_the_risk_score_rises_for_the_party_seized_from_and_the_holder_of_a_cloned_serial(
    officer, settings
):
    registered = MachineFactory(make="Hauni", serial_number="PM8-22222")
    holder = registered.holder
    before, _rows = party_risk(holder.pk)
    case = open_case(officer)
    cases.add_item(case_id=case.pk, item=machine("Hauni", "PM8-22222", cloned=True), by=officer)
    score, rows = party_risk(holder.pk)
    assert score == before + settings.SEIZURE_RISK_WEIGHTS["serial_cloned"]
    assert [(r.source, r.code, r.subject) for r in rows if r.source == "seizure"] == [
        ("seizure", "serial_cloned", case.reference)
    ]
    # Seized from the same party, the case counts once, under its heaviest tie.
    other = open_case(officer, party_kind=PartyKind.LICENSED, party=holder)
    cases.add_item(case_id=other.pk, item=tobacco(), by=officer)
    score, _rows = party_risk(holder.pk)
    assert score == before + sum(
        settings.SEIZURE_RISK_WEIGHTS[code] for code in ("serial_cloned", "seized_from")
    )
    bystander = MachineFactory().holder
    assert not [r for r in party_risk(bystander.pk)[1] if r.source == "seizure"]


@pytest.mark.django_db
def test_persons_involved_and_unlicensed_parties_are_adverse_screening_keys(officer):
    application = ready_application()
    person = application.party.persons.first()
    matches, _linked = related_parties(application.party)
    assert not [m for m in matches if m.source == "seizure_case"]
    case = open_case(
        officer,
        party_kind=PartyKind.UNLICENSED,
        party_name="Lager Syd AS",
        party_registration_number=application.party.registration_number,
        party_country=application.party.country,
    )
    cases.add_person(
        case_id=case.pk,
        person=SeizurePerson(
            full_name="Tor Kristiansen",
            date_of_birth=dt.date(1979, 3, 14),
            id_document_country=person.identity_document_country,
            id_document_number=person.identity_document_number,
            role=PersonRole.OWNER,
        ),
        by=officer,
    )
    matches, _linked = related_parties(application.party)
    found = {(m.kind, m.reference) for m in matches if m.source == "seizure_case"}
    assert found == {("registration", case.reference), ("id_document", case.reference)}
    # The network draws the case, linked through the shared keys, with its link.
    network = party_network(application.party)
    seizure = [node for node in network.outer if node.kind == "seizure"]
    assert [(n.label, n.record_id) for n in seizure] == [(case.reference, case.pk)]


@pytest.mark.django_db
def test_a_seized_serial_flags_an_application_that_declares_it(officer):
    application = ready_application()
    case = open_case(officer)
    cases.add_item(case_id=case.pk, item=machine("Molins", "MK9-777"), by=officer)
    found = machine_matches(application.party, ["mk9 777", "OTHER-1"])
    assert [(m.source, m.reference) for m in found] == [("seized_serial", case.reference)]


@pytest.mark.django_db
def test_the_dashboard_counts_the_stock_awaiting_destruction(client, officer, settings):
    oslo = store(officer)
    case = open_case(officer)
    cut = cases.add_item(case_id=case.pk, item=tobacco(300), by=officer, location=oslo)
    cases.add_item(case_id=case.pk, item=tobacco("1.5"), by=officer, location=oslo)
    cases.add_item(case_id=case.pk, item=machine("Molins", "MK9-1"), by=officer, location=oslo)
    disposal.order_destruction(
        case_id=case.pk,
        item_ids=[cut.pk],
        by=officer,
        reason="ordered",
        method="other",
        planned_on=days(4),
    )
    client.force_login(officer)
    page = client.get(reverse("admin:index")).content.decode()
    card = page[page.index("Seized stock awaiting destruction") :]
    assert "<strong>2</strong> tobacco" in card
    assert "<strong>1</strong> machine" in card
    assert "<strong>1</strong> of them under a destruction order" in card
    assert "<strong>302</strong> kg of tobacco in store" in card
