"""Planning by risk (Art. 6.3(e)): the next inspection date from the activities, the
due-diligence risk score and past findings, and the job that plans periodic audits weeks ahead,
idempotent by a unique constraint."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import IntegrityError, transaction
from django.test import override_settings
from django.utils import timezone

from duediligence.models import CheckOutcome
from inspections.models import Finding, FindingKind, Inspection, InspectionKind, InspectionState
from inspections.services import planning
from inspections.tasks import plan_inspections
from tests.factories.equipment import ManufacturingLicenceFactory
from tests.factories.inspections import InspectionFactory, licensed_site
from tests.factories.licensing import LicenceFactory

pytestmark = pytest.mark.django_db
START = dt.date(2026, 1, 5)


def licence(activities, **kwargs):
    lic = LicenceFactory(activities=activities, valid_from=START, **kwargs)
    licensed_site(lic)
    return lic


@time_machine.travel("2026-01-05 09:00 +0100", tick=False)
def test_manufacturing_is_inspected_before_retail():
    maker = licence(["manufacture_products"])
    shop = licence(["retail"])
    assert planning.next_inspection_date(maker) == START + dt.timedelta(days=365)
    assert planning.next_inspection_date(shop) == START + dt.timedelta(days=730)


@time_machine.travel("2026-01-05 09:00 +0100", tick=False)
def test_a_high_risk_score_shortens_the_interval(monkeypatch):
    lic = licence(["retail"])
    monkeypatch.setattr(planning, "risk_of", lambda licence: 40)
    assert planning.next_inspection_date(lic) == START + dt.timedelta(days=180)
    monkeypatch.setattr(planning, "risk_of", lambda licence: 10)
    assert planning.next_inspection_date(lic) == START + dt.timedelta(days=730)


@time_machine.travel("2026-01-05 09:00 +0100", tick=False)
def test_the_risk_score_is_read_from_the_holders_due_diligence_review():
    from duediligence.models import CheckResult, Review

    lic = licence(["retail"])
    assert planning.risk_of(lic) is None
    review = Review.objects.create(application=lic.application, run=1)
    CheckResult.objects.create(
        review=review,
        run=1,
        code="related_parties",
        outcome=CheckOutcome.FLAG,
        article="7",
        summary="Linked to a revoked licensee.",
        ran_at=timezone.now(),
    )
    assert planning.risk_of(lic) == 40
    assert planning.next_inspection_date(lic) == START + dt.timedelta(days=180)


def test_a_serious_finding_brings_the_next_inspection_forward():
    lic = licence(["import"])
    done = InspectionFactory(
        licence=lic, site=lic.sites.first(), planned_on=START, state=InspectionState.REVIEWED
    )
    assert planning.next_inspection_date(lic) == START + dt.timedelta(days=540)
    Finding.objects.create(
        inspection=done, kind=FindingKind.OTHER, severity="major", description="Stock gap."
    )
    assert planning.next_inspection_date(lic) == START + dt.timedelta(days=120)


@override_settings(INSPECTION_PLAN_WEEKS=8)
def test_the_job_plans_due_audits_weeks_ahead_once(inspector):
    maker = ManufacturingLicenceFactory(valid_from=START)
    licensed_site(maker)
    shop = licence(["retail"])
    with time_machine.travel(dt.date(2026, 11, 1), tick=False):
        # The manufacturer's audit is due on 2027-01-05, more than eight weeks away.
        assert plan_inspections.delay().get() == 0
    with time_machine.travel(dt.date(2026, 11, 20), tick=False):
        assert plan_inspections.delay().get() == 1
        assert plan_inspections.delay().get() == 0  # run twice: nothing more
    inspection = Inspection.objects.get()
    assert (inspection.licence, inspection.kind, inspection.period) == (
        maker,
        InspectionKind.PERIODIC,
        "2027-01",
    )
    assert (inspection.planned_on, inspection.inspector) == (dt.date(2027, 1, 5), inspector)
    assert not shop.inspections.exists()


def test_one_periodic_audit_per_licence_and_period_is_a_constraint():
    first = InspectionFactory(kind=InspectionKind.PERIODIC, period="2027-01")
    with pytest.raises(IntegrityError), transaction.atomic():
        InspectionFactory(
            licence=first.licence, site=first.site, kind=InspectionKind.PERIODIC, period="2027-01"
        )
    # Ad hoc inspections have no period and are not limited.
    InspectionFactory(licence=first.licence, site=first.site)
    InspectionFactory(licence=first.licence, site=first.site)


@override_settings(INSPECTOR_REGIONS={"inspector2": ["Vestland"]})
def test_inspectors_are_assigned_by_region_then_workload(inspector):
    from tests.conftest import _user

    west = _user("inspector", "inspector2")
    third = _user("inspector", "inspector3")
    bergen = licence(["retail"])
    site = bergen.sites.get()
    site.region = "Vestland"
    site.save()
    assert planning.inspector_for_site(site) == west
    oslo = licence(["retail"]).sites.get()
    InspectionFactory(inspector=inspector)  # the first inspector is busier
    assert planning.inspector_for_site(oslo) in (west, third)
    InspectionFactory(inspector=west)
    assert planning.inspector_for_site(oslo) == third
