"""A party with more records than a page, in a real browser: the officer opens its page, pages
through its sites and its audit trail, corrects a site on the second page and saves, and asks
for the party as of a day (the history's own form, which must not end the party's form)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from licensing.models import Site, Verb
from licensing.services.audit import record_event
from tests.browser.demo import admin_log_in
from tests.factories import PartyFactory, SiteFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

expect.set_options(timeout=10_000)
PASSWORD = "correct horse battery staple"  # tests.factories.UserFactory's


def site_names(page: Any) -> list[str]:
    names = page.locator('#sites-group tr.form-row:not(.empty-form) input[name$="-name"]')
    return [names.nth(i).input_value() for i in range(names.count())]


def follow(page: Any, link: Any) -> None:
    with page.expect_navigation():
        link.click()


def test_an_officer_pages_through_a_partys_sites_and_trail(
    live_server: Any, new_page: Any, officer: Any
) -> None:
    party = PartyFactory(legal_name="Fjordtobakk Holding AS")
    for n in range(23):
        SiteFactory(party=party, name=f"Depot {n:02d}")
    for n in range(30):
        record_event(party, verb=Verb.EDITED, by=officer, changes={"step": f"edit {n}"})

    page = new_page(viewport={"width": 1280, "height": 900})
    admin_log_in(page, live_server, officer.username, password=PASSWORD)
    page.goto(f"{live_server.url}/admin/licensing/party/{party.pk}/change/")
    assert site_names(page) == [f"Depot {n:02d}" for n in range(10)]

    sites = page.get_by_role("navigation", name="Pages of sites")
    follow(page, sites.get_by_role("link", name="Next"))
    expect(page).to_have_url(re.compile(r"/change/\?site_page=2#sites-group$"))
    assert site_names(page) == [f"Depot {n:02d}" for n in range(10, 20)]
    follow(page, sites.get_by_role("link", name="Next"))
    expect(page).to_have_url(re.compile(r"/change/\?site_page=3#sites-group$"))
    assert site_names(page) == [f"Depot {n:02d}" for n in range(20, 23)]
    expect(sites.get_by_role("link", name="Next")).to_have_count(0)
    follow(page, sites.get_by_role("link", name="Previous"))
    expect(page).to_have_url(re.compile(r"/change/\?site_page=2#sites-group$"))
    assert site_names(page) == [f"Depot {n:02d}" for n in range(10, 20)]
    expect(sites.get_by_role("link", name="All sites in their list")).to_have_attribute(
        "href", f"/admin/licensing/site/?party__id__exact={party.pk}"
    )

    # The audit trail: the latest events first, the earlier ones a link away.
    trail = page.locator("fieldset.audit-trail")
    latest, early = re.compile(r"step: edit 29$"), re.compile(r"step: edit 4$")
    expect(trail.get_by_text(latest)).to_be_visible()
    expect(trail.get_by_text(early)).to_have_count(0)
    follow(page, trail.get_by_role("link", name="Earlier events"))
    expect(page).to_have_url(re.compile(r"trail_page=2#audit-title$"))
    expect(trail.get_by_text(early)).to_be_visible()
    expect(trail.get_by_text(latest)).to_have_count(0)

    # A site on the second page, corrected from there.
    page.goto(f"{live_server.url}/admin/licensing/party/{party.pk}/change/?site_page=2")
    row = page.locator("#sites-group tr.form-row:not(.empty-form)").nth(2)
    row.locator('input[name$="-name"]').fill("Depot 12 (north gate)")
    page.get_by_role("button", name="Save and continue editing").click()
    page.locator("ul.messagelist li.success").wait_for()
    assert Site.objects.filter(party=party, name="Depot 12 (north gate)").exists()
    assert Site.objects.filter(party=party).count() == 23

    # The history's own form (the party as of a day) is a form of its own, not the party's.
    history = page.locator("section.record-history")
    history.get_by_label("The party as the authority knew it on").fill("2020-01-01")
    follow(page, history.get_by_role("button", name="Show"))
    expect(page).to_have_url(re.compile(r"/change/\?as_of=2020-01-01$"))
    expect(history).to_contain_text("The authority had not approved this party on that day.")
