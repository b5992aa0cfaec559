"""The people step in a real browser, in Hungarian on a 390 px phone (issue 14): a second
director is added in place with "Add another row", Continue saves both, Back and Continue again
with nothing touched goes on without a "required" error (Art. 6.3(b)(ii))."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from licensing.models import Person, PortalProfile
from tests.browser.test_portal_flow import PHONE
from tests.factories import PartyFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("compiled_messages"),
]

expect.set_options(timeout=10_000)
PASSWORD = "correct horse battery staple"  # UserFactory's


def fill_person(page: Any, index: int, name: str, number: str) -> None:
    prefix = f"[name='person-{index}-"
    page.locator(prefix + "full_name']").fill(name)
    page.locator(prefix + "date_of_birth']").fill("1970-03-04")
    page.locator(prefix + "identity_document_type']").fill("útlevél")
    page.locator(prefix + "identity_document_number']").fill(number)
    page.locator(prefix + "identity_document_country']").select_option("HU")


def test_two_directors_added_in_place_then_back_and_on(
    live_server: Any, new_page: Any, applicant_for: Any
) -> None:
    party = PartyFactory(country="HU", preferred_language="hu")
    user = applicant_for(party)
    PortalProfile.objects.update_or_create(
        user=user, defaults={"language": "hu", "email_verified_at": timezone.now()}
    )
    page = new_page(**PHONE)
    page.goto(f"{live_server.url}/portal/")
    page.get_by_label("Language", exact=True).select_option("hu")
    page.get_by_role("button", name="Change", exact=True).click()
    expect(page.locator("html")).to_have_attribute("lang", "hu")
    page.goto(f"{live_server.url}/portal/sign-in/")
    page.get_by_label("E-mail-cím").fill(user.email)
    page.get_by_label("Jelszó").fill(PASSWORD)
    page.locator("main").get_by_role("button", name="Bejelentkezés").click()
    page.wait_for_url(re.compile(r"/portal/$"))

    people = f"{live_server.url}/portal/apply/{party.public_id}/people/"
    page.goto(people)
    fill_person(page, 0, "Nagy Béla", "HU1234567")
    # In place, with JavaScript: a second row, numbered, nothing sent yet.
    page.locator("main").get_by_role("button", name="Újabb sor hozzáadása").click()
    expect(page.locator("[name='person-TOTAL_FORMS']")).to_have_value("2")
    expect(page.locator("legend", has_text="Személy 2")).to_be_visible()
    assert not Person.objects.filter(party=party).exists()
    fill_person(page, 1, "Kiss Anna", "HU7654321")
    page.locator("main").get_by_role("button", name="Tovább", exact=True).click()
    page.wait_for_url(re.compile(r"/activities/$"))
    assert sorted(Person.objects.filter(party=party).values_list("full_name", flat=True)) == [
        "Kiss Anna",
        "Nagy Béla",
    ]

    # Back to the people, and on again without touching the empty row.
    page.get_by_role("link", name="Vissza").click()
    page.wait_for_url(re.compile(r"/people/$"))
    page.locator("main").get_by_role("button", name="Tovább", exact=True).click()
    page.wait_for_url(re.compile(r"/activities/$"))
    assert Person.objects.filter(party=party).count() == 2
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0
