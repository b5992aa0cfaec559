"""Factories of the inspections. An inspection is planned by default, at the licence's
manufacturing site, assigned to the given inspector."""

from __future__ import annotations

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from inspections.models import Inspection, InspectionKind
from tests.factories.equipment import ManufacturingLicenceFactory
from tests.factories.licensing import SiteFactory


def licensed_site(licence):
    site = SiteFactory(party=licence.holder, region="Viken")
    licence.sites.add(site)
    return site


class InspectionFactory(DjangoModelFactory):
    class Meta:
        model = Inspection

    licence = factory.SubFactory(ManufacturingLicenceFactory)
    site = factory.LazyAttribute(lambda o: licensed_site(o.licence))
    kind = InspectionKind.AD_HOC
    planned_on = factory.LazyFunction(timezone.localdate)
