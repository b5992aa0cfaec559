"""Each check of the review, with a case that passes and one that flags (issue: due diligence).
The checks run through the service that the submission job calls."""

from __future__ import annotations

import datetime as dt

import pytest

from duediligence.screening import Counterparty, _providers, register_counterparty_provider
from duediligence.services.indexing import index_everything
from duediligence.services.reviews import run_first_checks
from licensing.models import ProductType
from tests.factories import (
    ApplicationFactory,
    BankAccountFactory,
    CriminalRecordDeclarationFactory,
    LicenceFactory,
    MarketDeclarationFactory,
    PersonFactory,
    ProductionCapacityFactory,
)
from tests.factories.duediligence import (
    DeclaredMachineFactory,
    LonePartyFactory,
    ready_application,
)
from tests.factories.equipment import MachineFactory, ManufacturingLicenceFactory
from tests.factories.reports import LicenseeReportFactory

pytestmark = pytest.mark.django_db


def results(application) -> dict:
    review = run_first_checks(application_id=application.pk)
    return {r.code: r for r in review.latest_results()}


def test_a_complete_application_passes_every_check():
    found = results(ready_application())
    assert {code: r.outcome for code, r in found.items()} == {
        "completeness": "pass",
        "numbers": "pass",
        "bank_accounts": "pass",
        "criminal_records": "pass",
        "capacity": "pass",
        "related_parties": "pass",
        "machines": "not_applicable",
        "counterparties": "not_applicable",
    }
    assert all(r.article.startswith("Art. ") and r.summary for r in found.values())


def test_every_result_cites_its_article():
    found = results(ready_application())
    assert found["bank_accounts"].article == "Art. 6.3(b)(vii), 10.2"
    assert found["related_parties"].article == "Art. 6.3(d), 7.4"
    assert found["criminal_records"].article == "Art. 6.3(b)(vi), 7.3(a)"


