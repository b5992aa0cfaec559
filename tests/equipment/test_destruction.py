"""Supervised destruction (Art. 6.3(i), 18): request, assignment, the inspector's record with its
findings, the senior officer's countersignature and the certificate."""

from __future__ import annotations

import subprocess

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from equipment.models import DestructionOrder, Machine, MachineState, OrderState
from equipment.services import destruction as svc
from equipment.services import destruction_jobs
from equipment.services import machines as machine_svc
from equipment.services.errors import (
    BadPhoto,
    MachinesNotSeized,
    NoticePeriodTooShort,
)
from licensing.exceptions import PermissionDenied, ReasonRequired, TransitionNotAllowed
from licensing.models import IssuedDocument, IssuedDocumentKind
from tests.factories import MachineFactory
from tests.factories.equipment import days

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def requested(applicant_for, *machines, planned=50):
    first = machines[0]
    return svc.request_destruction(
        machine_ids=[m.pk for m in machines],
        by=applicant_for(first.holder),
        method="shredding",
        planned_on=days(planned),
    )


def scheduled(applicant_for, inspector, *machines):
    order = requested(applicant_for, *machines)
    assert destruction_jobs.assign_inspector(order_id=order.pk) is True
    return DestructionOrder.objects.get(pk=order.pk)


def witness(order, inspector, serials, photos=()):
    return svc.record_destruction(
        order_id=order.pk,
        by=inspector,
        witnessed_at=timezone.now(),
        method="shredding",
        serials_seen=serials,
        witnesses="Kari Nordmann (plant manager)",
        photos=photos,
    )


@pytest.mark.django_db
def test_the_holder_requests_destruction_with_the_notice_period(applicant_for, settings):
    machine = MachineFactory()
    settings.DESTRUCTION_NOTICE_DAYS = 45
    with pytest.raises(NoticePeriodTooShort) as info:
        requested(applicant_for, machine, planned=44)
    assert "45 days" in str(info.value)
    order = requested(applicant_for, machine, planned=45)
    assert order.state == OrderState.REQUESTED
    assert Machine.objects.get(pk=machine.pk).state == MachineState.DESTRUCTION_REQUESTED


@pytest.mark.django_db
def test_another_partys_user_cannot_request(applicant_for):
    from tests.factories import PartyFactory

    machine = MachineFactory()
    with pytest.raises(PermissionDenied):
        svc.request_destruction(
            machine_ids=[machine.pk],
            by=applicant_for(PartyFactory()),
            method="shredding",
            planned_on=days(60),
        )
    assert not DestructionOrder.objects.exists()


@pytest.mark.django_db
def test_an_officer_orders_destruction_of_seized_machines_with_a_reason(officer, registrar):
    # Art. 18
    machine = MachineFactory()
    kwargs = {"machine_ids": [machine.pk], "method": "crushing", "planned_on": days(5)}
    with pytest.raises(MachinesNotSeized):
        svc.order_destruction(by=officer, reason="counterfeit production", **kwargs)
    machine_svc.seize_machine(machine_id=machine.pk, by=officer, reason="counterfeit production")
    with pytest.raises(PermissionDenied):
        svc.order_destruction(by=registrar, reason="counterfeit production", **kwargs)
    with pytest.raises(ReasonRequired):
        svc.order_destruction(by=officer, reason=" ", **kwargs)
    order = svc.order_destruction(by=officer, reason="counterfeit production", **kwargs)
    assert order.origin == "officer" and order.reason == "counterfeit production"


@pytest.mark.django_db
def test_the_job_assigns_the_inspector_of_the_region_then_the_least_busy(
    applicant_for, inspector, settings
):
    from tests.factories import UserFactory

    other = UserFactory(username="nord", role="inspector", is_staff=True)
    settings.DESTRUCTION_INSPECTOR_REGIONS = {"nord": ["Viken"]}
    first = scheduled(applicant_for, inspector, MachineFactory())
    assert first.inspector == other  # covers the site's region
    settings.DESTRUCTION_INSPECTOR_REGIONS = {}
    second = scheduled(applicant_for, inspector, MachineFactory())
    assert second.inspector == inspector  # nord already has one open order
    assert Machine.objects.filter(state=MachineState.DESTRUCTION_SCHEDULED).count() == 2
    assert destruction_jobs.assign_inspector(order_id=second.pk) is False  # a rerun changes nothing


