"""The officer queue of licensees' reports: each step allowed with its permission and refused
without it, through the services and through the admin's buttons (Art. 7.1(c), 10.1(a))."""

from __future__ import annotations

import pytest
from django.urls import reverse

from duediligence.models import ReportKind, ReportState
from duediligence.services import reports as services
from licensing.exceptions import PermissionDenied, ReasonRequired, TransitionNotAllowed
from licensing.models import AuditEvent, Verb
from tests.factories import DocumentFactory
from tests.factories.reports import LicenseeReportFactory
from tests.portal.cases_world import client_for

pytestmark = pytest.mark.django_db

QUEUE = reverse("admin:duediligence_licenseereport_changelist")


def action_url(report, name):
    return reverse("admin:duediligence_licenseereport_action", args=[report.pk, name])


@pytest.mark.parametrize("who", ["officer", "senior"])
def test_officers_take_a_report_into_review_and_accept_it(request, who):
    user = request.getfixturevalue(who)
    report = LicenseeReportFactory()
    services.take_report_into_review(report_id=report.pk, by=user)
    services.accept_report(report_id=report.pk, by=user, comment="Matches a customs seizure.")
    report.refresh_from_db()
    assert (report.state, report.handled_by, report.officer_comment) == (
        ReportState.ACCEPTED,
        user,
        "Matches a customs seizure.",
    )
    assert report.decided_at is not None
    events = AuditEvent.objects.for_object(report).order_by("pk")
    assert [(e.verb, e.from_state, e.to_state) for e in events] == [
        (Verb.REVIEW_STARTED, "submitted", "under_review"),
        (Verb.REPORT_ACCEPTED, "under_review", "accepted"),
    ]
    assert events.last().reason == "Matches a customs seizure."


def test_an_officer_dismisses_a_report_with_a_reason(officer, refused):
    report = LicenseeReportFactory(under_review=True)
    with refused(ReasonRequired, report):
        services.dismiss_report(report_id=report.pk, by=officer, reason="  ")
    services.dismiss_report(report_id=report.pk, by=officer, reason="An ordinary cash sale.")
    report.refresh_from_db()
    assert report.state == ReportState.DISMISSED
    assert AuditEvent.objects.for_object(report).get().verb == Verb.REPORT_DISMISSED


@pytest.mark.parametrize("who", ["auditor", "inspector", "registrar"])
def test_others_may_not_handle_reports(request, refused, who):
    user = request.getfixturevalue(who)
    submitted = LicenseeReportFactory()
    under_review = LicenseeReportFactory(under_review=True)
    with refused(PermissionDenied, submitted):
        services.take_report_into_review(report_id=submitted.pk, by=user)
    with refused(PermissionDenied, under_review):
        services.accept_report(report_id=under_review.pk, by=user, comment="x")
    with refused(PermissionDenied, under_review):
        services.dismiss_report(report_id=under_review.pk, by=user, reason="x")


def test_a_report_is_decided_only_once_it_is_under_review(officer, refused):
    submitted = LicenseeReportFactory()
    accepted = LicenseeReportFactory(accepted=True)
    with refused(TransitionNotAllowed, submitted):
        services.accept_report(report_id=submitted.pk, by=officer, comment="x")
    with refused(TransitionNotAllowed, accepted):
        services.dismiss_report(report_id=accepted.pk, by=officer, reason="x")
    with refused(TransitionNotAllowed, accepted):
        services.take_report_into_review(report_id=accepted.pk, by=officer)


def test_the_queue_lists_reports_by_state_kind_and_licensee(officer):
    waiting = LicenseeReportFactory(customer_name="Waiting Customer AS")
    LicenseeReportFactory(accepted=True, customer_name="Decided Customer AS")
    client = client_for(officer)
    page = client.get(QUEUE, {"state": "submitted", "kind": ReportKind.TRANSACTION})
    assert page.status_code == 200
    content = page.content.decode()
    assert "Waiting Customer AS" in content and str(waiting.licensee) in content
    assert "Decided Customer AS" not in content


def test_the_buttons_take_accept_and_dismiss_through_the_admin(officer):
    report = LicenseeReportFactory()
    client = client_for(officer)
    change = reverse("admin:duediligence_licenseereport_change", args=[report.pk])
    assert action_url(report, "take_into_review") in client.get(change).content.decode()
    assert client.post(action_url(report, "take_into_review")).status_code == 302
    # The comment is required: the form comes back with the error, nothing changes.
    response = client.post(action_url(report, "accept"), {"reason": ""})
    assert response.status_code == 200 and response.context["form"].errors
    report.refresh_from_db()
    assert report.state == ReportState.UNDER_REVIEW
    page = client.get(change).content.decode()
    assert action_url(report, "accept") in page and action_url(report, "dismiss") in page
    client.post(action_url(report, "accept"), {"reason": "Relevant."})
    report.refresh_from_db()
    assert report.state == ReportState.ACCEPTED


def test_the_auditor_reads_the_queue_but_gets_no_button(auditor):
    report = LicenseeReportFactory()
    client = client_for(auditor)
    change = reverse("admin:duediligence_licenseereport_change", args=[report.pk])
    page = client.get(change)
    assert page.status_code == 200
    assert action_url(report, "take_into_review") not in page.content.decode()
    client.post(action_url(report, "take_into_review"))
    report.refresh_from_db()
    assert report.state == ReportState.SUBMITTED


@pytest.mark.parametrize("who", ["inspector", "registrar"])
def test_inspectors_and_registrars_do_not_see_the_queue(request, who):
    report = LicenseeReportFactory()
    client = client_for(request.getfixturevalue(who))
    assert client.get(QUEUE).status_code == 403
    change = reverse("admin:duediligence_licenseereport_change", args=[report.pk])
    assert client.get(change).status_code in (302, 403, 404)


def test_bank_and_identity_details_are_shown_to_those_who_handle_reports_only(officer, auditor):
    # Art. 5: the auditor reads the report, not the customer's account and identity document.
    report = LicenseeReportFactory(
        iban="DE89370400440532013000", identity_document_number="C01X00T47"
    )
    change = reverse("admin:duediligence_licenseereport_change", args=[report.pk])
    officer_page = client_for(officer).get(change).content.decode()
    auditor_page = client_for(auditor).get(change).content.decode()
    assert "DE89370400440532013000" in officer_page and "C01X00T47" in officer_page
    assert "DE89370400440532013000" not in auditor_page and "C01X00T47" not in auditor_page
    assert report.customer_name in auditor_page


def test_nothing_can_be_added_or_edited_in_the_admin(officer):
    report = LicenseeReportFactory()
    client = client_for(officer)
    assert client.get(reverse("admin:duediligence_licenseereport_add")).status_code == 403
    change = reverse("admin:duediligence_licenseereport_change", args=[report.pk])
    client.post(change, {"customer_name": "Rewritten"})
    report.refresh_from_db()
    assert report.customer_name != "Rewritten"


def test_the_officer_opens_the_evidence_from_the_report(officer):
    report = LicenseeReportFactory(kind=ReportKind.CONTRAVENTION)
    document = DocumentFactory(party=report.licensee, original_name="<b>seizure</b>.pdf")
    report.evidence.add(document)
    client = client_for(officer)
    change = reverse("admin:duediligence_licenseereport_change", args=[report.pk])
    page = client.get(change).content.decode()
    download = reverse("admin:licensing_document_download", args=[document.pk])
    assert download in page and document.sha256[:12] in page
    assert "&lt;b&gt;seizure&lt;/b&gt;.pdf" in page
    assert client.get(download).status_code == 200