def test_completeness_flags_what_is_missing():
    # Art. 6.3(b)(viii): no market declared.
    application = ready_application()
    application.market_declarations.update(ended_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    found = results(application)["completeness"]
    assert found.outcome == "flag"
    assert "Declare the intended use and market." in found.evidence["missing"]


def test_a_tax_number_with_a_wrong_check_digit_flags():
    application = ready_application()
    application.party.tax_registrations.update(number="NO995525829MVA")
    found = results(application)["numbers"]
    assert found.outcome == "flag"
    assert {(r["what"], r["status"]) for r in found.evidence["numbers"]} == {
        ("registration", "valid"),
        ("tax", "invalid"),
    }


def test_a_registration_number_of_a_country_without_a_rule_is_left_unchecked():
    application = ready_application()
    party = application.party
    party.country = "IT"
    party.save(update_fields=["country"])
    found = results(application)["numbers"]
    assert found.outcome == "pass"
    assert ("registration", "unchecked") in {
        (r["what"], r["status"]) for r in found.evidence["numbers"]
    }


def test_a_bank_outside_the_intended_markets_flags():
    # Art. 10.2: financial institutions on the territory of the intended market.
    application = ready_application()
    BankAccountFactory(party=application.party)  # a German bank; the market is Norway
    found = results(application)["bank_accounts"]
    assert found.outcome == "flag"
    assert "Art. 10.2" in found.summary
    assert [r["bank_country"] for r in found.evidence["accounts"] if r["problems"]] == ["DE"]


def test_a_bank_in_a_second_intended_market_passes():
    application = ready_application()
    BankAccountFactory(party=application.party)
    MarketDeclarationFactory(application=application, market="DE", anticipated_demand=1)
    assert results(application)["bank_accounts"].outcome == "pass"


def test_a_bic_of_another_country_than_the_bank_flags():
    application = ready_application()
    application.party.bank_accounts.update(bic="COBADEFFXXX")
    found = results(application)["bank_accounts"]
    assert found.outcome == "flag"
    assert "BIC of another country than the bank" in found.summary


def test_a_declared_conviction_of_a_director_flags():
    # Art. 6.3(b)(vi), 7.3(a)
    application = ready_application()
    director = application.party.persons.get()
    CriminalRecordDeclarationFactory(
        party=application.party,
        person=director,
        has_convictions=True,
        details="2019: customs fraud, fined.",
    )
    found = results(application)["criminal_records"]
    assert found.outcome == "flag"
    assert found.critical
    rows = {row["subject"]: row for row in found.evidence["declarations"]}
    assert rows["Ingrid Fjell"]["status"] == "convictions"
    assert rows["Ingrid Fjell"]["details"] == "2019: customs fraud, fined."
    assert rows[str(application.party)]["status"] == "none declared"


def test_a_legal_representative_without_a_declaration_flags():
    application = ready_application()
    PersonFactory(party=application.party, role="legal_representative", full_name="Per Berg")
    found = results(application)["criminal_records"]
    assert found.outcome == "flag"
    assert "Per Berg: no declaration" in found.summary


@pytest.mark.parametrize(
    ("capacity", "outcome"),
    [(300_000_000, "pass"), (300_000_001, "flag")],
)
def test_capacity_flags_only_above_the_configured_ratio(capacity, outcome):
    # Art. 6.3(b)(viii), 7.1(b), 10.1(b): demand 200 million, ratio 1.5: 300 million is the
    # boundary and passes.
    application = ready_application()
    application.sites.get().capacities.update(units_per_year=capacity)
    found = results(application)["capacity"]
    assert found.outcome == outcome
    assert found.evidence["ratio_allowed"] == 1.5


def test_the_capacity_ratio_is_a_setting(settings):
    settings.DUE_DILIGENCE_CAPACITY_RATIO = 1.0
    application = ready_application()
    assert results(application)["capacity"].outcome == "flag"


def test_capacity_for_a_product_with_no_demand_flags():
    application = ready_application()
    ProductionCapacityFactory(
        site=application.sites.get(), product_type=ProductType.CIGARS, units_per_year=1
    )
    found = results(application)["capacity"]
    assert found.outcome == "flag"
    assert {r["product_type"]: r["demand"] for r in found.evidence["rows"]}["cigars"] == 0


def test_a_director_shared_with_a_revoked_licensee_flags():
    # Art. 6.3(d): the "done when" of the issue: linked through a director.
    revoked = LicenceFactory(revoked=True, holder=LonePartyFactory()).holder
    PersonFactory(party=revoked, full_name="Ingrid Fjell")  # same name, same birthday
    index_everything()
    found = results(ready_application())["related_parties"]
    assert found.outcome == "flag"
    assert found.critical
    assert [(m["source"], m["kind"], m["party_id"]) for m in found.evidence["matches"]] == [
        ("revoked_licence", "person", revoked.pk)
    ]
    assert revoked.legal_name in found.summary
    assert "Ingrid Fjell" in found.summary
    assert revoked.licences.get().number in found.summary


def test_a_shared_iban_with_a_revoked_licensee_flags_both_ways():
    # Art. 6.3(d): the applicant's check, and the revoked licensee's later application.
    application = ready_application()
    revoked = LicenceFactory(revoked=True, holder=LonePartyFactory()).holder
    iban = application.party.bank_accounts.get().iban
    BankAccountFactory(party=revoked, iban=iban, bank_country="NO", bic="DNBANOKKXXX")
    index_everything()
    found = results(application)["related_parties"]
    assert found.outcome == "flag"
    assert {(m["party_id"], m["kind"]) for m in found.evidence["matches"]} == {(revoked.pk, "iban")}
    later = ApplicationFactory(submitted=True, party=revoked)
    theirs = results(later)["related_parties"]
    assert theirs.outcome == "flag"
    assert ("iban", iban) in {(m["kind"], m["value"]) for m in theirs.evidence["matches"]}
    assert [p["party_id"] for p in theirs.evidence["linked_parties"]] == [application.party_id]


def test_a_machine_declared_by_another_holder_flags():
    other = DeclaredMachineFactory(serial_number="PR-90-0001")
    application = ready_application()
    DeclaredMachineFactory(
        application=application, serial_number="pr 90 0001", site=application.sites.get()
    )
    index_everything()
    found = results(application)["machines"]
    assert found.outcome == "flag"
    assert found.critical
    assert [m["party_id"] for m in found.evidence["matches"]] == [other.application.party_id]


def test_a_machine_in_the_register_of_another_holder_flags():
    # Art. 6.3(b)(iv): the equipment register already holds this serial under another party.
    registered = MachineFactory(serial_number="HN-7781/22")
    application = ready_application()
    DeclaredMachineFactory(
        application=application, serial_number="hn 7781 22", site=application.sites.get()
    )
    found = results(application)["machines"]
    assert found.outcome == "flag"
    [match] = found.evidence["matches"]
    assert (match["source"], match["party_id"], match["reference"]) == (
        "equipment_register",
        registered.holder_id,
        registered.identifier,
    )


def test_the_applicants_own_machine_passes_unless_it_was_seized():
    # A renewal declares the machines the applicant holds already; a seized one (Art. 18)
    # flags whoever declares it.
    application = ready_application()
    licence = ManufacturingLicenceFactory(holder=application.party)
    own = MachineFactory(licence=licence, serial_number="OWN-1")
    seized = MachineFactory(licence=licence, serial_number="SEIZED-1", seized=True)
    for machine in (own, seized):
        DeclaredMachineFactory(
            application=application,
            serial_number=machine.serial_number,
            site=application.sites.get(),
        )
    found = results(application)["machines"]
    assert found.outcome == "flag"
    assert [m["reference"] for m in found.evidence["matches"]] == [seized.identifier]


def test_a_machine_nobody_else_declared_passes():
    application = ready_application()
    DeclaredMachineFactory(application=application, site=application.sites.get())
    assert results(application)["machines"].outcome == "pass"


@pytest.fixture
def counterparties():
    declared: list[Counterparty] = []
    provider = lambda application: declared  # noqa: E731
    register_counterparty_provider(provider)
    yield declared
    _providers.remove(provider)


def test_declared_counterparties_without_a_licence_flag(counterparties):
    # Art. 7.2(a), 14.1(g)
    licensed = LicenceFactory(holder=LonePartyFactory(legal_name="Nordlys Engros AS")).holder
    index_everything()
    counterparties.extend(
        [
            Counterparty(name="Nordlys Engros", country="NO", role="customer"),
            Counterparty(
                name="Ukjent Kjøper", country="NO", registration_number="123", role="customer"
            ),
        ]
    )
    found = results(ready_application())["counterparties"]
    assert found.outcome == "flag"
    licences = {row["name"]: row["licence"] for row in found.evidence["counterparties"]}
    assert licences == {"Nordlys Engros": licensed.licences.get().number, "Ukjent Kjøper": ""}


def test_declared_counterparties_that_hold_licences_pass(counterparties):
    holder = LicenceFactory(holder=LonePartyFactory()).holder
    index_everything()
    counterparties.append(
        Counterparty(name="x", country="NO", registration_number=holder.registration_number)
    )
    assert results(ready_application())["counterparties"].outcome == "pass"


def test_customers_in_the_licensees_own_records_must_hold_licences():
    # Art. 7.2(a), 7.1-7.3: a licensee renewing has recorded its customers through the portal.
    application = ready_application()
    licensed = LicenceFactory(holder=LonePartyFactory(legal_name="Vestland Kiosk AS")).holder
    index_everything()
    for name, number in (
        ("Vestland Kiosk AS", licensed.registration_number),
        ("Skyggehandel AS", "999888777"),
    ):
        LicenseeReportFactory(
            customer_record=True,
            licensee=application.party,
            customer_name=name,
            registration_number=number,
        )
    # A consumer needs no licence; a dismissed record counts for nothing.
    LicenseeReportFactory(
        customer_record=True, licensee=application.party, natural_person=True, customer_name="Ola"
    )
    LicenseeReportFactory(
        customer_record=True, dismissed=True, licensee=application.party, customer_name="Gone AS"
    )

    found = results(application)["counterparties"]

    assert found.outcome == "flag"
    licences = {row["name"]: row["licence"] for row in found.evidence["counterparties"]}
    assert licences == {
        "Skyggehandel AS": "",
        "Vestland Kiosk AS": licensed.licences.get().number,
    }


def test_a_serial_with_other_signs_is_compared_as_the_register_compares_it():
    # One rule for the register and the check (equipment.serials): a plate reading "HN#7781"
    # is found whether it was declared in upper or lower case, with or without spaces.
    registered = MachineFactory(serial_number="HN#7781")
    application = ready_application()
    DeclaredMachineFactory(
        application=application, serial_number="hn# 7781", site=application.sites.get()
    )
    found = results(application)["machines"]
    assert found.outcome == "flag"
    assert [m["reference"] for m in found.evidence["matches"]] == [registered.identifier]
