"""Issued documents: each printed licence is stored with its SHA-256, a version and a code;
reprints need a reason; the job is idempotent; the portal and the public check read them."""

from __future__ import annotations

import hashlib
import re

import pytest
from django.urls import reverse

from licensing import tasks
from licensing.exceptions import PermissionDenied, ReasonRequired
from licensing.models import AuditEvent, IssuedDocument, LicenceState, Verb
from licensing.services.issuing import issue_licence_document
from tests.documents.test_printing import pdf_text
from tests.factories import IssuedDocumentFactory, LicenceFactory, PartyFactory
from tests.portal.cases_world import client_for

pytestmark = pytest.mark.django_db


def stored_bytes(document: IssuedDocument) -> bytes:
    with document.file.open("rb") as handle:
        return handle.read()


def test_issuing_stores_version_1_with_the_sha256_of_the_stored_bytes(registrar):
    licence = LicenceFactory()
    document = issue_licence_document(licence_id=licence.pk, by=registrar)
    document.refresh_from_db()
    data = stored_bytes(document)
    assert data.startswith(b"%PDF")
    assert document.version == 1
    assert not document.is_reprint
    assert document.sha256 == hashlib.sha256(data).hexdigest()
    assert document.size == len(data)
    assert document.issued_by == registrar
    assert re.fullmatch(r"[0-9A-HJKMNP-TV-Z]{10}", document.code)
    assert licence.number not in document.file.name  # a random name on disk
    assert list(AuditEvent.objects.for_object(licence).values_list("verb", flat=True)) == [
        Verb.DOCUMENT_ISSUED
    ]


def test_the_stored_pdf_carries_its_code_and_version(registrar):
    document = issue_licence_document(licence_id=LicenceFactory().pk, by=registrar)
    text = pdf_text(stored_bytes(document))
    assert document.code in text
    assert f"/verify/document/{document.code}/" in text.replace("\n", "")


def test_a_reprint_needs_a_reason_and_becomes_version_2(registrar, refused):
    licence = LicenceFactory()
    first = issue_licence_document(licence_id=licence.pk, by=registrar)
    with refused(ReasonRequired):
        issue_licence_document(licence_id=licence.pk, by=registrar, reason="  ")
    second = issue_licence_document(licence_id=licence.pk, by=registrar, reason="Torn copy")
    assert (second.version, second.is_reprint, second.reprint_reason) == (2, True, "Torn copy")
    assert second.code != first.code
    event = AuditEvent.objects.for_object(licence).latest("pk")
    assert (event.verb, event.reason) == (Verb.DOCUMENT_REPRINTED, "Torn copy")


def test_a_senior_officer_may_print_too(senior):
    assert issue_licence_document(licence_id=LicenceFactory().pk, by=senior).version == 1


@pytest.mark.parametrize("role", ["officer", "inspector", "auditor"])
def test_others_may_not_print(request, role, refused):
    user = request.getfixturevalue(role)
    with refused(PermissionDenied):
        issue_licence_document(licence_id=LicenceFactory().pk, by=user)
    assert not IssuedDocument.objects.exists()


def test_the_task_delivered_twice_stores_one_document(registrar):
    licence = LicenceFactory()
    first = tasks.print_licence.delay(licence.pk, registrar.pk, "", idempotency_key="k-1").get()
    again = tasks.print_licence.delay(licence.pk, registrar.pk, "", idempotency_key="k-1").get()
    assert first == again
    assert IssuedDocument.objects.filter(licence=licence).count() == 1


def test_the_task_logs_a_refusal_and_prints_nothing(officer):
    licence = LicenceFactory()
    assert tasks.print_licence.delay(licence.pk, officer.pk, "").get() is None
    assert not IssuedDocument.objects.exists()


# The admin page


def change_url(licence) -> str:
    return reverse("admin:licensing_licence_change", args=[licence.pk])


def action_url(licence, name: str) -> str:
    return reverse("admin:licensing_licence_action", args=[licence.pk, name])


def drawn(client, licence) -> list[str]:
    return re.findall(r'data-action="(\w+)"', client.get(change_url(licence)).content.decode())


