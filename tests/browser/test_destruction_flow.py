"""The "done when" of supervised destruction (issue 6), in a real browser: the licensee requests
the destruction of a machine in the portal; the job assigns an inspector and sends the
reminders; the inspector records the destruction on a phone-sized page (390 px); a senior
officer countersigns in the admin; the machine shows as destroyed and the holder downloads the
certificate. Screenshots go to /tmp/destruction-*.png for a person to look at."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client
from django.utils import timezone
from playwright.sync_api import expect

from equipment.models import DestructionOrder, Machine, MachineState, OrderState
from equipment.services import destruction_jobs
from equipment.tasks import run_destruction_jobs
from tests.browser.test_admin_flow import decide
from tests.factories import MachineFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

expect.set_options(timeout=10_000)
PHONE: dict[str, Any] = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
SCREENSHOTS = Path("/tmp")  # noqa: S108 - screenshots for a person, never in the repository


def signed_in(new_page: Any, live_server: Any, user: Any, **options: Any) -> Any:
    """A page whose browser holds ``user``'s session (the log-in pages have their own tests)."""
    client = Client()
    client.force_login(user)
    page = new_page(**options)
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    return page


def fits(page: Any) -> None:
    page.wait_for_load_state()
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 390, f"{page.url} is {width}px wide on a 390px screen"


def test_a_destruction_from_request_to_certificate(
    live_server, new_page, applicant_for, inspector, senior
):
    machine = MachineFactory(serial_number="PM8-204417")
    holder = applicant_for(machine.holder)

    page = signed_in(new_page, live_server, holder, **PHONE)
    page.goto(f"{live_server.url}/portal/licences/{machine.licence.public_id}/")
    page.get_by_role("link", name="Manufacturing equipment: machines, custody, destruction").click()
    page.get_by_role("link", name="Request destruction").click()
    planned = timezone.localdate() + dt.timedelta(days=settings.DESTRUCTION_NOTICE_DAYS + 5)
    page.get_by_label("Method").select_option("shredding")
    page.get_by_label("Planned date").fill(planned.isoformat())
    page.get_by_role("button", name="Send the notice").click()
    expect(page.locator(".notice-success")).to_contain_text("Destruction is requested")
    fits(page)

    assert run_destruction_jobs.delay().get()["assigned"] == 1
    order = DestructionOrder.objects.get()
    assert order.inspector == inspector
    mail.outbox.clear()
    assert destruction_jobs.send_reminders(today=planned - dt.timedelta(days=7)) == 1
    assert sorted(m.to[0] for m in mail.outbox) == sorted([holder_email(machine), inspector.email])

    phone = signed_in(new_page, live_server, inspector, **PHONE)
    phone.goto(f"{live_server.url}/inspect/")
    fits(phone)
    phone.get_by_role("link", name=machine.site.name, exact=False).click()
    # The order's page, not the list still on screen while the link loads.
    expect(phone.get_by_label("Date and time of the destruction")).to_be_visible()
    fits(phone)
    moment = timezone.localtime() - dt.timedelta(minutes=30)
    phone.get_by_label("Date and time of the destruction").fill(moment.strftime("%Y-%m-%dT%H:%M"))
    phone.get_by_label("Serial numbers seen").fill("pm8 204417\nPM8-999")
    phone.get_by_label("Witnesses present").fill("Ingrid Haugen, production manager")
    phone.get_by_label("Photos").set_input_files(
        [{"name": "shredder.png", "mimeType": "image/png", "buffer": PNG}]
    )
    phone.get_by_role("button", name="Record").click()
    expect(phone.locator(".notice-success")).to_contain_text("The destruction is recorded")
    expect(phone.get_by_text("PM8-999 was seen but is not a machine of this order")).to_be_visible()
    fits(phone)
    phone.screenshot(path=str(SCREENSHOTS / "destruction-inspector.png"), full_page=True)

    desk = signed_in(new_page, live_server, senior, viewport={"width": 1280, "height": 900})
    desk.goto(f"{live_server.url}/admin/equipment/destructionorder/{order.pk}/change/")
    decide(desk, "countersign")
    assert DestructionOrder.objects.get().state == OrderState.CERTIFIED
    assert Machine.objects.get(pk=machine.pk).state == MachineState.DESTROYED

    page.goto(f"{live_server.url}/portal/equipment/{machine.licence.public_id}/")
    expect(page.get_by_text("destroyed", exact=True)).to_be_visible()
    link = page.get_by_role("link", name="Destruction certificate of")
    response = page.request.get(live_server.url + link.get_attribute("href"))
    assert response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF")
    page.screenshot(path=str(SCREENSHOTS / "destruction-holder.png"), full_page=True)


def holder_email(machine: Machine) -> str:
    return machine.holder.email
