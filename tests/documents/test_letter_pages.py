"""Decision letters on the pages people use: the officers' admin (download, the registrar's
reprint), the party's portal (its own letters only) and the public check of a printed copy,
which tells authentic and current from superseded without the reasons (Art. 5)."""

from __future__ import annotations

import hashlib
import re
from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from licensing.models import IssuedDocument
from licensing.services.letters import issue_letter
from tests.documents.test_letters import DECISIONS, REASON, decide, reference_of
from tests.factories import ApplicationFactory, IssuedDocumentFactory, PartyFactory, UserFactory
from tests.portal.cases_world import client_for

pytestmark = pytest.mark.django_db


# --- the admin -------------------------------------------------------------------------------


def admin_url(subject: Any, name: str, *args: Any) -> str:
    model = subject._meta.model_name
    return reverse(f"admin:licensing_{model}_{name}", args=[subject.pk, *args])


def drawn(client, subject) -> list[str]:
    page = client.get(admin_url(subject, "change")).content.decode()
    return re.findall(r'data-action="(\w+)"', page)


@pytest.mark.parametrize("name", ["refusal", "revocation"])
def test_the_registrar_downloads_and_reprints_a_letter_from_the_case_page(
    request, name, registrar, django_capture_on_commit_callbacks
):
    subject = decide(request, name, PartyFactory(), django_capture_on_commit_callbacks)
    letter = IssuedDocument.objects.get()
    client = client_for(registrar)
    page = client.get(admin_url(subject, "change")).content.decode()
    download = admin_url(subject, "issued_document", letter.public_id)
    assert download in page
    response = client.get(download)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment")
    assert hashlib.sha256(b"".join(response.streaming_content)).hexdigest() == letter.sha256

    assert "reprint_letter" in drawn(client, subject)
    action = admin_url(subject, "action", "reprint_letter")
    form = client.get(action).content.decode()
    assert f'value="{letter.event_id}"' in form
    page = client.post(action, {"letter": letter.event_id, "reason": " "})
    assert page.status_code == 200  # the form again, with its error
    assert "errorlist" in page.content.decode()
    assert IssuedDocument.objects.count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(action, {"letter": letter.event_id, "reason": "Lost"}, follow=True)
    assert "queued for printing" in done.content.decode()
    second = IssuedDocument.objects.get(version=2)
    assert (second.event_id, second.issued_by, second.reprint_reason) == (
        letter.event_id,
        registrar,
        "Lost",
    )
    assert (
        admin_url(subject, "issued_document", second.public_id)
        in client.get(admin_url(subject, "change")).content.decode()
    )


def test_an_officer_sees_no_reprint_button_and_is_refused(
    request, officer, django_capture_on_commit_callbacks
):
    licence = decide(request, "suspension", PartyFactory(), django_capture_on_commit_callbacks)
    letter = IssuedDocument.objects.get()
    client = client_for(officer)
    assert "reprint_letter" not in drawn(client, licence)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            admin_url(licence, "action", "reprint_letter"),
            {"letter": letter.event_id, "reason": "Lost"},
        )
    assert IssuedDocument.objects.count() == 1


def test_the_reprint_button_is_hidden_while_there_is_no_letter(registrar):
    application = ApplicationFactory(refused=True)
    client = client_for(registrar)
    assert "reprint_letter" not in drawn(client, application)
    client.post(admin_url(application, "action", "reprint_letter"), {"reason": "x"})
    assert not IssuedDocument.objects.exists()


def test_the_admin_download_needs_to_see_the_case(
    request, inspector, django_capture_on_commit_callbacks
):
    application = decide(request, "refusal", PartyFactory(), django_capture_on_commit_callbacks)
    letter = IssuedDocument.objects.get()
    url = admin_url(application, "issued_document", letter.public_id)
    # Sees the case but not the printed documents.
    assert client_for(inspector).get(url).status_code == 404
    # May see printed documents but not the case.
    clerk = UserFactory(is_staff=True)
    clerk.user_permissions.add(Permission.objects.get(codename="view_issueddocument"))
    assert client_for(clerk).get(url).status_code in (403, 404)
    # Another case's letter through this case's URL.
    other = ApplicationFactory(refused=True, party=application.party)
    wrong = admin_url(other, "issued_document", letter.public_id)
    assert client_for(request.getfixturevalue("registrar")).get(wrong).status_code == 404


