"""Free zones (Art. 12.1, 12.2): a site marked inside an open zone gives the licences covering
it the stricter schedule, monthly returns and a shorter inspection interval, shown to the
officer as the licence's free-zone conditions; the site leaving the zone gives the usual
schedule back. Marking is for licence and senior officers, refused to others, audited; bad
input is re-rendered with its message."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone

from cooperation.models import FreeZone, FreeZoneSite
from cooperation.models.zones import open_zone_q
from cooperation.services import zones
from cooperation.services.errors import (
    AlreadyInZone,
    LeftBeforeMarked,
    MarkedBeforeDesignation,
    MarkedInFuture,
    SiteLeftInFuture,
    ZoneClosed,
)
from inspections.services import planning
from licensing.exceptions import PermissionDenied
from licensing.models import AuditEvent
from returns.models import Frequency, ReturnPeriod
from returns.services.periods import frequency_for, open_periods
from tests.factories import LicenceFactory
from tests.factories.licensing import SiteFactory

pytestmark = pytest.mark.django_db


def a_zone(**fields: Any) -> FreeZone:
    values = {
        "name": "Frihavn Drammen",
        "code": "FZ-DRM",
        "addresses": "Holmenkaia 1-20, 3045 Drammen",
        "coordinates": [[59.73, 10.21], [59.74, 10.23], [59.72, 10.24]],
        **fields,
    }
    zone = FreeZone(**values)
    zone.full_clean()
    zone.save()
    return zone


def warehouse_licence() -> Any:
    licence = LicenceFactory(activities=["wholesale", "warehousing"])
    site = SiteFactory(party=licence.holder, kind="warehouse", name="Kai 7")
    licence.sites.add(site)
    return licence, site


def test_a_site_in_a_free_zone_gets_monthly_returns_and_shorter_inspections(
    officer: Any,
) -> None:
    licence, site = warehouse_licence()
    assert frequency_for(licence) == Frequency.QUARTERLY
    usual = planning.next_inspection_date(licence)
    zone = a_zone()
    mark = zones.mark_site(site_id=site.pk, zone=zone, by=officer)
    assert frequency_for(licence) == Frequency.MONTHLY
    assert planning.next_inspection_date(licence) == licence.valid_from + dt.timedelta(days=180)
    assert planning.next_inspection_date(licence) < usual
    open_periods()
    assert set(ReturnPeriod.objects.values_list("frequency", flat=True)) == {Frequency.MONTHLY}
    event = AuditEvent.objects.for_object(site).latest("pk")
    assert event.changes["free_zone"]["zone"] == "FZ-DRM"
    # The site leaves the zone: the usual schedule again.
    zones.unmark_site(mark_id=mark.pk, by=officer)
    assert frequency_for(licence) == Frequency.QUARTERLY
    assert planning.next_inspection_date(licence) == usual


def test_the_settings_set_the_free_zone_schedule(officer: Any, settings: Any) -> None:
    settings.FREE_ZONE_MONTHLY_RETURNS = False
    settings.FREE_ZONE_INSPECTION_DAYS = 90
    licence, site = warehouse_licence()
    zones.mark_site(site_id=site.pk, zone=a_zone(), by=officer)
    assert frequency_for(licence) == Frequency.QUARTERLY
    assert planning.next_inspection_date(licence) == licence.valid_from + dt.timedelta(days=90)


def test_a_closed_zone_gives_no_controls_and_takes_no_site(officer: Any) -> None:
    licence, site = warehouse_licence()
    zone = a_zone()
    zones.mark_site(site_id=site.pk, zone=zone, by=officer)
    FreeZone.objects.filter(pk=zone.pk).update(closed_on=timezone.localdate())
    zone.refresh_from_db()
    assert frequency_for(licence) == Frequency.QUARTERLY
    other = SiteFactory(party=licence.holder)
    with pytest.raises(ZoneClosed):
        zones.mark_site(site_id=other.pk, zone=zone, by=officer)


def test_marking_is_refused_to_inspectors_and_twice(officer: Any, inspector: Any) -> None:
    _, site = warehouse_licence()
    zone = a_zone()
    with pytest.raises(PermissionDenied):
        zones.mark_site(site_id=site.pk, zone=zone, by=inspector)
    zones.mark_site(site_id=site.pk, zone=zone, by=officer)
    with pytest.raises(AlreadyInZone):
        zones.mark_site(site_id=site.pk, zone=a_zone(code="FZ-2", name="Other"), by=officer)
    assert FreeZoneSite.objects.count() == 1


def test_the_day_a_site_left_is_recorded_by_officers_and_not_before_it_was_marked(
    officer: Any, inspector: Any
) -> None:
    licence, site = warehouse_licence()
    mark = zones.mark_site(site_id=site.pk, zone=a_zone(), by=officer)
    with pytest.raises(PermissionDenied):
        zones.unmark_site(mark_id=mark.pk, by=inspector)
    with pytest.raises(LeftBeforeMarked):
        zones.unmark_site(mark_id=mark.pk, by=officer, until=mark.since - dt.timedelta(days=1))
    mark.refresh_from_db()
    assert mark.until is None and frequency_for(licence) == Frequency.MONTHLY


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"addresses": "", "coordinates": []}, "as addresses or coordinates"),
        ({"coordinates": [[95, 10]]}, "Each point is a latitude"),
        ({"coordinates": "59.7,10.2"}, "list of points"),
        ({"coordinates": [[True, False]]}, "Each point is a latitude"),
    ],
)
def test_a_zone_needs_a_boundary_it_can_read(fields: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        a_zone(**fields)


@pytest.mark.parametrize("coordinates", [None, {}, ""])
def test_an_empty_boundary_of_another_shape_is_refused(coordinates: Any) -> None:
    # Django's validators skip "empty" values; the zone's own check does not.
    with pytest.raises(ValidationError, match="list of points"):
        a_zone(addresses="", coordinates=coordinates)
    assert not FreeZone.objects.exists()


def test_a_zone_code_is_one_however_it_is_typed() -> None:
    assert a_zone(code=" fz-agt ").code == "FZ-AGT"
    full_width = "".join(chr(0xFEE0 + ord(c)) if c != "-" else c for c in "FZ-AGT")
    for typed in ("fz-agt", full_width):  # another case, full-width letters
        with pytest.raises(ValidationError, match="A free zone with this code exists"):
            a_zone(code=typed, name="Another")


def test_a_zone_designated_ahead_opens_on_its_day(officer: Any) -> None:
    _, site = warehouse_licence()
    today = timezone.localdate()
    zone = a_zone(designated_on=today + dt.timedelta(days=5))
    assert not zone.open
    assert zone not in FreeZone.objects.filter(open_zone_q())
    with pytest.raises(ZoneClosed):
        zones.mark_site(site_id=site.pk, zone=zone, by=officer)
    with time_machine.travel(today + dt.timedelta(days=5, hours=12), tick=False):
        zone.refresh_from_db()
        assert zone.open
        with pytest.raises(MarkedBeforeDesignation):
            zones.mark_site(site_id=site.pk, zone=zone, by=officer, since=today)
        assert zones.mark_site(site_id=site.pk, zone=zone, by=officer).zone == zone


def test_a_marking_records_what_is_so_and_a_closure_takes_effect_on_its_day(
    officer: Any,
) -> None:
    licence, site = warehouse_licence()
    today = timezone.localdate()
    zone = a_zone(closed_on=today + dt.timedelta(days=30))  # closure decided ahead
    with pytest.raises(MarkedInFuture):  # the controls would apply before the site is in
        zones.mark_site(site_id=site.pk, zone=zone, by=officer, since=today + dt.timedelta(days=1))
    assert not FreeZoneSite.objects.exists()
    mark = zones.mark_site(site_id=site.pk, zone=zone, by=officer)
    assert zone.open and frequency_for(licence) == Frequency.MONTHLY
    with pytest.raises(SiteLeftInFuture):
        zones.unmark_site(mark_id=mark.pk, by=officer, until=today + dt.timedelta(days=1))
    with time_machine.travel(today + dt.timedelta(days=30, hours=12), tick=False):
        zone.refresh_from_db()
        assert not zone.open
        assert frequency_for(licence) == Frequency.QUARTERLY


def test_the_officer_sees_the_conditions_and_marks_through_the_admin(
    client: Any, officer: Any
) -> None:
    licence, site = warehouse_licence()
    zone = a_zone()
    client.force_login(officer)
    add = "/admin/cooperation/freezonesite/add/"
    today = timezone.localdate().isoformat()
    response = client.post(add, {"site": str(site.pk), "zone": str(zone.pk), "since": today})
    assert response.status_code == 302
    again = client.post(add, {"site": str(site.pk), "zone": str(zone.pk), "since": today})
    assert again.status_code == 200
    assert "already marked in a free zone" in again.content.decode()
    page = client.get(f"/admin/licensing/licence/{licence.pk}/change/").content.decode()
    assert "Free-zone conditions" in page
    assert "Returns are filed monthly." in page
    assert "Inspections at most 180 days apart." in page
    assert "Art. 12.2" in page
    mark = FreeZoneSite.objects.get()
    unchanged = client.post(f"/admin/cooperation/freezonesite/{mark.pk}/change/", {"until": ""})
    assert unchanged.status_code == 302
    mark.refresh_from_db()
    assert mark.until is None  # saved without a day: still in the zone
    earlier = (mark.since - dt.timedelta(days=1)).isoformat()
    response = client.post(f"/admin/cooperation/freezonesite/{mark.pk}/change/", {"until": earlier})
    assert response.status_code == 200
    assert "before the day it was marked" in response.content.decode()
    response = client.post(f"/admin/cooperation/freezonesite/{mark.pk}/change/", {"until": today})
    assert response.status_code == 302
    page = client.get(f"/admin/licensing/licence/{licence.pk}/change/").content.decode()
    assert "Free-zone conditions" not in page
