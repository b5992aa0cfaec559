"""The records of a draft as it proposes them (licensing.models.versions): the approved records
of the party with the draft's proposals in their place. Without a draft (``application`` None),
the approved records. Read by the filing pages, the draft checks, the snapshot at submission
and the officer's view of the proposed changes."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from licensing.models.applications import Application
from licensing.models.parties import (
    BankAccount,
    CorporateAffiliation,
    Party,
    Person,
    TaxRegistration,
)
from licensing.models.sites import Product, ProductionCapacity, Site
from licensing.services.proposals import draft_party, working_rows


def party(party: Party, application: Application | None) -> Party:
    return draft_party(party, application)


def tax_registrations(party: Party, application: Application | None) -> Any:
    qs = TaxRegistration.with_proposals.filter(party=party)
    return working_rows(qs, application).current()


def bank_accounts(party: Party, application: Application | None) -> Any:
    return working_rows(BankAccount.with_proposals.filter(party=party), application).current()


def affiliations(party: Party, application: Application | None) -> Any:
    qs = CorporateAffiliation.with_proposals.filter(party=party)
    return working_rows(qs, application).current()


def persons(party: Party, application: Application | None) -> Any:
    """Every person of the party (a role that ended included); callers filter the current."""
    return working_rows(Person.with_proposals.filter(party=party), application)


def sites(application: Application) -> Any:
    """The draft's sites (the application's, proposals included)."""
    return Site.with_proposals.filter(applications=application)


def products(application: Application) -> Any:
    return Product.with_proposals.filter(applications=application)


def capacities(application: Application, of_sites: Iterable[Site] | Any) -> Any:
    qs = ProductionCapacity.with_proposals.filter(site__in=of_sites)
    return working_rows(qs, application)
