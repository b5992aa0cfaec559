"""Cooperation with other Parties in a real browser. Art. 21, 28: an officer records a request
from another Party about a licence and its holder, prepares the answer with the holder's
records as of the day asked; the send button is disabled for them with its reason (four eyes);
a second officer confirms the disclosure of personal data, the signed answer is issued, and the
holder's page lists the disclosure. Art. 12: a free-zone site's stricter schedule, and a
transit notice filed, acknowledged and chased."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext
from playwright.sync_api import expect

from cooperation.models import AssistanceCase, CaseState, FreeZone, TransitNotice, TransitState
from cooperation.tasks import chase_overdue_transits
from inspections.services import planning
from returns.models import ReturnPeriod
from returns.services.periods import open_periods
from tests.browser.test_destruction_flow import fits, signed_in
from tests.browser.test_portal_flow import PHONE
from tests.cooperation.helpers import versioned_licence
from tests.factories import LicenceFactory
from tests.factories.cooperation import CompetentAuthorityFactory
from tests.factories.licensing import SiteFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_request_is_answered_with_a_second_officers_confirmation(
    live_server: Any, new_page: Any, officer: Any, officer2: Any
) -> None:
    licence, _ = versioned_licence(since_days=60)
    authority = CompetentAuthorityFactory(country="HU", name="Nemzeti Adó- és Vámhivatal")
    today = timezone.localdate()
    page = signed_in(new_page, live_server, officer)
    page.goto(f"{live_server.url}/admin/cooperation/assistancecase/add/")
    page.get_by_label("Other Party's authority").select_option(label=str(authority))
    page.get_by_label("Their reference").fill("NAV-BU-2026/0412")
    page.get_by_label("Received or sent on").fill(today.isoformat())
    # A due date before the receipt: refused with its message, what was typed kept.
    page.get_by_label("Due on").fill((today - dt.timedelta(days=3)).isoformat())
    page.get_by_label("About").select_option(label="a licence")
    page.locator("#id_licence").fill(str(licence.pk))
    page.get_by_label("What is asked or sent").fill(
        "Was the licence valid, and who directed the holder?"
    )
    page.get_by_label("Register as of").fill((today - dt.timedelta(days=10)).isoformat())
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".errorlist")).to_contain_text("cannot be before the day the request")
    page.get_by_label("Due on").fill((today + dt.timedelta(days=20)).isoformat())
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist")).to_be_visible()
    case = AssistanceCase.objects.get()

    page.goto(f"{live_server.url}/admin/cooperation/assistancecase/{case.pk}/change/")
    page.get_by_role("link", name="Start work").click()
    page.get_by_role("button", name="Start work").click()
    page.get_by_role("link", name="Prepare the answer").click()
    page.get_by_label("licence extract (Art. 21.1(a))").check()
    page.get_by_label("party's identifiers (Art. 21.1(b))").check()
    page.get_by_label("persons in roles: personal data (Art. 5)").check()
    page.get_by_label("Covering text").fill("The licence was active on the day you asked about.")
    page.get_by_role("button", name="Prepare the answer").click()
    expect(page.locator("#why-send")).to_contain_text("Another officer must confirm")

    second = signed_in(new_page, live_server, officer2)
    second.goto(f"{live_server.url}/admin/cooperation/assistancecase/{case.pk}/change/")
    second.get_by_role("link", name="Send the answer").click()
    expect(second.get_by_text("Holds personal data")).to_be_visible()
    second.get_by_role("button", name="Send the answer").click()
    expect(second.locator(".messagelist")).to_contain_text("done")
    case.refresh_from_db()
    assert case.state == CaseState.ANSWERED
    assert case.answer_document is not None and case.answer_document.signature_level

    second.goto(f"{live_server.url}/admin/licensing/party/{licence.holder.pk}/change/")
    panel = second.locator("#disclosures")
    expect(panel).to_contain_text("Nemzeti Adó- és Vámhivatal")
    expect(panel).to_contain_text(f"licence {licence.number}")
    expect(panel).to_contain_text("Ilona Kovács")


def test_a_free_zone_site_and_a_transit_notice(
    live_server: Any, new_page: Any, officer: Any, applicant_for: Any
) -> None:
    """Art. 12: an officer marks a warehouse in a free zone, and its licence shows the stricter
    schedule the jobs then apply; a carrier on a phone, in Norwegian, notifies a transit (its
    mistake told in Norwegian first); the officer acknowledges it; its goods not gone by the
    last day, the job chases it and the officer's overdue list shows it."""
    warehouse = LicenceFactory(activities=["wholesale", "warehousing"])
    site = SiteFactory(party=warehouse.holder, kind="warehouse", name="Kai 7")
    warehouse.sites.add(site)
    zone = FreeZone.objects.create(name="Frihavn Drammen", code="FZ-DRM", addresses="Holmenkaia")
    today = timezone.localdate()

    page = signed_in(new_page, live_server, officer)
    page.goto(f"{live_server.url}/admin/cooperation/freezonesite/add/")
    page.locator("#id_site").fill(str(site.pk))
    page.get_by_label("Free zone").select_option(label=str(zone))
    page.get_by_label("In the zone since").fill(today.isoformat())
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist")).to_be_visible()
    page.goto(f"{live_server.url}/admin/licensing/licence/{warehouse.pk}/change/")
    conditions = page.locator("#free-zone")
    expect(conditions).to_contain_text("Returns are filed monthly.")
    expect(conditions).to_contain_text("Inspections at most 180 days apart.")
    open_periods()
    assert set(
        ReturnPeriod.objects.filter(licence=warehouse).values_list("frequency", flat=True)
    ) == {"monthly"}
    assert planning.interval_days(warehouse) == 180

    carrier = LicenceFactory(activities=["transport"])
    user = applicant_for(carrier.holder)
    phone = signed_in(new_page, live_server, user, **PHONE)
    phone.context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": "nb", "url": live_server.url}]
    )
    phone.goto(f"{live_server.url}/portal/transit/new/")
    expect(phone.locator("html")).to_have_attribute("lang", "nb")
    fits(phone)
    phone.locator("[name='licence']").select_option(str(carrier.pk))
    phone.locator("[name='kind']").select_option("transit")
    phone.locator("[name='goods']").select_option("products")
    phone.locator("[name='description']").fill("Sigaretter")
    phone.locator("[name='quantity']").fill("2000000")
    phone.locator("[name='unit']").select_option("sticks")
    phone.locator("[name='consignment']").fill("MSKU 1234567")
    phone.locator("[name='origin_country']").select_option("DE")
    phone.locator("[name='destination_country']").select_option("FI")
    phone.locator("[name='entry_point']").fill("Svinesund")
    phone.locator("[name='exit_point']").fill("Kirkenes")
    phone.locator("[name='transport']").select_option("road")
    phone.locator("[name='vehicle']").fill("AB 12345")
    phone.locator("[name='seals']").fill("DE-88120")
    phone.locator("[name='enters_on']").fill(today.isoformat())
    phone.locator("[name='leaves_by']").fill((today - dt.timedelta(days=1)).isoformat())
    phone.locator("main form button.button[type='submit']").click()
    with translation.override("nb"):
        message = gettext("The goods cannot leave before they enter the territory.")
    assert message != "The goods cannot leave before they enter the territory."
    expect(phone.locator(".error-summary")).to_contain_text(message)
    phone.locator("[name='leaves_by']").fill((today + dt.timedelta(days=2)).isoformat())
    phone.locator("main form button.button[type='submit']").click()
    expect(phone.locator("h1")).to_contain_text("TN-")
    fits(phone)
    notice = TransitNotice.objects.get()

    page.goto(f"{live_server.url}/admin/cooperation/transitnotice/{notice.pk}/change/")
    page.get_by_role("link", name="Acknowledge").click()
    page.get_by_role("button", name="Acknowledge").click()
    expect(page.locator(".messagelist")).to_contain_text("done")
    # The last day passes and the goods are not reported gone: the job chases once.
    TransitNotice.objects.filter(pk=notice.pk).update(
        enters_on=today - dt.timedelta(days=5), leaves_by=today - dt.timedelta(days=1)
    )
    assert chase_overdue_transits.delay().get() == 1
    page.goto(f"{live_server.url}/admin/cooperation/transitnotice/?overdue=yes")
    expect(page.locator("#result_list")).to_contain_text(notice.reference)
    notice.refresh_from_db()
    assert (notice.state, notice.chased_on) == (TransitState.ACKNOWLEDGED, today)
