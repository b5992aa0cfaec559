"""A senior officer registers a partner authority in a real browser, reads its secret once,
and the reference page of the API renders (Swagger UI served from here, under the CSP)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from api.models import PartnerClient
from tests.browser.test_destruction_flow import signed_in
from tests.factories.cooperation import CompetentAuthorityFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_senior_officer_registers_and_revokes_a_partner(
    live_server: Any, new_page: Any, senior: Any
) -> None:
    # Art. 22.1: the client is one of the directory's authorities whose designation is in force.
    authority = CompetentAuthorityFactory(name="Tullverket")
    withdrawn = CompetentAuthorityFactory(name="Tullverket (old)", withdrawn_on=dt.date(2026, 1, 1))
    page = signed_in(new_page, live_server, senior)
    page.goto(f"{live_server.url}/admin/api/partnerclient/add/")
    choice = page.get_by_role("combobox", name="Authority")
    assert str(withdrawn) not in choice.locator("option").all_text_contents()
    choice.select_option(label=str(authority))
    page.get_by_label("Technical contact e-mail").fill("api@tull.example")
    page.get_by_label("Read licences, their history and the change feed").check()
    page.get_by_label("Report seizures to this authority").check()
    expires = timezone.localdate() + dt.timedelta(days=365)
    page.get_by_label("Credentials expire on").fill(expires.isoformat())
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("Client secret:")
    partner = PartnerClient.objects.get()
    assert partner.scopes == ["licences:read", "seizures:write"]
    assert partner.authority == authority

    page.goto(f"{live_server.url}/admin/api/partnerclient/{partner.pk}/change/")
    page.get_by_role("link", name="Revoke access").click()
    page.get_by_role("button", name="Confirm").click()
    expect(page.locator(".errorlist")).to_be_visible()  # a reason is required
    page.get_by_label("Reason").fill("The agreement ended.")
    page.get_by_role("button", name="Confirm").click()
    expect(page.locator(".messagelist")).to_contain_text("is revoked")
    partner.refresh_from_db()
    assert partner.revoked_at is not None


def test_the_reference_page_renders_the_operations(live_server: Any, new_page: Any) -> None:
    page = new_page()
    page.goto(f"{live_server.url}/api/v1/schema/reference/")
    expect(page.get_by_text("/api/v1/licences/{number}/").first).to_be_visible()
