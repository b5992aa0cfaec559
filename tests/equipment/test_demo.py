"""The equipment part of the demo world (``equipment.demo``), built by the core's story runner
as ``manage.py build_demo_fixture`` builds it: the "done when" of the destruction can be walked
on Fjordtobakk's machines."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from equipment.models import DestructionOrder, Machine, MachineState, OrderState
from licensing.demo.world import build_world


@pytest.mark.django_db
def test_the_demo_world_has_machines_in_each_step_of_a_destruction():
    today = timezone.localdate()
    build_world(today=today)
    fjord = {
        m.serial_number: m.state
        for m in Machine.objects.filter(holder__legal_name="Fjordtobakk AS")
    }
    assert fjord == {
        "PM8-204417": MachineState.REGISTERED,  # to request destruction of, live
        "F8-0093-21": MachineState.DESTRUCTION_SCHEDULED,  # reminders due
        "KDF5 11872": MachineState.DESTRUCTION_SCHEDULED,  # witnessed, to countersign
        "MK95-7781": MachineState.DESTROYED,
    }
    # Fjordtobakk's orders (the seized stock's order is the seizures' demo: tests/seizures).
    orders = {o.state: o for o in DestructionOrder.objects.filter(licence__isnull=False)}
    assert orders[OrderState.SCHEDULED].planned_on == today + dt.timedelta(days=5)
    assert orders[OrderState.SCHEDULED].inspector.username == "inspector"
    assert orders[OrderState.WITNESSED].findings == []
    assert orders[OrderState.CERTIFIED].certificate is not None
    assert Machine.objects.get(serial_number="GDX6-55190").state == MachineState.SEIZED
