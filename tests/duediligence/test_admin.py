"""Due diligence in the officers' admin: the gate where the approve button would be, the review
page with checks, evidence and score, deciding a flag, and who may see what."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from duediligence.models import BlockedCustomer
from duediligence.services import reviews as services
from licensing.services import applications as app_services
from tests.factories import CriminalRecordDeclarationFactory, PaymentFactory
from tests.factories.duediligence import ready_application

pytestmark = pytest.mark.django_db


@pytest.fixture
def flagged(officer):
    """An application in review, fee paid, whose director declared a conviction."""
    application = ready_application()
    director = application.party.persons.get()
    CriminalRecordDeclarationFactory(
        party=application.party, person=director, has_convictions=True, details="2019: fraud."
    )
    review = services.run_first_checks(application_id=application.pk)
    app_services.start_review(application_id=application.pk, by=officer)
    PaymentFactory(invoice=application.invoice, amount=application.invoice.amount)
    return review


def _application_page(client, application) -> str:
    url = reverse("admin:licensing_application_change", args=[application.pk])
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def _review_url(review) -> str:
    return reverse("admin:duediligence_review_change", args=[review.pk])


def _flag_url(result, name) -> str:
    return reverse("admin:duediligence_checkresult_action", args=[result.pk, name])


def test_the_approve_button_shows_why_while_the_review_is_open(client, officer, flagged):
    client.force_login(officer)
    html = _application_page(client, flagged.application)
    why = dict(re.findall(r'class="why" id="why-(\w+)">([^<]*)<', html))
    assert why["approve"] == "The due-diligence review is not complete."
    assert f'href="{_review_url(flagged)}"' in html
    assert "flags without a decision: <strong>1</strong>" in html


def test_the_review_page_shows_checks_evidence_and_score(client, officer, flagged):
    client.force_login(officer)
    html = client.get(_review_url(flagged)).content.decode()
    assert 'data-check="criminal_records" data-outcome="flag"' in html
    assert "Art. 6.3(b)(vi), 7.3(a)" in html
    assert "2019: fraud." in html  # the evidence
    assert "Risk score: <span data-score>25</span>" in html
    assert f'href="{_flag_url(flagged.open_flags().get(), "uphold")}"' in html
    assert re.search(r'data-action="complete"[^>]*>[^<]*</span>\s*<span class="why"', html)


def test_upholding_a_flag_from_the_admin_then_approval_stays_refused(client, officer, flagged):
    # The "done when" of the issue, in the admin.
    client.force_login(officer)
    flag = flagged.open_flags().get()
    response = client.post(_flag_url(flag, "uphold"), {"comment": "Conviction within 5 years."})
    assert response.status_code == 302
    flag.refresh_from_db()
    assert flag.disposition == "upheld"
    response = client.post(
        reverse("admin:duediligence_review_action", args=[flagged.pk, "complete"]), {}
    )
    assert response.status_code == 302
    flagged.refresh_from_db()
    assert flagged.state == "completed"
    html = _application_page(client, flagged.application)
    why = dict(re.findall(r'class="why" id="why-(\w+)">([^<]*)<', html))
    assert why["approve"] == (
        "A critical due-diligence flag is upheld: the application cannot be approved."
    )


def test_a_flag_without_a_comment_re_renders_the_form_with_the_error(client, officer, flagged):
    client.force_login(officer)
    flag = flagged.open_flags().get()
    response = client.post(_flag_url(flag, "clear"), {"comment": "  "})
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    flag.refresh_from_db()
    assert flag.disposition == ""


def test_the_officer_reruns_the_checks_from_the_review_page(client, officer, flagged):
    client.force_login(officer)
    response = client.post(reverse("admin:duediligence_review_action", args=[flagged.pk, "rerun"]))
    assert response.status_code == 302
    flagged.refresh_from_db()
    assert flagged.run == 2
    html = client.get(_review_url(flagged)).content.decode()
    assert "Checks, run 2" in html
    assert "Earlier runs" in html


def test_an_auditor_reads_the_review_but_decides_nothing(client, auditor, flagged):
    client.force_login(auditor)
    html = client.get(_review_url(flagged)).content.decode()
    assert 'data-check="criminal_records"' in html
    assert 'data-action="uphold"' not in html
    assert 'data-action="complete"' not in html
    flag = flagged.open_flags().get()
    response = client.post(_flag_url(flag, "uphold"), {"comment": "x"})
    assert response.status_code == 302
    flag.refresh_from_db()
    assert flag.disposition == ""


@pytest.mark.parametrize("user", ["inspector", "registrar"])
def test_other_staff_see_no_review(request, client, user, flagged):
    client.force_login(request.getfixturevalue(user))
    assert client.get(_review_url(flagged)).status_code == 403
    html = _application_page(client, flagged.application)
    assert "Due diligence" not in html


def test_a_senior_officer_adds_a_blocked_customer(client, senior):
    # Art. 7.4
    client.force_login(senior)
    response = client.post(
        reverse("admin:duediligence_blockedcustomer_add"),
        {
            "name": "Schmuggel Handels GmbH",
            "country": "DE",
            "tax_number": "DE136695976",
            "reason": "Supplied an unlicensed wholesaler.",
            "decision_reference": "BC-2026-0001",
            "blocked_from": "2026-01-01",
        },
    )
    assert response.status_code == 302
    assert BlockedCustomer.objects.get().decision_reference == "BC-2026-0001"


def test_a_block_names_someone(client, senior):
    client.force_login(senior)
    response = client.post(
        reverse("admin:duediligence_blockedcustomer_add"),
        {"reason": "x", "decision_reference": "BC-1", "blocked_from": "2026-01-01"},
    )
    assert response.status_code == 200
    assert "Name the party, the person or the blocked identity." in response.content.decode()
    assert not BlockedCustomer.objects.exists()


def test_a_licence_officer_reads_but_does_not_add_blocked_customers(client, officer):
    client.force_login(officer)
    assert client.get(reverse("admin:duediligence_blockedcustomer_changelist")).status_code == 200
    assert client.get(reverse("admin:duediligence_blockedcustomer_add")).status_code == 403


def test_the_review_list_shows_only_what_the_user_may_see(client, officer, flagged):
    client.force_login(officer)
    response = client.get(reverse("admin:duediligence_review_changelist"))
    assert response.status_code == 200
    assert flagged.application.reference in response.content.decode()
