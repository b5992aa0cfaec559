"""Factories of the due-diligence app, and of the core's declared machines it screens."""

from __future__ import annotations

import datetime as dt

import factory
from factory.django import DjangoModelFactory

from duediligence.models import BlockedCustomer
from licensing.models import DeclaredMachine
from tests.factories.licensing import ApplicationFactory, PartyFactory, SiteFactory


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
