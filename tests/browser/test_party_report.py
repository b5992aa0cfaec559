"""The management information (issue 22) in a real browser, on the demo data. The senior
officer opens the Party's aggregate report (Art. 20.1, 32) from the admin's home, asks for the
demo's year, finds its seizures and returns in the tables, and the CSV downloaded holds the
same figures; the backlog chart's bars are its table's figures; axe finds no WCAG violation
(en, nb, hu; desktop and tablet)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from licensing.models import AuditEvent, Verb
from tests.browser.demo import admin_log_in
from tests.browser.test_accessibility import AXE, AXE_OPTIONS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def violations(page: Any) -> list[str]:
    result = AXE.run(page, options=AXE_OPTIONS)
    return [
        f"{violation['id']} at {violation['nodes'][0]['target']}"
        for violation in result.response["violations"]
    ]


def test_the_senior_officer_reads_the_aggregate_report_and_the_backlog(
    demo: None, new_page: Any, live_server: Any
) -> None:
    page = new_page(viewport={"width": 1280, "height": 900})
    admin_log_in(page, live_server, "senior")
    page.get_by_role("link", name="The Party's aggregate report (Art. 20)").click()
    # The demo's dates are moved to the day it is loaded: its year ends today.
    today = timezone.localdate()
    page.get_by_label("First day").fill((today - dt.timedelta(days=364)).isoformat())
    page.get_by_label("Last day (included)").fill(today.isoformat())
    page.get_by_role("button", name="Show the report").click()

    seizures = page.locator("table[aria-labelledby='table-seizures'] tbody tr")
    expect(seizures.first).to_be_visible()
    trade = page.locator("table[aria-labelledby='table-trade'] tbody tr")
    expect(trade.first).to_be_visible()
    assert violations(page) == []
    first_kind = seizures.first.locator("td").first.inner_text()

    with page.expect_download() as download:
        page.get_by_role("link", name="Download: CSV (spreadsheet, text)").click()
    content = Path(download.value.path()).read_text(encoding="utf-8-sig")
    assert "Seizures by kind of item (Art. 20.1(a))" in content
    assert first_kind in content
    assert AuditEvent.objects.filter(verb=Verb.EXPORTED, changes__format="csv").count() == 1

    # In Norwegian, the same page: its own words, and still no violation.
    page.context.add_cookies([{"name": "django_language", "value": "nb", "url": live_server.url}])
    page.reload()
    expect(page.locator("html")).to_have_attribute("lang", "nb")
    expect(page.get_by_role("heading", name="Beslag etter type gjenstand")).to_be_visible()
    assert violations(page) == []

    # The backlog: loading the demo summed its months (reports.apps); the page reads those.
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    page.goto(f"{live_server.url}/admin/")
    page.get_by_role("link", name="Time to decision and backlog").click()
    rows = page.locator("table[aria-labelledby='case-flow-table'] tbody tr")
    expect(rows.first).to_be_visible()
    bars = page.locator("svg[aria-labelledby='backlog-chart-title'] title").all_text_contents()
    table = [int(row.locator("td").nth(3).inner_text()) for row in rows.all()]
    assert [int(text.rsplit(": ", 1)[1]) for text in bars] == table
    assert sum(table) > 0, "the demo has open applications"
    assert violations(page) == []
    # On a tablet, in Hungarian.
    tablet = new_page(viewport={"width": 820, "height": 1180})
    admin_log_in(tablet, live_server, "auditor")
    tablet.context.add_cookies([{"name": "django_language", "value": "hu", "url": live_server.url}])
    tablet.goto(f"{live_server.url}/admin/reports/case-flow/")
    expect(tablet.get_by_role("heading", name="A hónap végén nyitott kérelmek")).to_be_visible()
    assert violations(tablet) == []
