"""The inspections' part of the demo world (``inspections.demo``): on the build date the demo
inspector has an inspection of Fjordtobakk's manufacturing site, whose machines are in the
register, to walk the issue's "done when" on."""

from __future__ import annotations

import pytest
from django.utils import timezone

from inspections.models import Inspection, InspectionState
from inspections.services.inspections import expected_machines
from licensing.demo.world import build_world


@pytest.mark.django_db
def test_the_demo_inspector_has_todays_inspection_of_a_manufacturer_with_machines():
    today = timezone.localdate()
    build_world(today=today)
    inspection = Inspection.objects.get(inspector__username="inspector", planned_on=today)
    assert inspection.state == InspectionState.PLANNED
    assert inspection.licence.holder.legal_name == "Fjordtobakk AS"
    assert inspection.licence.is_manufacturing
    assert expected_machines(inspection)
