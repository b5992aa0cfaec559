"""The issue's "done when", on the demo data: an officer opens a submitted application, sees its
checks with evidence and a risk score, sees the applicant linked through a director to a revoked
licensee, upholds the flag, and cannot approve."""

from __future__ import annotations

import io
import re

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse

from duediligence.models import Review
from licensing.models import Application

pytestmark = pytest.mark.django_db


def _why(html: str) -> dict[str, str]:
    return dict(re.findall(r'class="why" id="why-(\w+)">([^<]*)<', html))


def test_the_officer_upholds_the_link_to_a_revoked_licensee_and_cannot_approve(client, settings):
    settings.DEBUG = True
    call_command("load_demo", stdout=io.StringIO())
    officer = get_user_model().objects.get(username="officer")
    client.force_login(officer)
    application = Application.objects.get(party__legal_name="Oder Import GmbH")
    review = Review.objects.get(application=application)

    page = client.get(reverse("admin:licensing_application_change", args=[application.pk]))
    assert "Due diligence" in page.content.decode()
    client.post(
        reverse("admin:licensing_application_action", args=[application.pk, "start_review"])
    )

    html = client.get(
        reverse("admin:duediligence_review_change", args=[review.pk])
    ).content.decode()
    assert 'data-check="related_parties" data-outcome="flag"' in html
    assert "Wisła Tytoń Sp. z o.o." in html
    assert "Tomasz Wójcik" in html
    assert re.search(r"Risk score: <span data-score>\d+</span>", html)

    flag = review.open_flags().get(code="related_parties")
    uphold = reverse("admin:duediligence_checkresult_action", args=[flag.pk, "uphold"])
    client.post(uphold, {"comment": "Same director as the revoked Wisła Tytoń."})
    flag.refresh_from_db()
    assert flag.disposition == "upheld"

    page = client.get(reverse("admin:licensing_application_change", args=[application.pk]))
    assert _why(page.content.decode())["approve"] == "The due-diligence review is not complete."
    for other in review.open_flags():
        client.post(
            reverse("admin:duediligence_checkresult_action", args=[other.pk, "clear"]),
            {"comment": "Asked for and received."},
        )
    client.post(reverse("admin:duediligence_review_action", args=[review.pk, "complete"]))
    review.refresh_from_db()
    assert review.state == "completed"
    page = client.get(reverse("admin:licensing_application_change", args=[application.pk]))
    assert _why(page.content.decode())["approve"] == (
        "A critical due-diligence flag is upheld: the application cannot be approved."
    )
    application.refresh_from_db()
    assert application.state == "in_review"
