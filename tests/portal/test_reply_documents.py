"""The documents of a reply name the information request they answer, and the status page
lists them under that request."""

from __future__ import annotations

import pytest
from django.urls import reverse

from licensing.models import Document, DocumentKind, InformationRequest
from licensing.services import applications as app_services
from tests.factories import PartyFactory
from tests.portal.cases_world import client_for, filed_application, pdf

pytestmark = pytest.mark.django_db


@pytest.fixture
def party():
    return PartyFactory()


@pytest.fixture
def applicant(applicant_for, party):
    return applicant_for(party)


def url(name, application):
    return reverse(f"portal:{name}", kwargs={"public_id": application.public_id})


def download(document) -> str:
    return reverse("portal:document_download", kwargs={"public_id": document.public_id})


def answered_section(page: str, question: str) -> str:
    """The part of the "Questions answered" section about the request asking ``question``."""
    section = page.split('id="answers-title"', 1)[1].split("</section>", 1)[0]
    (item,) = [item for item in section.split("<h3>")[1:] if question in item]
    return item


def test_a_reply_links_its_documents_to_the_request_it_answers(applicant, party, officer):
    application = filed_application(
        party=party, applicant=applicant, officer=officer, question="Send the lease."
    )
    client = client_for(applicant)
    client.post(url("application_reply", application), {"answer": "Nothing to add."})
    app_services.request_information(
        application_id=application.pk, by=officer, question="Send the permit."
    )

    response = client.post(
        url("application_reply", application),
        {"answer": "Both attached.", "documents": [pdf("permit.pdf"), pdf("annex.pdf")]},
    )

    assert response.status_code == 302
    answered = InformationRequest.objects.get(application=application, question="Send the permit.")
    assert answered.answer == "Both attached."
    documents = list(Document.objects.filter(information_request=answered))
    assert sorted(document.original_name for document in documents) == ["annex.pdf", "permit.pdf"]
    for document in documents:
        assert document.application == application
        assert document.party == party
        assert document.kind == DocumentKind.INFORMATION_REPLY
    earlier = InformationRequest.objects.get(application=application, question="Send the lease.")
    assert not earlier.documents.exists()


def test_the_status_page_lists_the_documents_under_the_request_they_answer(
    applicant, party, officer
):
    application = filed_application(
        party=party, applicant=applicant, officer=officer, question="Send the lease."
    )
    client = client_for(applicant)
    client.post(
        url("application_reply", application),
        {"answer": "Attached.", "documents": [pdf("lease-2291.pdf")]},
    )
    app_services.request_information(
        application_id=application.pk, by=officer, question="Send the permit."
    )
    client.post(
        url("application_reply", application),
        {"answer": "Attached.", "documents": [pdf("permit-7734.pdf")]},
    )
    lease = Document.objects.get(original_name="lease-2291.pdf")
    permit = Document.objects.get(original_name="permit-7734.pdf")

    page = client.get(url("application_detail", application)).content.decode()

    lease_item = answered_section(page, "Send the lease.")
    permit_item = answered_section(page, "Send the permit.")
    assert download(lease) in lease_item and "lease-2291.pdf" in lease_item
    assert download(permit) not in lease_item
    assert download(permit) in permit_item and "permit-7734.pdf" in permit_item
    assert download(lease) not in permit_item
