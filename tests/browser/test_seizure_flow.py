"""The "done when" of seizures (issue 18), in a real browser: an inspector records, on a phone,
a machine whose serial the register holds for another holder's machine; an officer opens a
seizure case from that finding in one step, marks the serial as cloned and adds 300 kg of cut
tobacco; the holders' risk scores rise; the officer orders the destruction of the items; the
inspector records it on the phone, a senior officer countersigns, and the certificate lists the
items. Screenshots go to /tmp/seizure-*.png for a person to look at."""

from __future__ import annotations

import datetime as dt
import subprocess

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from duediligence.services.risk import party_risk
from equipment.models import DestructionOrder, Machine, MachineState, OrderState
from equipment.tasks import run_destruction_jobs
from inspections.models import AnswerType, Inspection
from seizures.models import ItemStatus, SeizedItem, SeizureCase
from tests.browser.test_admin_flow import decide
from tests.browser.test_destruction_flow import PHONE, SCREENSHOTS, fits, signed_in
from tests.factories import MachineFactory
from tests.factories.inspections import InspectionFactory
from tests.seizures.helpers import store

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
DESK = {"viewport": {"width": 1280, "height": 900}}


def inspect_on_phone(phone, live_server, inspection, serials):
    phone.goto(f"{live_server.url}/inspect/inspections/")
    phone.get_by_role("link", name=str(inspection.licence.holder), exact=False).click()
    phone.get_by_role("button", name="Start the inspection").click()
    inspection.refresh_from_db()
    for question in inspection.template.questions.all():
        field = phone.locator(f'[name="q{question.pk}"]')
        if question.answer_type == AnswerType.YES_NO:
            field.select_option("yes")
        elif question.answer_type == AnswerType.NUMBER:
            field.fill("2")
        elif question.answer_type == AnswerType.TEXT:
            field.fill("A second making machine in the back room.")
    phone.get_by_label("Serial numbers seen").fill(serials)
    phone.get_by_label("Persons present").fill("Ingrid Haugen, production manager")
    phone.get_by_role("button", name="Submit the inspection").click()
    expect(phone.locator(".notice-success")).to_contain_text("The inspection is submitted")


