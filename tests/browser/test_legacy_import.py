"""A senior officer imports a legacy register in a real browser while a real Celery worker
checks and writes it: the import's page follows each job to its end by itself, then offers the
confirmation, then the imported licences (Art. 9.2)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from licensing.models import ImportState, LegacyImport, Licence
from tests.browser.test_admin_flow import log_in
from tests.exchange.legacy_files import company, csv_bytes, person

pytestmark = [
    pytest.mark.browser,
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True),
]


def test_senior_officer_imports_a_register_and_watches_both_jobs(
    live_server, new_page, celery_worker, senior, tmp_path
):
    register = tmp_path / "register.csv"
    register.write_bytes(csv_bytes([company("BI-1"), person("BI-2"), company("BI-3")]))
    page = new_page(viewport={"width": 1280, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    log_in(page, live_server, senior)

    page.goto(f"{live_server.url}/admin/licensing/licence/import/")
    page.get_by_label("Register file").set_input_files(str(register))
    page.get_by_role("button", name="Check the file").click()
    expect(page.locator("section#import-progress")).to_be_visible()
    # The script polls the status and reloads the page once the check has ended.
    page.get_by_role("button", name="Confirm import").wait_for(timeout=60_000)
    expect(page.locator('[data-field="rows_checked"]')).to_have_text("3")
    expect(page.get_by_text("3 licences", exact=True)).to_be_visible()

    page.get_by_role("button", name="Confirm import").click()
    page.locator("a#imported-licences").wait_for(timeout=60_000)
    expect(page.locator('[data-field="rows_written"]')).to_have_text("3")
    expect(page.locator('[data-field="percent"]')).to_have_text("100")
    assert LegacyImport.objects.get().state == ImportState.IMPORTED
    assert Licence.objects.count() == 3
    assert errors == []