def test_the_registrar_queues_printing_from_the_licence_page(client, registrar):
    licence = LicenceFactory()
    client.force_login(registrar)
    assert "print_licence" in drawn(client, licence)
    assert "reprint_licence" not in drawn(client, licence)
    # The job is sent with the request (it runs eagerly here); a broker that cannot be reached
    # is said to the registrar (tests/ops/test_broker_down.py).
    response = client.post(action_url(licence, "print_licence"), follow=True)
    assert "queued for printing" in response.content.decode()
    document = IssuedDocument.objects.get(licence=licence)
    assert document.issued_by == registrar
    assert document.idempotency_key  # the admin's key, not the task id

    # Now a reprint, with a reason; the inline lists both versions with a download link.
    assert drawn(client, licence) == [
        name for name in drawn(client, licence) if name != "print_licence"
    ]
    assert "reprint_licence" in drawn(client, licence)
    page = client.post(action_url(licence, "reprint_licence"), {"reason": ""})
    assert page.status_code == 200  # the form again, with its error
    assert IssuedDocument.objects.filter(licence=licence).count() == 1
    client.post(action_url(licence, "reprint_licence"), {"reason": "Lost in the post"})
    second = IssuedDocument.objects.get(licence=licence, version=2)
    assert second.reprint_reason == "Lost in the post"
    html = client.get(change_url(licence)).content.decode()
    download = reverse(
        "admin:licensing_licence_issued_document", args=[licence.pk, second.public_id]
    )
    assert download in html
    response = client.get(download)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert hashlib.sha256(b"".join(response.streaming_content)).hexdigest() == second.sha256


def test_a_non_registrar_sees_no_print_button_and_is_refused(client, officer, inspector):
    licence = LicenceFactory()
    for user in (officer, inspector):
        client.force_login(user)
        names = drawn(client, licence)
        assert "print_licence" not in names and "reprint_licence" not in names
        client.post(action_url(licence, "print_licence"))
    assert not IssuedDocument.objects.exists()


def test_the_admin_download_needs_the_view_permission(client, inspector):
    document = IssuedDocumentFactory()
    client.force_login(inspector)  # sees the licence, not its printed versions
    url = reverse(
        "admin:licensing_licence_issued_document",
        args=[document.licence_id, document.public_id],
    )
    assert client.get(url).status_code == 404


# The portal


def test_the_holder_downloads_the_latest_printed_licence(applicant_for, registrar):
    party = PartyFactory()
    licence = LicenceFactory(holder=party)
    url = reverse("portal:licence_pdf", kwargs={"public_id": licence.public_id})
    client = client_for(applicant_for(party))
    assert client.get(url).status_code == 404  # nothing printed yet
    issue_licence_document(licence_id=licence.pk, by=registrar)
    latest = issue_licence_document(licence_id=licence.pk, by=registrar, reason="Typo")
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert hashlib.sha256(b"".join(response.streaming_content)).hexdigest() == latest.sha256
    detail = client.get(reverse("portal:licence_detail", kwargs={"public_id": licence.public_id}))
    assert url in detail.content.decode()


def test_another_party_gets_404_for_the_pdf(applicant_for):
    document = IssuedDocumentFactory()
    url = reverse("portal:licence_pdf", kwargs={"public_id": document.licence.public_id})
    assert client_for(applicant_for(PartyFactory())).get(url).status_code == 404


# Public verification of a printed document


def test_verification_tells_the_current_version_from_a_superseded_one(client, registrar):
    licence = LicenceFactory(holder=PartyFactory(trade_name="Tobakk AS"))
    old = issue_licence_document(licence_id=licence.pk, by=registrar)
    new = issue_licence_document(licence_id=licence.pk, by=registrar, reason="Damaged")

    page = client.get(reverse("verify:document", args=[new.code])).content.decode()
    assert "Authentic and current document" in page
    assert licence.number in page and "Tobakk AS" in page

    page = client.get(reverse("verify:document", args=[old.code.lower()])).content.decode()
    assert "Authentic but superseded document" in page
    assert "version 2" in page

    by_hash = client.get(reverse("verify:document_form"), {"sha256": old.sha256.upper()})
    assert "Authentic but superseded document" in by_hash.content.decode()


def test_verification_shows_the_licence_state_today(client, registrar):
    licence = LicenceFactory()
    document = issue_licence_document(licence_id=licence.pk, by=registrar)
    type(licence).objects.filter(pk=licence.pk).update(state=LicenceState.SUSPENDED)
    page = client.get(reverse("verify:document", args=[document.code])).content.decode()
    assert "Authentic and current document" in page
    assert "This licence is suspended" in page


def test_an_unknown_code_or_hash_is_not_found_and_no_personal_data_is_shown(client):
    person = PartyFactory(natural=True, legal_name="Kari Nordmann", trade_name="")
    document = IssuedDocumentFactory(licence__holder=person)
    page = client.get(reverse("verify:document", args=["ZZZZZZZZZZ"])).content.decode()
    assert "Document not found" in page
    page = client.get(reverse("verify:document_form"), {"sha256": "0" * 64}).content.decode()
    assert "Document not found" in page
    page = client.get(reverse("verify:document", args=[document.code])).content.decode()
    assert "Kari Nordmann" not in page
    assert document.issued_by is None or document.issued_by.username not in page
    empty = client.get(reverse("verify:document_form"), {"code": "", "sha256": ""})
    assert "Enter the document code or its SHA-256." in empty.content.decode()
