"""A licence that ends leaves its machines to be disposed of or destroyed by a deadline, with a
task for the officers (Art. 6.3(h), 6.3(i)); the core tells the register by its signal."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from equipment.models import Machine, MachineState, OfficerTask, TaskKind
from equipment.tasks import require_disposal_for_ended_licences
from licensing.services import licences as licence_services
from tests.factories import MachineFactory
from tests.licensing.helpers import local


@pytest.mark.django_db
def test_a_surrendered_licence_puts_its_machines_under_a_disposal_deadline(
    officer, settings, django_capture_on_commit_callbacks
):
    settings.MACHINE_DISPOSAL_DAYS = 60
    machine = MachineFactory()
    destroyed = MachineFactory(licence=machine.licence, state=MachineState.DESTROYED)
    with django_capture_on_commit_callbacks(execute=True):
        licence_services.surrender_licence(licence_id=machine.licence_id, by=officer)
    machine.refresh_from_db()
    assert machine.state == MachineState.DISPOSAL_REQUIRED
    assert machine.disposal_deadline == timezone.localdate() + dt.timedelta(days=60)
    assert Machine.objects.get(pk=destroyed.pk).state == MachineState.DESTROYED
    task = OfficerTask.objects.get()
    assert (task.kind, task.licence_id, task.for_group) == (
        TaskKind.LICENCE_ENDED,
        machine.licence_id,
        "licence officer",
    )
    assert require_disposal_for_ended_licences.delay().get() == 0  # nothing left to do
    assert OfficerTask.objects.count() == 1


@pytest.mark.django_db
def test_an_expired_licence_keeps_its_machines_until_the_grace_period_has_passed(time_machine):
    machine = MachineFactory(licence__expired=True)  # expired ten days ago
    assert require_disposal_for_ended_licences.delay().get() == 0  # it may still be renewed
    assert Machine.objects.get(pk=machine.pk).state == MachineState.REGISTERED
    ends = machine.licence.grace_period_ends_on()
    time_machine.move_to(local(ends + dt.timedelta(days=1)), tick=False)
    assert require_disposal_for_ended_licences.delay().get() == 1
    assert Machine.objects.get(pk=machine.pk).state == MachineState.DISPOSAL_REQUIRED
