"""The "done when" of inspections (issue 7), in a real browser: the inspector opens today's
inspection on a phone-sized page (390 px), finds a machine whose serial is not in the register,
records it with a photo and submits; a licence officer sees the finding and the proposed
suspension on the licence's page and confirms it. Screenshots go to /tmp/inspection-*.png."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from inspections.models import AnswerType, Inspection, InspectionState
from licensing.models import LicenceState
from tests.browser.test_admin_flow import decide
from tests.browser.test_destruction_flow import PHONE, PNG, SCREENSHOTS, fits, signed_in
from tests.factories import MachineFactory
from tests.factories.inspections import InspectionFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_unregistered_machine_found_on_site_to_a_decided_suspension(
    live_server, new_page, inspector, officer
):
    inspection = InspectionFactory(inspector=inspector)
    MachineFactory(licence=inspection.licence, site=inspection.site, serial_number="PM8-204417")

    phone = signed_in(new_page, live_server, inspector, **PHONE)
    phone.goto(f"{live_server.url}/inspect/inspections/")
    fits(phone)
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
            field.fill("Clean and orderly.")
    phone.get_by_label("Serial numbers seen").fill("pm8 204417\nZZ-00071-X")
    phone.get_by_label("Persons present").fill("Ingrid Haugen, production manager")
    phone.get_by_label("Evidence photos").set_input_files(
        [{"name": "plate.png", "mimeType": "image/png", "buffer": PNG}]
    )
    fits(phone)
    phone.get_by_role("button", name="Submit the inspection").click()
    expect(phone.locator(".notice-success")).to_contain_text("The inspection is submitted")
    expect(phone.get_by_text("ZZ-00071-X is not in the register")).to_be_visible()
    fits(phone)
    phone.screenshot(path=str(SCREENSHOTS / "inspection-inspector.png"), full_page=True)
    inspection = Inspection.objects.get()
    assert inspection.state == InspectionState.SUBMITTED
    assert inspection.photos.count() == 1

    desk = signed_in(new_page, live_server, officer, viewport={"width": 1280, "height": 900})
    desk.goto(f"{live_server.url}/admin/licensing/licence/{inspection.licence.pk}/change/")
    # The finding in the inspections panel, and the proposal it made.
    finding = "Serial number ZZ-00071-X is not in the register."
    expect(desk.get_by_role("cell", name=finding, exact=True)).to_be_visible()
    expect(desk.locator("#proposals-0")).to_contain_text("Inspection")
    decide(desk, "confirm_suspension")
    desk.screenshot(path=str(SCREENSHOTS / "inspection-officer.png"), full_page=True)
    inspection.licence.refresh_from_db()
    assert inspection.licence.state == LicenceState.SUSPENDED
