"""Art. 6.3(g), 9 in a real browser, on the demo data: the holder's user, on a phone and in
Norwegian, notifies a change of Fjordtobakk's trade name in advance; the public register still
shows the approved name; the user's status page says the change is pending; the officer sees
old -> new on the application's page."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from licensing.models import Application, ApplicationKind, Licence, LicenceState, Party
from tests.browser.demo import admin_log_in, portal_sign_in
from tests.browser.test_portal_flow import PHONE

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("compiled_messages"),
]

expect.set_options(timeout=10_000)
HOLDER = "Fjordtobakk AS"
SCREENSHOTS = Path("/tmp")  # noqa: S108 - screenshots for a person, never in the repository


def test_a_notified_change_waits_for_the_officer(
    demo: None, live_server: Any, new_page: Any
) -> None:
    party = Party.objects.get(legal_name=HOLDER)
    licence = Licence.objects.filter(holder=party, state=LicenceState.ACTIVE).first()
    assert licence is not None
    approved_trade_name = party.trade_name

    page = new_page(**PHONE)
    portal_sign_in(page, live_server, "applicant@authority.example")
    page.get_by_label("Language", exact=True).select_option("nb")
    page.get_by_role("button", name="Change", exact=True).click()
    expect(page.locator("html")).to_have_attribute("lang", "nb")

    # The change notice (Art. 6.3(g)): in advance, with its date.
    page.goto(f"{live_server.url}/portal/licences/{licence.public_id}/change/")
    page.get_by_label("opplysninger som er relevante for bevillingen").check()
    page.get_by_label("Beskriv endringen").fill("Nytt firmanavn etter fusjon.")
    in_ten_days = timezone.localdate() + dt.timedelta(days=10)
    page.get_by_label("Dato endringen gjelder fra").fill(in_ten_days.isoformat())
    page.locator("main").get_by_role("button", name="Fortsett").click()
    page.wait_for_url(re.compile(r"/portal/apply/"))  # the draft exists once the POST answered
    application = Application.objects.get(party=party, kind=ApplicationKind.CHANGE, state="draft")

    # The applicant renames the holder in the draft.
    page.goto(f"{live_server.url}/portal/apply/{application.public_id}/identity/")
    page.get_by_label("Firmanavn").fill("Fjordtobakk Nord")
    page.locator("main").get_by_role("button", name="Fortsett").click()
    page.wait_for_url(re.compile(r"/tax/$"))

    # Nothing outside the draft changed.
    party.refresh_from_db()
    assert party.trade_name == approved_trade_name
    public = new_page()
    public.goto(f"{live_server.url}/register/?name=Fjordtobakk")
    expect(public.locator("main")).to_contain_text(approved_trade_name)
    expect(public.locator("main")).not_to_contain_text("Fjordtobakk Nord")

    # The applicant sees the change as pending, in Norwegian.
    page.goto(f"{live_server.url}/portal/cases/{application.public_id}/")
    changes = page.locator(
        "section", has=page.get_by_role("heading", name="Endringer i opplysningene dine")
    )
    expect(changes).to_contain_text("Fjordtobakk Nord")
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0
    page.screenshot(path=str(SCREENSHOTS / "changes-portal.png"), full_page=True)

    # The officer sees the trade name old -> new on the application's page.
    officer = new_page(viewport={"width": 1280, "height": 900})
    admin_log_in(officer, live_server, "officer")
    officer.goto(f"{live_server.url}/admin/licensing/application/{application.pk}/change/")
    box = officer.locator("section.changes-proposed")
    expect(box).to_contain_text(approved_trade_name)
    expect(box).to_contain_text("Fjordtobakk Nord")
    box.screenshot(path=str(SCREENSHOTS / "changes-admin.png"))