@pytest.mark.django_db
def test_a_typed_serial_that_does_not_match_is_recorded_as_a_finding(
    applicant_for, inspector, officer
):
    machine, second = MachineFactory(serial_number="PM8-00001"), None
    second = MachineFactory(licence=machine.licence, site=machine.site, serial_number="PM8-00002")
    order = scheduled(applicant_for, inspector, machine, second)
    with pytest.raises(PermissionDenied):  # only the assigned inspector records
        witness(order, officer, ["pm8 00001"])
    order = witness(order, inspector, ["pm8 00001", "PM8-00099"])
    assert order.state == OrderState.WITNESSED
    assert order.findings == [
        {"serial": "PM8-00099", "finding": "not_in_order"},
        {"serial": "PM8-00002", "finding": "not_seen"},
    ]


@pytest.mark.django_db
def test_a_photo_must_be_a_small_jpeg_or_png(applicant_for, inspector, settings):
    order = scheduled(applicant_for, inspector, MachineFactory())
    fake = SimpleUploadedFile("a.png", b"<svg onload=alert(1)>", content_type="image/png")
    with pytest.raises(BadPhoto):
        witness(order, inspector, [], photos=[fake])
    settings.DESTRUCTION_PHOTO_MAX_BYTES = 32
    with pytest.raises(BadPhoto):
        witness(order, inspector, [], photos=[SimpleUploadedFile("b.png", PNG)])
    assert DestructionOrder.objects.get(pk=order.pk).state == OrderState.SCHEDULED
    settings.DESTRUCTION_PHOTO_MAX_BYTES = 1024
    order = witness(order, inspector, [], photos=[SimpleUploadedFile("b.png", PNG)])
    photo = order.photos.get()
    assert photo.content_type == "image/png"
    assert photo.file.name.startswith("destruction/") and "b.png" not in photo.file.name


@pytest.mark.django_db
def test_the_countersignature_destroys_the_machines_and_issues_the_certificate(
    applicant_for, inspector, senior, officer, refused
):
    machine = MachineFactory(serial_number="PM8-77777")
    order = witness(scheduled(applicant_for, inspector, machine), inspector, ["PM8-77777"])
    with refused(PermissionDenied, order):
        svc.countersign_destruction(order_id=order.pk, by=officer)
    order = svc.countersign_destruction(order_id=order.pk, by=senior)
    assert order.state == OrderState.CERTIFIED
    assert Machine.objects.get(pk=machine.pk).state == MachineState.DESTROYED
    document = IssuedDocument.objects.get(kind=IssuedDocumentKind.DESTRUCTION_CERTIFICATE)
    assert (order.certificate, document.licence, document.version) == (document, order.licence, 1)
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-", "-"],  # noqa: S607
        input=document.file.open("rb").read(),
        capture_output=True,
        check=True,
    ).stdout.decode()
    names = (inspector.get_full_name(), senior.get_full_name())
    for expected in ("PM8-77777", machine.identifier, "shredding", "Kari Nordmann", *names):
        assert expected in text
    assert document.code in text.replace("\n", "")
    with refused(TransitionNotAllowed, order):
        svc.countersign_destruction(order_id=order.pk, by=senior)


@pytest.mark.django_db
def test_a_cancelled_order_puts_the_machines_back(applicant_for, officer, registrar, refused):
    machine = MachineFactory()
    order = requested(applicant_for, machine)
    with refused(PermissionDenied, order):
        svc.cancel_order(order_id=order.pk, by=registrar, reason="no longer needed")
    svc.cancel_order(order_id=order.pk, by=officer, reason="no longer needed")
    assert Machine.objects.get(pk=machine.pk).state == MachineState.REGISTERED
