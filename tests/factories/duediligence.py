"""Factories of the due-diligence app, and of the core's declared machines it screens."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import factory
from factory.django import DjangoModelFactory
from schwifty import IBAN
from schwifty.exceptions import SchwiftyException

from duediligence.models import BlockedCustomer
from licensing.models import Application, DeclaredMachine
from tests.factories.licensing import (
    ApplicationFactory,
    BankAccountFactory,
    CriminalRecordDeclarationFactory,
    DocumentFactory,
    MarketDeclarationFactory,
    PartyFactory,
    PersonFactory,
    ProductionCapacityFactory,
    SiteFactory,
    TaxRegistrationFactory,
)


class DeclaredMachineFactory(DjangoModelFactory):
    """Art. 6.3(b)(iv)-(v): a machine declared in an application, installed at one of the
    applicant's sites."""

    class Meta:
        model = DeclaredMachine

    application = factory.SubFactory(ApplicationFactory, submitted=True)
    make = "Hauni"
    model = "Protos 90"
    serial_number = factory.Sequence(lambda n: f"HP-{n:06d}")
    year = 2012
    site = factory.SubFactory(SiteFactory, party=factory.SelfAttribute("..application.party"))
    use = "making cigarettes"


class BlockedCustomerFactory(DjangoModelFactory):
    """Art. 7.4: a free identity blocked since last year; pass ``party`` or ``person`` to block
    a registered one."""

    class Meta:
        model = BlockedCustomer

    name = "Schmuggel Handels GmbH"
    country = "DE"
    reason = "Supplied cigarettes to an unlicensed wholesaler."
    decision_reference = factory.Sequence(lambda n: f"BC-2025-{n:04d}")
    blocked_from = dt.date(2025, 1, 1)


class LonePartyFactory(PartyFactory):
    """A party that shares no address with the others (``PartyFactory``'s parties all sit at
    one address, which links them all for screening)."""

    headquarters_address = factory.Sequence(lambda n: f"Storgata {n + 1}\n{1000 + n} Oslo")
    principal_place_of_business = factory.Sequence(
        lambda n: f"Havnegata {n + 1}\n{5000 + n} Bergen"
    )


_accounts = itertools.count(100001)


def norwegian_iban() -> str:
    """The next valid Norwegian IBAN (an account code whose check digit would be 10 has none)."""
    while True:
        try:
            return str(IBAN.generate("NO", bank_code="1503", account_code=str(next(_accounts))))
        except SchwiftyException:
            continue


def ready_application(**kwargs: Any) -> Application:
    """A submitted import and wholesale application that passes every check: a Norwegian
    company with valid numbers, a director, both criminal-record declarations, a Norwegian bank
    account, a manufacturing site whose capacity (250 million cigarettes) is within 1.5 times
    the anticipated Norwegian demand (200 million), and its articles of incorporation."""
    party = LonePartyFactory(registration_number="995525828")
    TaxRegistrationFactory(party=party, country="NO", number="NO995525828MVA")
    director = PersonFactory(party=party, full_name="Ingrid Fjell")
    CriminalRecordDeclarationFactory(party=party)
    CriminalRecordDeclarationFactory(party=party, person=director)
    BankAccountFactory(party=party, iban=norwegian_iban(), bic="DNBANOKKXXX", bank_country="NO")
    site = SiteFactory(
        party=party, street_address=f"Industriveien {party.pk}", postal_code=f"2{party.pk:03d}"
    )
    ProductionCapacityFactory(site=site, units_per_year=250_000_000)
    DocumentFactory(party=party)
    application = ApplicationFactory(submitted=True, party=party, **kwargs)
    application.sites.add(site)
    MarketDeclarationFactory(application=application, market="NO", anticipated_demand=200_000_000)
    return application
