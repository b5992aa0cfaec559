"""The equipment pages through the doors users use: the holder's portal pages, the inspector's
phone-sized page and the officers' admin buttons, each with its access check."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from equipment.models import CustodyNotice, DestructionOrder, Machine, MachineState, OrderState
from equipment.services import destruction, destruction_jobs
from tests.factories import MachineFactory, ManufacturingLicenceFactory, PartyFactory

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def machines_url(licence):
    return reverse("equipment:machines", kwargs={"public_id": licence.public_id})


def scheduled_order(applicant_for, machine=None):
    machine = machine or MachineFactory(serial_number="PM8-12345")
    order = destruction.request_destruction(
        machine_ids=[machine.pk],
        by=applicant_for(machine.holder),
        method="shredding",
        planned_on=timezone.localdate() + dt.timedelta(days=60),
    )
    destruction_jobs.assign_inspector(order_id=order.pk)
    return DestructionOrder.objects.get(pk=order.pk)


def test_the_licence_page_leads_to_the_holders_machines_and_no_one_elses(client, applicant_for):
    machine = MachineFactory()
    client.force_login(applicant_for(machine.holder))
    page = client.get(
        reverse("portal:licence_detail", kwargs={"public_id": machine.licence.public_id})
    )
    assert machines_url(machine.licence) in page.content.decode()
    assert machine.serial_number in client.get(machines_url(machine.licence)).content.decode()

    client.force_login(applicant_for(PartyFactory()))
    assert client.get(machines_url(machine.licence)).status_code == 404
    for name in ("dispose", "move", "request_destruction"):
        url = reverse(f"equipment:{name}", kwargs={"public_id": machine.public_id})
        assert client.get(url).status_code == 404
        assert client.post(url, {}).status_code == 404


def test_an_acquisition_from_an_unlicensed_seller_is_refused_in_the_users_language(
    client, applicant_for, compiled_messages
):
    buyer = ManufacturingLicenceFactory()
    site = buyer.holder.sites.create(
        kind="manufacturing", name="Hall B", street_address="Veien 1", postal_code="2000",
        municipality="Lillestrøm", country="NO",
    )  # fmt: skip
    client.force_login(applicant_for(buyer.holder))
    url = reverse("equipment:acquire", kwargs={"public_id": buyer.public_id})
    data = {
        "make": "Hauni",
        "model": "Protos",
        "serial_number": "X-1",
        "kind": "maker",
        "hs_code": "8478",
        "site": site.pk,
        "planned_on": "2026-12-01",
        "seller_licence_number": "TL-2020-000001-X",
    }
    page = client.post(url, data, HTTP_ACCEPT_LANGUAGE="nb")
    assert page.status_code == 200
    html = page.content.decode()
    assert "error-summary" in html
    assert "gyldig bevilling" in html  # the Norwegian message, not the English one
    assert not CustodyNotice.objects.exists()


def test_the_holder_requests_destruction_in_the_portal(client, applicant_for, settings):
    machine = MachineFactory()
    client.force_login(applicant_for(machine.holder))
    url = reverse("equipment:request_destruction", kwargs={"public_id": machine.public_id})
    too_soon = timezone.localdate() + dt.timedelta(days=settings.DESTRUCTION_NOTICE_DAYS - 1)
    page = client.post(url, {"method": "shredding", "planned_on": too_soon.isoformat()})
    assert page.status_code == 200 and "error-summary" in page.content.decode()
    later = too_soon + dt.timedelta(days=1)
    page = client.post(url, {"method": "shredding", "planned_on": later.isoformat()})
    assert page.status_code == 302
    assert Machine.objects.get(pk=machine.pk).state == MachineState.DESTRUCTION_REQUESTED


def test_the_inspector_sees_only_their_own_orders(client, applicant_for, inspector):
    from tests.factories import UserFactory

    order = scheduled_order(applicant_for)
    assert order.inspector == inspector
    other = UserFactory(username="other-inspector", role="inspector", is_staff=True)
    url = reverse("equipment:inspect_order", kwargs={"public_id": order.public_id})

    client.force_login(other)
    assert order.site.name not in client.get(reverse("equipment:inspect_orders")).content.decode()
    assert client.get(url).status_code == 404
    assert client.post(url, {}).status_code == 404

    client.force_login(inspector)
    assert order.site.name in client.get(reverse("equipment:inspect_orders")).content.decode()
    assert client.get(url).status_code == 200


def test_the_inspection_page_is_refused_to_non_inspectors(client, officer, applicant_for):
    client.force_login(officer)
    assert client.get(reverse("equipment:inspect_orders")).status_code == 403
    client.force_login(applicant_for(PartyFactory()))
    assert client.get(reverse("equipment:inspect_orders")).status_code == 403


def test_the_inspector_records_the_destruction_with_a_finding_and_a_photo(
    client, applicant_for, inspector
):
    order = scheduled_order(applicant_for)
    client.force_login(inspector)
    url = reverse("equipment:inspect_order", kwargs={"public_id": order.public_id})
    when = timezone.localtime() - dt.timedelta(hours=1)
    page = client.post(
        url,
        {
            "witnessed_at": when.strftime("%Y-%m-%dT%H:%M"),
            "method": "shredding",
            "serials_seen": "pm8 12345\nPM8-99999",
            "witnesses": "Ola Nordmann, plant manager",
            "photos": [SimpleUploadedFile("p.png", PNG, content_type="image/png")],
        },
    )
    assert page.status_code == 302
    order.refresh_from_db()
    assert order.state == OrderState.WITNESSED
    assert order.findings == [{"serial": "PM8-99999", "finding": "not_in_order"}]
    assert order.photos.count() == 1
    assert "PM8-99999" in client.get(url).content.decode()


def test_a_photo_that_is_not_an_image_re_renders_the_form(client, applicant_for, inspector):
    order = scheduled_order(applicant_for)
    client.force_login(inspector)
    url = reverse("equipment:inspect_order", kwargs={"public_id": order.public_id})
    page = client.post(
        url,
        {
            "witnessed_at": (timezone.localtime() - dt.timedelta(hours=1)).strftime(
                "%Y-%m-%dT%H:%M"
            ),
            "method": "shredding",
            "serials_seen": "PM8-12345",
            "witnesses": "Ola Nordmann",
            "photos": [SimpleUploadedFile("p.png", b"%PDF-1.4", content_type="image/png")],
        },
    )
    assert page.status_code == 200 and "error-summary" in page.content.decode()
    assert DestructionOrder.objects.get(pk=order.pk).state == OrderState.SCHEDULED


def admin_buttons(client, obj):
    url = reverse(f"admin:equipment_{obj._meta.model_name}_change", args=[obj.pk])
    return re.findall(r'data-action="(\w+)"', client.get(url).content.decode())


def test_the_senior_officer_countersigns_in_the_admin_and_both_download_the_certificate(
    client, applicant_for, inspector, senior, officer
):
    order = scheduled_order(applicant_for)
    destruction.record_destruction(
        order_id=order.pk,
        by=inspector,
        witnessed_at=timezone.now(),
        method="shredding",
        serials_seen=["PM8-12345"],
        witnesses="Ola Nordmann",
    )
    client.force_login(officer)
    assert "countersign" not in admin_buttons(client, order)
    action = reverse("admin:equipment_destructionorder_action", args=[order.pk, "countersign"])
    client.post(action, {})
    assert DestructionOrder.objects.get(pk=order.pk).state == OrderState.WITNESSED

    client.force_login(senior)
    assert "countersign" in admin_buttons(client, order)
    assert client.post(action, {}).status_code == 302
    order.refresh_from_db()
    assert order.state == OrderState.CERTIFIED
    assert order.machines.get().state == MachineState.DESTROYED
    change = client.get(reverse("admin:equipment_destructionorder_change", args=[order.pk]))
    download = re.search(r'href="([^"]+/printed/[^"]+)"', change.content.decode()).group(1)
    assert client.get(download)["Content-Type"] == "application/pdf"

    holder = applicant_for(order.licence.holder)
    client.force_login(holder)
    listing = client.get(machines_url(order.licence)).content.decode()
    link = reverse("portal:letter_pdf", kwargs={"public_id": order.certificate.public_id})
    assert link in listing
    assert client.get(link)["Content-Type"] == "application/pdf"
    client.force_login(applicant_for(PartyFactory()))
    assert client.get(link).status_code == 404


def test_an_officer_registers_and_seizes_through_the_admin_buttons(client, officer, auditor):
    machine = MachineFactory(declared=True)
    client.force_login(auditor)
    assert admin_buttons(client, machine) == []
    client.force_login(officer)
    assert "register" in admin_buttons(client, machine)
    client.post(reverse("admin:equipment_machine_action", args=[machine.pk, "register"]), {})
    assert Machine.objects.get(pk=machine.pk).state == MachineState.REGISTERED
    url = reverse("admin:equipment_machine_action", args=[machine.pk, "seize"])
    assert client.post(url, {"reason": ""}).status_code == 200  # re-rendered: reason required
    client.post(url, {"reason": "Found at an unlicensed site"})
    assert Machine.objects.get(pk=machine.pk).state == MachineState.SEIZED


def test_an_officer_completes_a_declared_machine_and_the_edit_is_audited(client, officer, auditor):
    from licensing.models import AuditEvent, Verb

    machine = MachineFactory(declared=True, kind="other", hs_code="8478")
    url = reverse("admin:equipment_machine_change", args=[machine.pk])
    client.force_login(auditor)
    assert client.post(url, {"model": "X", "kind": "packer", "hs_code": "8422"}).status_code == 403
    client.force_login(officer)
    inlines = {
        f"{prefix}-{field}": "0"
        for prefix in ("parts", "custody_notices")
        for field in ("TOTAL_FORMS", "INITIAL_FORMS")
    }  # the read-only lists' management forms, as the page sends them
    page = client.post(
        url,
        {"model": machine.model, "kind": "packer", "hs_code": "8422.40", "year": "2012",
         "rated_capacity": "", **inlines},
    )  # fmt: skip
    assert page.status_code == 302
    machine.refresh_from_db()
    assert (machine.kind, machine.hs_code) == ("packer", "8422.40")
    assert AuditEvent.objects.for_object(machine).filter(verb=Verb.EDITED).exists()
