"""Art. 21, 28 in a real browser: an officer records a request from another Party about a
licence and its holder, prepares the answer with the holder's records as of the day asked; the
send button is disabled for them with its reason (four eyes); a second officer confirms the
disclosure of personal data, the signed answer is issued, and the holder's page lists the
disclosure."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cooperation.models import AssistanceCase, CaseState
from tests.browser.test_destruction_flow import signed_in
from tests.cooperation.helpers import versioned_licence
from tests.factories.cooperation import CompetentAuthorityFactory

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