def test_a_cloned_machine_found_on_site_to_a_certificate_of_destruction(
    live_server, new_page, inspector, officer, senior
):
    inspection = InspectionFactory(inspector=inspector)
    holder = inspection.licence.holder
    # The register's machine carrying the serial stands at another holder's site.
    original = MachineFactory(make="Hauni", serial_number="PM8-777001")
    store(officer, "Sentrallager Oslo", region=inspection.site.region)
    before = {p.pk: party_risk(p.pk)[0] for p in (holder, original.holder)}

    phone = signed_in(new_page, live_server, inspector, **PHONE)
    inspect_on_phone(phone, live_server, inspection, "PM8-777001 ; Hauni")
    expect(phone.get_by_text("PM8-777001 is registered to", exact=False)).to_be_visible()
    fits(phone)

    desk = signed_in(new_page, live_server, officer, **DESK)
    desk.goto(f"{live_server.url}/admin/inspections/inspection/{inspection.pk}/change/")
    desk.locator('a[data-action="open_seizure"]').click()
    desk.get_by_label("Finding").select_option(index=1)
    expect(desk.get_by_label("Make on the plate")).to_have_value("Hauni")
    desk.get_by_label("Cloned serial").check()
    desk.get_by_label("Kept at").select_option(label="Sentrallager Oslo")
    desk.locator('input[name="_confirm"]').click()
    desk.locator("ul.messagelist li.success").wait_for()
    case = SeizureCase.objects.get()
    assert Inspection.objects.get().findings.filter(seizure_case=case).exists()
    assert Machine.objects.get(pk=original.pk).state == MachineState.REGISTERED

    # The case page, from the finding's link; the tobacco added in the "add items" row.
    desk.get_by_role("link", name=case.reference).click()
    row = "items-2-0"  # the second inline of items: the row to add one
    desk.locator(f'[name="{row}-kind"]').select_option("tobacco")
    desk.locator(f'[name="{row}-tobacco_form"]').select_option("cut")
    desk.locator(f'[name="{row}-quantity"]').fill("300")
    desk.locator(f'[name="{row}-unit"]').select_option("kg")
    desk.locator(f'[name="{row}-store"]').select_option(label="Sentrallager Oslo")
    desk.locator('input[name="_continue"]').click()
    desk.locator("ul.messagelist li.success").wait_for()
    expect(desk.get_by_text("cloned serial: another machine", exact=False)).to_be_visible()
    desk.screenshot(path=str(SCREENSHOTS / "seizure-case.png"), full_page=True)
    items = list(case.items.order_by("number"))
    assert [(i.kind, i.cloned, i.register_machine_id) for i in items] == [
        ("machine", True, original.pk),
        ("tobacco", False, None),
    ]
    assert items[1].quantity == 300 and items[1].location.name == "Sentrallager Oslo"

    # Art. 18: both holders' risk rises (seized from one, the other's serial cloned).
    assert party_risk(holder.pk)[0] > before[holder.pk]
    assert party_risk(original.holder.pk)[0] > before[original.holder.pk]

    planned = timezone.localdate() + dt.timedelta(days=3)
    desk.locator('a[data-action="order_destruction"]').click()
    for item in items:
        desk.get_by_label(str(item), exact=False).check()
    desk.get_by_label("Method").select_option("shredding")
    desk.get_by_label("Planned date").fill(planned.isoformat())
    desk.get_by_label("Reason").fill("Confiscation order 24-118833MED")
    desk.locator('input[name="_confirm"]').click()
    desk.locator("ul.messagelist li.success").wait_for()
    assert set(SeizedItem.objects.values_list("state", flat=True)) == {
        ItemStatus.DESTRUCTION_ORDERED
    }
    assert run_destruction_jobs.delay().get()["assigned"] == 1
    order = DestructionOrder.objects.get()

    phone.goto(f"{live_server.url}/inspect/")
    phone.get_by_role("link", name="Sentrallager Oslo", exact=False).click()
    # The order's page, not the list still on screen while the link loads.
    expect(phone.get_by_label("Date and time of the destruction")).to_be_visible()
    fits(phone)
    moment = timezone.localtime() - dt.timedelta(minutes=30)
    phone.get_by_label("Date and time of the destruction").fill(moment.strftime("%Y-%m-%dT%H:%M"))
    phone.get_by_label("Serial numbers seen").fill("PM8-777001")
    phone.get_by_label("Witnesses present").fill("Ivar Lunde, store keeper")
    phone.get_by_role("button", name="Record").click()
    expect(phone.locator(".notice-success")).to_contain_text("The destruction is recorded")
    phone.screenshot(path=str(SCREENSHOTS / "seizure-inspector.png"), full_page=True)

    chief = signed_in(new_page, live_server, senior, **DESK)
    chief.goto(f"{live_server.url}/admin/equipment/destructionorder/{order.pk}/change/")
    decide(chief, "countersign")
    order.refresh_from_db()
    assert order.state == OrderState.CERTIFIED
    assert set(SeizedItem.objects.values_list("state", flat=True)) == {ItemStatus.DESTROYED}
    assert Machine.objects.get(pk=original.pk).state == MachineState.REGISTERED  # not the clone
    link = chief.get_by_role("link", name=str(order.certificate))
    response = chief.request.get(live_server.url + link.get_attribute("href"))
    assert response.headers["content-type"] == "application/pdf"
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-", "-"],  # noqa: S607
        input=response.body(),
        capture_output=True,
        check=True,
    ).stdout.decode()
    for expected in (items[0].label, items[1].label, "PM8-777001", "300 kg", "cut tobacco"):
        assert expected in text
