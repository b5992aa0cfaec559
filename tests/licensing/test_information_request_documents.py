"""Documents sent with a reply name the information request they answer: the service links
them, refuses a request of another application, and the officer sees them under the request."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from licensing.exceptions import DomainError
from licensing.models import Document
from licensing.services.documents import store_document
from tests.factories import ApplicationFactory, DocumentFactory, InformationRequestFactory
from tests.portal.cases_world import pdf

pytestmark = pytest.mark.django_db


def change_url(application) -> str:
    return reverse("admin:licensing_application_change", args=[application.pk])


def download_url(document) -> str:
    return reverse("admin:licensing_document_download", args=[document.pk])


def request_rows(page: str) -> list[str]:
    """The HTML of each row of the information-request inline."""
    return [
        row.split("</tr>", 1)[0]
        for row in page.split('id="information_requests-')[1:]
        if not row.startswith("empty")
    ]


def row_with(page: str, text: str) -> str:
    (row,) = [row for row in request_rows(page) if text in row]
    return row


def test_store_document_refuses_a_request_of_another_application(officer):
    application = ApplicationFactory(information_requested=True, open_request=False)
    other = InformationRequestFactory()
    with pytest.raises(DomainError):
        store_document(
            party=application.party,
            upload=pdf(),
            kind="information_reply",
            by=officer,
            application=application,
            information_request=other,
        )
    with pytest.raises(DomainError):
        store_document(
            party=other.application.party,
            upload=pdf(),
            kind="information_reply",
            by=officer,
            information_request=other,
        )
    assert not Document.objects.exists()


def test_store_document_links_a_request_of_the_same_application(officer):
    request = InformationRequestFactory()
    application = request.application
    document = store_document(
        party=application.party,
        upload=pdf(),
        kind="information_reply",
        by=officer,
        application=application,
        information_request=request,
    )
    document.refresh_from_db()
    assert (document.application, document.information_request) == (application, request)


def test_the_application_page_lists_each_requests_documents(client, officer):
    application = ApplicationFactory(information_requested=True, open_request=False)
    first = InformationRequestFactory(application=application, question="Send the lease.")
    second = InformationRequestFactory(application=application, question="Send the permit.")
    lease = DocumentFactory(
        party=application.party,
        application=application,
        information_request=first,
        original_name="lease-2291.pdf",
    )
    permit = DocumentFactory(
        party=application.party,
        application=application,
        information_request=second,
        original_name="permit-7734.pdf",
    )
    client.force_login(officer)

    page = client.get(change_url(application)).content.decode()

    lease_row, permit_row = row_with(page, "Send the lease."), row_with(page, "Send the permit.")
    assert download_url(lease) in lease_row and "lease-2291.pdf" in lease_row
    assert download_url(permit) not in lease_row
    assert download_url(permit) in permit_row and "permit-7734.pdf" in permit_row
    assert download_url(lease) not in permit_row


def test_the_application_page_does_not_query_per_document(client, officer):
    """No N+1: 1 or 5 documents, each under its own request, cost the same number of queries."""
    application = ApplicationFactory(information_requested=True, open_request=False)

    def answered_with_a_document(number: int) -> None:
        request = InformationRequestFactory(application=application, question=f"Question {number}")
        DocumentFactory(
            party=application.party,
            application=application,
            information_request=request,
            original_name=f"answer-{number}.pdf",
        )

    def queries() -> tuple[int, str]:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(change_url(application))
        assert response.status_code == 200
        return len(captured), response.content.decode()

    client.force_login(officer)
    answered_with_a_document(1)
    client.get(change_url(application))  # warm the content-type cache
    one, _ = queries()
    for number in range(2, 6):
        answered_with_a_document(number)
    five, page = queries()
    assert five == one
    for number in range(1, 6):
        assert f"answer-{number}.pdf" in row_with(page, f"Question {number}<")
