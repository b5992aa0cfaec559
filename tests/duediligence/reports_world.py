"""What the report tests share: a licensee with its portal user, and the portal form data of
each kind of report."""

from __future__ import annotations

from typing import Any

from tests.factories import LicenceFactory, PartyFactory

IBAN_OF_A_SMUGGLER = "DE89 3704 0044 0532 0130 00"


def licensee_with_user(applicant_for: Any) -> tuple[Any, Any]:
    party = LicenceFactory(holder=PartyFactory()).holder
    return party, applicant_for(party)


def customer_record(party: Any, **overrides: Any) -> dict[str, Any]:
    """Art. 7.1-7.3: a natural person as customer, with an identity document."""
    return {
        "licensee": party.pk,
        "customer_name": "Kari Nordmann",
        "natural_person": "on",
        "country": "NO",
        "address": "Storgata 5\n0155 Oslo",
        "iban": "NO93 8601 1117 947",
        "bank_country": "NO",
        "date_of_birth": "1980-05-17",
        "identity_document_number": "NO1234567",
        "identity_document_country": "NO",
        "checks_done": "Passport checked against the holder; address confirmed.",
        "documents_seen": "Passport",
        "checked_on": "2026-10-01",
        **overrides,
    }


def contravention(party: Any, **overrides: Any) -> dict[str, Any]:
    """Art. 7.1(c)."""
    return {
        "licensee": party.pk,
        "customer_name": "Schmuggel Handels GmbH",
        "country": "DE",
        "registration_number": "HRB 12345",
        "iban": IBAN_OF_A_SMUGGLER,
        "description": "Resold our cigarettes without tax stamps.",
        "occurred_on": "2026-09-20",
        **overrides,
    }


def transaction(party: Any, **overrides: Any) -> dict[str, Any]:
    """Art. 10.1(a): cross-border cash."""
    return {
        "licensee": party.pk,
        "customer_name": "Grenseløs Handel AS",
        "country": "NO",
        "registration_number": "912345678",
        "amount": "40000.00",
        "currency": "eur",
        "occurred_on": "2026-10-03",
        "means_of_payment": "cash",
        "cross_border": "on",
        "description": "Paid in cash at the border.",
        **overrides,
    }
