"""The walk-through of the README, in a real browser: an officer takes a paid application to
an issued licence, suspends and reinstates it and proposes its revocation; a senior officer
confirms; every step is in the audit trail."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from licensing.models import Licence, LicenceState
from tests.browser.demo import admin_log_in
from tests.factories import ApplicationFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery staple"  # tests.factories.UserFactory's


def log_in(page, live_server, user) -> None:
    """The password, then the second step (tests/browser/demo.py)."""
    admin_log_in(page, live_server, user.username, password=PASSWORD)


def decide(page, name: str, **fields: str) -> None:
    """Press a decision button, fill its form, confirm, and wait for the success message."""
    page.locator(f'a[data-action="{name}"]').click()
    for label, value in fields.items():
        field = page.get_by_label(label)
        if field.evaluate("element => element.tagName") == "SELECT":
            field.select_option(label=value)
        else:
            field.fill(value)
    page.locator('input[name="_confirm"]').click()
    page.locator("ul.messagelist li.success").wait_for()
    page.wait_for_load_state()  # the whole page, not only the message at its top


def test_officer_issues_suspends_reinstates_and_two_people_revoke(
    live_server, new_page, officer, senior
):
    application = ApplicationFactory(submitted=True, paid=True)
    page = new_page(viewport={"width": 1280, "height": 900})
    log_in(page, live_server, officer)

    page.goto(f"{live_server.url}/admin/licensing/application/?queue=open")
    page.get_by_role("link", name=application.reference).click()
    decide(page, "start_review")
    decide(page, "approve")
    licence = Licence.objects.get(application=application)

    page.goto(f"{live_server.url}/admin/licensing/licence/?q={licence.number}")
    page.get_by_role("link", name=licence.number).click()
    # A ground and a reason are required (Art. 6.3(a)): the form says so and nothing happens.
    page.locator('a[data-action="suspend"]').click()
    page.locator('input[name="_confirm"]').click()
    expect(page.get_by_text("Choose the ground of the decision.")).to_be_visible()
    expect(page.get_by_text("This field is required.")).to_be_visible()
    page.get_by_role("link", name="Cancel").click()
    decide(
        page,
        "suspend",
        Ground="Records or returns not kept (Art. 9)",
        Reason="Excise returns not filed (Art. 6.3(a)).",
    )
    decide(page, "reinstate")
    decide(
        page,
        "propose_revocation",
        Ground="Information missing or untrue (Art. 6.3(b))",
        Reason="False declarations in the application.",
    )
    assert page.locator('a[data-action="revoke"]').count() == 0  # not an officer's to confirm

    senior_page = new_page()
    log_in(senior_page, live_server, senior)
    senior_page.goto(f"{live_server.url}/admin/licensing/licence/{licence.pk}/change/")
    decide(senior_page, "revoke")

    licence.refresh_from_db()
    assert licence.state == LicenceState.REVOKED
    trail = senior_page.locator(".audit-trail tbody tr")
    expect(trail).to_have_count(7)
    verbs = [row.get_attribute("data-verb") for row in trail.all()]
    # The suspension and the revocation each printed their letter to the holder.
    assert verbs == [
        "issued",
        "suspended",
        "document_issued",
        "reinstated",
        "decision_proposed",
        "revoked",
        "document_issued",
    ]
    assert (
        "False declarations in the application." in senior_page.locator(".audit-trail").inner_text()
    )
