"""The registrar prints every licence of a site in a real browser while a real Celery worker
prints them: the batch page's script follows the progress to 100 % and then offers the merged
PDF."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from licensing.models import PrintBatch, PrintBatchState
from tests.browser.test_admin_flow import log_in
from tests.factories import LicenceFactory, SiteFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True),
]


def test_registrar_prints_a_site_and_watches_the_batch_finish(
    live_server, new_page, celery_worker, registrar, settings
):
    settings.PRINT_BATCH_CHUNK = 1  # one task per licence: the page sees the batch move
    site = SiteFactory(name="Fjord tobacco plant")
    licences = [LicenceFactory(sites=[site]) for _ in range(3)]
    page = new_page(viewport={"width": 1280, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    log_in(page, live_server, registrar)

    page.goto(f"{live_server.url}/admin/licensing/site/?q=Fjord")
    page.locator('input[name="_selected_action"]').first.check()
    page.locator('select[name="action"]').select_option("print_licences_of_sites")
    page.get_by_role("button", name="Go").click()
    expect(page.get_by_text("3 licences selected.")).to_be_visible()
    page.get_by_role("button", name="Start printing").click()

    page.wait_for_url(re.compile(r"/admin/licensing/printbatch/\d+/change/$"))
    expect(page.locator("progress#batch-progress")).to_be_visible()
    # The script polls the status and reloads the page once the batch has finished.
    page.locator('a[data-download="merged"]').wait_for(timeout=60_000)
    # expect() waits for the whole reloaded page, not only its first part.
    expect(page.locator("progress#batch-progress")).to_have_attribute("value", "3")
    expect(page.locator('[data-field="percent"]')).to_have_text("100")
    for licence in licences:
        expect(page.get_by_role("link", name=licence.number)).to_be_visible()
    assert PrintBatch.objects.get().state == PrintBatchState.FINISHED
    assert errors == []
