"""The machine register (Art. 6.3(b)(iv)-(v), 18): serial numbers unique per manufacturer across
holders, the authority's identifier, and each transition allowed and refused."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from equipment.models import Machine, MachineState
from equipment.services import machines as svc
from equipment.services.errors import SerialTaken
from licensing.exceptions import PermissionDenied, ReasonRequired, TransitionNotAllowed
from licensing.models import AuditEvent, Verb
from licensing.services.numbers import is_valid_number
from tests.factories import MachineFactory, ManufacturingLicenceFactory, SiteFactory


def declare(licence, serial, make="Hauni", by=None):
    return svc.declare_machine(
        licence=licence,
        site=SiteFactory(party=licence.holder),
        make=make,
        model="Protos",
        serial_number=serial,
        kind="maker",
        hs_code="8478",
        by=by,
    )


@pytest.mark.django_db
def test_a_serial_is_unique_per_make_across_holders_whatever_its_case_and_spacing():
    first, second = ManufacturingLicenceFactory(), ManufacturingLicenceFactory()
    machine = declare(first, "PM8-00017")
    assert is_valid_number(machine.identifier) and machine.identifier.startswith("M-")
    for typed in ("pm8 00017", " PM800017 ", "pm8-000-17"):
        with pytest.raises(SerialTaken):
            declare(second, typed)
    with pytest.raises(SerialTaken):
        declare(second, "PM8-00017", make=" hauni ")
    # Another manufacturer may use the same serial.
    assert declare(second, "PM8-00017", make="Molins").state == MachineState.DECLARED
    # The database holds the line too, whatever a caller forgets to check.
    with pytest.raises(IntegrityError), transaction.atomic():
        MachineFactory(make="HAUNI", serial_number="pm8 00017")


@pytest.mark.django_db
def test_an_officer_registers_a_declared_machine(officer, inspector, refused):
    machine = MachineFactory(declared=True)
    with refused(PermissionDenied, machine):
        svc.register_machine(machine_id=machine.pk, by=inspector)
    svc.register_machine(machine_id=machine.pk, by=officer)
    assert Machine.objects.get(pk=machine.pk).state == MachineState.REGISTERED
    assert AuditEvent.objects.for_object(machine).get(verb=Verb.REGISTERED).actor == officer
    with refused(TransitionNotAllowed, machine):
        svc.register_machine(machine_id=machine.pk, by=officer)


@pytest.mark.django_db
def test_a_seizure_needs_the_permission_and_a_reason(officer, registrar, refused):
    # Art. 18
    machine = MachineFactory()
    with refused(PermissionDenied, machine):
        svc.seize_machine(machine_id=machine.pk, by=registrar, reason="found unlicensed")
    with refused(ReasonRequired, machine):
        svc.seize_machine(machine_id=machine.pk, by=officer, reason="  ")
    svc.seize_machine(machine_id=machine.pk, by=officer, reason="found unlicensed")
    assert Machine.objects.get(pk=machine.pk).state == MachineState.SEIZED
    with refused(TransitionNotAllowed, machine):
        svc.seize_machine(machine_id=machine.pk, by=officer, reason="again")


@pytest.mark.django_db
def test_the_state_is_changed_only_by_transitions():
    machine = MachineFactory()
    with pytest.raises(AttributeError):
        machine.state = MachineState.DESTROYED


@pytest.mark.django_db
def test_the_machines_of_an_approved_application_are_declared_under_its_licence(
    officer, django_capture_on_commit_callbacks
):
    # Art. 6.3(b)(iv)-(v): what the applicant declared becomes the register's first entries.
    from licensing.models import DeclaredMachine, Licence
    from licensing.services import applications
    from tests.factories import ApplicationFactory

    application = ApplicationFactory(in_review=True, paid=True, activities=["manufacture_products"])
    site = SiteFactory(party=application.party)
    application.sites.add(site)
    MachineFactory(make="Hauni", serial_number="KNOWN-1")  # already registered elsewhere
    for serial in ("NEW-1", "known 1"):
        DeclaredMachine.objects.create(
            application=application, make="Hauni", model="Protos", serial_number=serial, site=site
        )
    with django_capture_on_commit_callbacks(execute=True):
        applications.approve_application(application_id=application.pk, by=officer)
    licence = Licence.objects.get(application=application)
    machine = Machine.objects.get(licence=licence)
    assert (machine.serial_number, machine.state, machine.site) == (
        "NEW-1",
        MachineState.DECLARED,
        site,
    )
    assert svc.declare_from_application(application_id=application.pk) == 0  # a rerun


def test_the_sweep_declares_the_machines_of_an_approval_whose_job_was_lost(
    officer, django_capture_on_commit_callbacks, time_machine
):
    # Art. 6.3(b)(iv)-(v): the approval committed but its declaration job was never sent (the
    # broker was down): the hourly sweep declares the machines, once.
    from django.utils import timezone

    from equipment.tasks import declare_machines_of_recent_approvals
    from licensing.models import DeclaredMachine, Licence
    from licensing.services import applications
    from tests.factories import ApplicationFactory

    application = ApplicationFactory(in_review=True, paid=True, activities=["manufacture_products"])
    site = SiteFactory(party=application.party)
    application.sites.add(site)
    DeclaredMachine.objects.create(
        application=application, make="Hauni", model="Protos", serial_number="LOST-1", site=site
    )
    with django_capture_on_commit_callbacks(execute=False):  # the message is lost
        applications.approve_application(application_id=application.pk, by=officer)
    licence = Licence.objects.get(application=application)
    assert not Machine.objects.filter(licence=licence).exists()

    assert declare_machines_of_recent_approvals.delay().get() == 1
    assert Machine.objects.get(licence=licence).serial_number == "LOST-1"
    assert declare_machines_of_recent_approvals.delay().get() == 0  # a second sweep: none twice
    # An approval older than MACHINE_DECLARATION_SWEEP_DAYS is not looked at again.
    week = dt.timedelta(days=7)
    assert svc.approvals_declaring_machines(timezone.now() - week) == [application.pk]
    time_machine.move_to(timezone.now() + dt.timedelta(days=8), tick=False)
    assert svc.approvals_declaring_machines(timezone.now() - week) == []
