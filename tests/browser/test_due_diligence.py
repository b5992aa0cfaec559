"""The issue's "done when", in a real browser: an officer opens a submitted application, sees
its checks with evidence and a risk score, sees the applicant linked through a director to a
revoked licensee, upholds the flag, and cannot approve (Art. 6.3(d))."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from duediligence.services.indexing import index_everything
from duediligence.services.reviews import run_first_checks
from licensing.models import ApplicationState
from licensing.services import applications as app_services
from tests.browser.test_admin_flow import decide, log_in
from tests.factories import LicenceFactory, PaymentFactory, PersonFactory
from tests.factories.duediligence import LonePartyFactory, ready_application

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_officer_upholds_a_link_to_a_revoked_licensee_and_cannot_approve(
    live_server, new_page, officer
):
    revoked = LicenceFactory(
        revoked=True, holder=LonePartyFactory(legal_name="Smugglers Tobakk AS")
    ).holder
    PersonFactory(party=revoked, full_name="Ingrid Fjell")  # the applicant's director
    index_everything()
    application = ready_application()
    run_first_checks(application_id=application.pk)
    app_services.start_review(application_id=application.pk, by=officer)
    PaymentFactory(invoice=application.invoice, amount=application.invoice.amount)

    page = new_page(viewport={"width": 1280, "height": 900})
    log_in(page, live_server, officer)
    case_url = f"{live_server.url}/admin/licensing/application/{application.pk}/change/"
    page.goto(case_url)
    expect(page.locator("#why-approve")).to_have_text("The due-diligence review is not complete.")
    panel = page.locator("section.due-diligence")
    expect(panel).to_contain_text("risk score: 40")
    panel.get_by_role("link", name="Open the review").click()
    page.wait_for_url(re.compile(r"/duediligence/review/\d+/change/$"))

    flag = page.locator('tr[data-outcome][data-check="related_parties"]')
    expect(flag).to_contain_text("Smugglers Tobakk AS")
    expect(flag).to_contain_text("Ingrid Fjell")
    expect(flag).to_contain_text("(critical)")
    expect(page.locator('tr[data-outcome][data-check="bank_accounts"]')).to_contain_text("pass")
    expect(page.locator("[data-score]")).to_have_text("40")

    # Completing is refused while the flag has no decision, and says why.
    expect(page.locator("#why-complete")).to_have_text(
        "Clear or uphold every flag of the latest run first."
    )
    decide(page, "uphold", Comment="Same director as the revoked Smugglers Tobakk AS.")
    expect(flag).to_contain_text("upheld: Same director")
    decide(page, "complete")

    page.goto(case_url)
    expect(page.locator("#why-approve")).to_have_text(
        "A critical due-diligence flag is upheld: the application cannot be approved."
    )
    application.refresh_from_db()
    assert application.state == ApplicationState.IN_REVIEW