# --- the portal ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "page"),
    [
        ("refusal", "portal:application_detail"),
        ("suspension", "portal:licence_detail"),
        ("revocation", "portal:licence_detail"),
    ],
)
def test_the_party_downloads_its_letter_from_its_page(
    request, applicant_for, name, page, django_capture_on_commit_callbacks
):
    party = PartyFactory()
    subject = decide(request, name, party, django_capture_on_commit_callbacks)
    letter = IssuedDocument.objects.get()
    client = client_for(applicant_for(party))
    url = reverse("portal:letter_pdf", kwargs={"public_id": letter.public_id})
    html = client.get(reverse(page, kwargs={"public_id": subject.public_id})).content.decode()
    assert url in html
    if name == "refusal":
        assert "The letter we sent you says why and how to appeal." in html
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert hashlib.sha256(b"".join(response.streaming_content)).hexdigest() == letter.sha256


@pytest.mark.parametrize("name", DECISIONS)
def test_another_party_gets_404_for_the_letter(
    request, applicant_for, name, django_capture_on_commit_callbacks
):
    decide(request, name, PartyFactory(), django_capture_on_commit_callbacks)
    letter = IssuedDocument.objects.get()
    url = reverse("portal:letter_pdf", kwargs={"public_id": letter.public_id})
    stranger = client_for(applicant_for(PartyFactory()))
    assert stranger.get(url).status_code == 404
    assert stranger.post(url).status_code == 404


def test_the_letter_url_does_not_serve_a_printed_licence(applicant_for):
    document = IssuedDocumentFactory()
    client = client_for(applicant_for(document.licence.holder))
    url = reverse("portal:letter_pdf", kwargs={"public_id": document.public_id})
    assert client.get(url).status_code == 404


def test_a_letter_is_not_offered_as_the_licence_pdf(
    request, applicant_for, django_capture_on_commit_callbacks
):
    party = PartyFactory()
    licence = decide(request, "suspension", party, django_capture_on_commit_callbacks)
    client = client_for(applicant_for(party))
    page = client.get(reverse("portal:licence_detail", kwargs={"public_id": licence.public_id}))
    assert reverse("portal:licence_pdf", kwargs={"public_id": licence.public_id}) not in (
        page.content.decode()
    )


# --- public verification ---------------------------------------------------------------------


@pytest.mark.parametrize("name", DECISIONS)
def test_verification_of_a_letter_shows_kind_and_version_but_no_reason(
    request, client, registrar, name, django_capture_on_commit_callbacks
):
    party = PartyFactory(legal_name="Kari Nordmann", trade_name="")
    decide(request, name, party, django_capture_on_commit_callbacks)
    old = IssuedDocument.objects.get()
    new = issue_letter(event_id=old.event_id, by=registrar, reason="Damaged")

    page = client.get(reverse("verify:document", args=[new.code])).content.decode()
    assert "Authentic and current document" in page
    assert old.get_kind_display().capitalize() in page
    assert "version 2" in page

    page = client.get(reverse("verify:document", args=[old.code])).content.decode()
    assert "Authentic but superseded document" in page
    assert "The authority has since printed version 2" in page
    for private in (
        "Kari Nordmann",
        REASON,
        "Damaged",
        reference_of(old.licence or old.application),
    ):
        assert private not in page

    by_hash = client.get(reverse("verify:document_form"), {"sha256": new.sha256})
    assert "Authentic and current document" in by_hash.content.decode()


# --- the e-mail ------------------------------------------------------------------------------


def test_the_decision_e_mail_points_to_the_letter_in_the_portal(
    request, django_capture_on_commit_callbacks, mailoutbox
):
    application = decide(request, "refusal", PartyFactory(), django_capture_on_commit_callbacks)
    body = mailoutbox[0].body
    assert "decision letter" in body
    assert str(application.public_id) in body
