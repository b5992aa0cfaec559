"""The application after filing: status page and timeline, documents, answering an
information request, withdrawal."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from licensing.models import (
    ApplicationState,
    AuditEvent,
    Document,
    DocumentKind,
    InformationRequest,
    Notification,
    Verb,
)
from licensing.portal.timeline import timeline
from licensing.services import applications as app_services
from licensing.services.audit import record_event
from licensing.services.notifications import render_notification
from tests.factories import (
    PDF_BYTES,
    ApplicationFactory,
    DocumentFactory,
    PartyFactory,
    UserFactory,
)
from tests.portal.cases_world import client_for, filed_application, pdf

pytestmark = pytest.mark.django_db


@pytest.fixture
def party():
    return PartyFactory()


@pytest.fixture
def applicant(applicant_for, party):
    return applicant_for(party)


@pytest.fixture
def quiet_officer():
    """An officer whose names are distinctive enough to search the page for."""
    return UserFactory(
        username="ofc-zx81",
        first_name="Ottoline",
        last_name="Quarterhouse",
        role="licence officer",
    )


def url(name, application):
    return reverse(f"portal:{name}", kwargs={"public_id": application.public_id})


def test_pages_need_a_signed_in_user(party):
    application = ApplicationFactory(party=party, submitted=True)
    response = client_for_anonymous().get(url("application_detail", application))
    assert response.status_code == 302
    assert "next=" in response["Location"]


def client_for_anonymous():
    from django.test import Client

    return Client()


def test_status_page_shows_state_next_step_and_the_fee(applicant, party):
    application = ApplicationFactory(party=party, submitted=True)
    response = client_for(applicant).get(url("application_detail", application))
    assert response.status_code == 200
    page = response.content.decode()
    assert application.reference in page
    assert "submitted" in page
    assert "What happens next" in page
    assert application.invoice.number in page
    assert url("application_pay", application) in page


def test_timeline_names_the_applicant_but_never_the_officer(
    applicant, party, quiet_officer, senior
):
    application = filed_application(party=party, applicant=applicant, officer=quiet_officer)
    app_services.propose_decision(
        application_id=application.pk,
        by=quiet_officer,
        action="refuse",
        ground="other",
        reason="INTERNAL-NOTE: convictions not disclosed.",
    )
    proposal = application.pending_proposal()
    app_services.reject_proposal(proposal_id=proposal.pk, by=senior, note="INTERNAL-REJECTION")
    app_services.request_information(
        application_id=application.pk, by=quiet_officer, question="Send the warehouse lease."
    )

    page = client_for(applicant).get(url("application_detail", application)).content.decode()

    for secret in ("ofc-zx81", "Ottoline", "Quarterhouse", senior.get_username()):
        assert secret not in page
    # Internal steps are hidden, with their notes.
    assert "INTERNAL-NOTE" not in page
    assert "INTERNAL-REJECTION" not in page
    assert "decision proposed" not in page.lower()
    assert "the authority" in page
    assert "by you" in page
    assert "Application submitted" in page
    assert "Review started" in page
    # The open request, its question and its due date.
    assert "Send the warehouse lease." in page
    assert url("application_reply", application) in page


def test_timeline_names_a_colleague_acting_for_the_same_party(applicant_for, party, officer):
    colleague = applicant_for(party)
    colleague.first_name, colleague.last_name = "Kari", "Solberg"
    colleague.save()
    reader = applicant_for(party)
    application = filed_application(party=party, applicant=colleague, officer=officer)
    page = client_for(reader).get(url("application_detail", application)).content.decode()
    assert "Kari Solberg" in page


def test_the_applicant_s_draft_edits_are_one_entry_per_run_other_events_unchanged(
    applicant_for, party, officer
):
    reader = applicant_for(party)
    colleague = applicant_for(party)
    colleague.first_name, colleague.last_name = "Kari", "Solberg"
    colleague.save()
    application = app_services.create_application(
        party=party, kind="new", activities=["import"], by=reader
    )
    for step in ("identity", "sites", "people"):
        record_event(application, verb=Verb.EDITED, by=reader, changes={"step": step})
    record_event(application, verb=Verb.EDITED, by=colleague, changes={"step": "bank"})
    record_event(application, verb=Verb.EDITED, by=reader, changes={"step": "markets"})
    app_services.accept_declaration(application_id=application.pk, by=reader)
    app_services.submit_application(application_id=application.pk, by=reader)
    app_services.start_review(application_id=application.pk, by=officer)
    record_event(application, verb=Verb.EDITED, by=officer, changes={"sites": ["A", "B"]})
    record_event(application, verb=Verb.EDITED, by=officer, changes={"sites": ["A"]})

    entries = timeline(application, reader)
    shown = [(str(entry.label), str(entry.actor)) for entry in entries]
    assert shown == [
        ("Application started", "you"),
        ("Application prepared", "you"),
        ("Application prepared", "Kari Solberg"),
        ("Application prepared", "you"),  # the last edits and the declaration
        ("Application submitted", "you"),
        ("Fee invoice issued", "you"),
        ("Review started", "the authority"),
        # After submission every edit is its own entry, as before.
        ("Application details updated", "the authority"),
        ("Application details updated", "the authority"),
    ]
    last_own_edit = (
        AuditEvent.objects.for_object(application)
        .filter(verb=Verb.EDITED, actor=reader)
        .latest("at", "pk")
    )
    assert entries[3].at == last_own_edit.at
    assert entries[1].at <= entries[2].at <= entries[3].at

    page = client_for(reader).get(url("application_detail", application)).content.decode()
    assert page.count("Application prepared") == 3
    assert page.count("Application details updated") == 2


def test_submitted_information_is_summarised(applicant, party, officer):
    application = filed_application(party=party, applicant=applicant, officer=officer)
    page = client_for(applicant).get(url("application_detail", application)).content.decode()
    assert "What you submitted" in page
    assert "import" in page


def test_document_download_is_an_attachment_with_its_stored_type(applicant, party):
    application = ApplicationFactory(party=party, submitted=True)
    document = DocumentFactory(party=party, application=application, original_name="lease.pdf")
    page = client_for(applicant).get(url("application_detail", application)).content.decode()
    download = reverse("portal:document_download", kwargs={"public_id": document.public_id})
    assert download in page

    response = client_for(applicant).get(download)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "lease.pdf" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == PDF_BYTES


def test_reply_with_documents_returns_the_application_to_review(applicant, party, officer):
    application = filed_application(
        party=party, applicant=applicant, officer=officer, question="Send the lease."
    )
    client = client_for(applicant)
    assert "Send the lease." in client.get(url("application_reply", application)).content.decode()

    response = client.post(
        url("application_reply", application),
        {"answer": "The lease is attached.", "documents": [pdf("a.pdf"), pdf("b.pdf")]},
    )

    assert response.status_code == 302
    application.refresh_from_db()
    assert application.state == ApplicationState.IN_REVIEW
    request = InformationRequest.objects.get(application=application)
    assert request.answer == "The lease is attached."
    assert request.answered_by == applicant
    documents = Document.objects.filter(application=application)
    assert documents.count() == 2
    assert set(documents.values_list("kind", flat=True)) == {DocumentKind.INFORMATION_REPLY}
    event = AuditEvent.objects.for_object(application).get(verb=Verb.INFORMATION_PROVIDED)
    assert event.actor == applicant


def test_reply_without_documents_is_accepted(applicant, party, officer):
    application = filed_application(
        party=party, applicant=applicant, officer=officer, question="Q?"
    )
    client_for(applicant).post(url("application_reply", application), {"answer": "A."})
    application.refresh_from_db()
    assert application.state == ApplicationState.IN_REVIEW


def test_reply_needs_an_answer(applicant, party, officer):
    application = filed_application(
        party=party, applicant=applicant, officer=officer, question="Q?"
    )
    response = client_for(applicant).post(url("application_reply", application), {"answer": "  "})
    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()
    application.refresh_from_db()
    assert application.state == ApplicationState.INFORMATION_REQUESTED


def test_reply_refuses_a_file_that_is_not_a_document(applicant, party, officer):
    application = filed_application(
        party=party, applicant=applicant, officer=officer, question="Q?"
    )
    fake = SimpleUploadedFile("lease.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    response = client_for(applicant).post(
        url("application_reply", application), {"answer": "Attached.", "documents": [fake]}
    )
    assert response.status_code == 200
    assert "Upload a PDF, PNG or JPEG file." in response.content.decode()
    application.refresh_from_db()
    assert application.state == ApplicationState.INFORMATION_REQUESTED
    assert not Document.objects.filter(application=application).exists()


def test_reply_when_nothing_is_asked_goes_back_to_the_status_page(applicant, party):
    application = ApplicationFactory(party=party, in_review=True)
    response = client_for(applicant).post(url("application_reply", application), {"answer": "A."})
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.state == ApplicationState.IN_REVIEW


def test_withdraw_asks_for_confirmation_then_withdraws(applicant, party):
    application = ApplicationFactory(party=party, submitted=True)
    client = client_for(applicant)
    page = client.get(url("application_withdraw", application)).content.decode()
    assert "Yes, withdraw the application" in page
    application.refresh_from_db()
    assert application.state == ApplicationState.SUBMITTED

    response = client.post(url("application_withdraw", application), {"reason": ""})

    assert response.status_code == 302
    application.refresh_from_db()
    assert application.state == ApplicationState.WITHDRAWN
    event = AuditEvent.objects.for_object(application).get(verb=Verb.WITHDRAWN)
    assert event.actor == applicant


def test_withdraw_keeps_the_reason(applicant, party):
    application = ApplicationFactory(party=party, information_requested=True)
    client_for(applicant).post(url("application_withdraw", application), {"reason": "Sold."})
    event = AuditEvent.objects.for_object(application).get(verb=Verb.WITHDRAWN)
    assert event.reason == "Sold."


@pytest.mark.parametrize("state", ["in_review", "approved", "refused", "withdrawn"])
def test_withdraw_is_refused_once_not_withdrawable(applicant, party, state):
    application = ApplicationFactory(party=party, **{state: True})
    response = client_for(applicant).post(url("application_withdraw", application), {})
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.state == state


def test_emails_link_to_the_status_page(applicant, party, officer, settings):
    settings.PORTAL_BASE_URL = "https://portal.example/"
    application = filed_application(
        party=party, applicant=applicant, officer=officer, question="Send the lease."
    )
    status_page = "https://portal.example" + url("application_detail", application)
    for template in ("application_submitted", "information_requested"):
        notification = Notification.objects.get(template=template)
        assert notification.context["portal_url"] == status_page
        assert status_page in render_notification(notification)[1]


def test_licence_emails_link_to_the_licence_page(officer, settings):
    from licensing.services import licences as licence_services
    from tests.factories import LicenceFactory

    licence = LicenceFactory()
    licence_services.suspend_licence(
        licence_id=licence.pk, by=officer, ground="other", reason="Stock missing."
    )
    notification = Notification.objects.get(template="licence_suspended")
    assert notification.context["portal_url"].endswith(
        reverse("portal:licence_detail", kwargs={"public_id": licence.public_id})
    )
