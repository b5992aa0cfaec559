"""The management information (issue 22) in a real browser, on the demo data. The senior
officer opens the Party's aggregate report (Art. 20.1, 32) from the admin's home, asks for the
demo's year, finds its seizures and returns in the tables, and the CSV downloaded holds the
same figures; the backlog chart's bars are its table's figures; axe finds no WCAG violation
(en, nb, hu; desktop and tablet)."""

from __future__ import annotations

import datetime as dt
import re
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
    # The form is a GET: the chosen year's page, not last calendar year's shown before it.
    page.wait_for_url(re.compile(r"[?&]starts_on="))

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

    # The other management pages, from the case flow's list of them: each chart's bars are its
    # table's column, a linked count is the count of the list it opens, and axe is content.
    for name in [
        "Refusals, suspensions and revocations",
        "Inspection coverage and findings",
        "Returns filed on time",
        "Fee revenue",
        "Licensees by risk score",
    ]:
        page.goto(f"{live_server.url}/admin/reports/case-flow/")
        page.get_by_role("navigation").get_by_role("link", name=name).click()
        expect(page.get_by_role("heading", name=name)).to_be_visible()
        rows = page.locator("table[aria-labelledby='figure-table'] tbody tr")
        expect(rows.first).to_be_visible()
        bars = page.locator("svg[aria-labelledby='figure-chart-title'] title").all_text_contents()
        headings = page.locator("table[aria-labelledby='figure-table'] thead th")
        charted_label = page.locator("#figure-chart-title").text_content()
        column = headings.all_text_contents().index(charted_label) - 1
        charted = [number(row.locator("td").nth(column).inner_text()) for row in rows.all()]
        assert [number(text.rsplit(": ", 1)[1]) for text in bars] == charted, name
        assert violations(page) == [], name
        totals = [
            number(t) for t in page.locator("#figure-table + ul + table tfoot td").all_inner_texts()
        ]
        by_ground = page.locator("table[aria-labelledby='figure-breakdown'] tbody tr")
        if by_ground.count():  # every decision once, under its ground (Art. 6.3(a))
            # Each row: refused, suspended, revoked, its total, and the total drawn.
            grounds = [number(r.locator("td").nth(3).inner_text()) for r in by_ground.all()]
            assert sum(grounds) == sum(totals) > 0, name
        spread = page.locator(
            "table[aria-labelledby='figure-distribution'] tbody tr td:nth-child(2)"
        )
        if spread.count():  # the register now, band by band: this month's row of the table
            this_month = rows.last.locator("td").all_inner_texts()
            assert [number(t) for t in spread.all_inner_texts()] == [number(t) for t in this_month]
            assert sum(number(t) for t in this_month) > 0, "the demo's licensees are scored"
        links = page.locator("table[aria-labelledby='figure-table'] tbody td a")
        if links.count():
            assert sum(charted) > 0, f"{name}: the demo has records in these months"
            link = links.last
            expected = number(link.inner_text())
            link.click()
            assert list_count(page) == expected, name

    # Open cases per officer: each count opens the list of those cases.
    page.goto(f"{live_server.url}/admin/reports/workload/")
    first = page.locator("#workload tbody tr").first.locator("td a")
    expected = number(first.inner_text())
    assert expected > 0
    assert violations(page) == []
    first.click()
    assert list_count(page) == expected

    # The dashboard's tiles, the senior officer's queue first: each count is its list's.
    page.goto(f"{live_server.url}/admin/")
    tiles = page.locator(".glance-tile a")
    assert tiles.count() >= 5
    for index in range(tiles.count()):
        tile = page.locator(".glance-tile a").nth(index)
        expected = number(tile.locator(".glance-count").inner_text())
        tile.click()
        assert list_count(page) == expected, index
        page.go_back()

    # On a tablet, in Hungarian: the dashboard's tiles and the case flow.
    tablet = new_page(viewport={"width": 820, "height": 1180})
    admin_log_in(tablet, live_server, "senior")
    tablet.context.add_cookies([{"name": "django_language", "value": "hu", "url": live_server.url}])
    tablet.goto(f"{live_server.url}/admin/")
    expect(tablet.locator(".glance-grid")).to_be_visible()
    assert violations(tablet) == []
    tablet.goto(f"{live_server.url}/admin/reports/case-flow/")
    expect(tablet.get_by_role("heading", name="A hónap végén nyitott kérelmek")).to_be_visible()
    assert violations(tablet) == []


def number(text: str) -> int:
    """A count as the page writes it (a decimal comma or point, a space between thousands)."""
    digits = re.sub(r"[^0-9,.]", "", text).replace(",", ".")
    return int(float(digits or 0))


def list_count(page: Any) -> int:
    """The count of an admin list, from its paginator ("12 applications")."""
    found = re.search(r"\d+", page.locator("p.paginator").inner_text().replace("\u00a0", ""))
    assert found is not None
    return int(found.group())
