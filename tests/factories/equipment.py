"""Factories of the equipment register. A machine is registered by default, held under a
manufacturing licence at one of the holder's sites."""

from __future__ import annotations

import datetime as dt

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from equipment.models import Machine, MachineKind, MachineState
from equipment.services.machines import machine_identifier
from tests.factories.licensing import LicenceFactory, SiteFactory


class ManufacturingLicenceFactory(LicenceFactory):
    activities = factory.LazyFunction(lambda: ["manufacture_products"])


class MachineFactory(DjangoModelFactory):
    class Meta:
        model = Machine

    class Params:
        declared = factory.Trait(state=MachineState.DECLARED)
        seized = factory.Trait(state=MachineState.SEIZED)

    identifier = factory.LazyFunction(lambda: machine_identifier(timezone.localdate()))
    make = "Hauni"
    model = "Protos M8"
    serial_number = factory.Sequence(lambda n: f"PM8-{n:05d}")
    kind = MachineKind.MAKER
    hs_code = "8478.10"
    year = 2015
    rated_capacity = 480_000
    licence = factory.SubFactory(ManufacturingLicenceFactory)
    holder = factory.SelfAttribute("licence.holder")
    site = factory.LazyAttribute(lambda o: SiteFactory(party=o.licence.holder, region="Viken"))
    state = MachineState.REGISTERED


def days(n: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=n)
