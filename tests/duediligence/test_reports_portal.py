"""Licensees' reports through the portal (Art. 7.1 to 7.3, 7.1(c), 10.1(a)): each kind filed
with good and bad input, evidence uploads checked, and each licensee seeing only its own."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from duediligence.models import LicenseeReport, ReportKind, ReportState
from licensing.models import AuditEvent, Document, Verb
from licensing.services.retention import purge_unreferenced_uploads
from tests.duediligence.reports_world import (
    contravention,
    customer_record,
    licensee_with_user,
    transaction,
)
from tests.factories import PartyFactory
from tests.factories.reports import LicenseeReportFactory
from tests.portal.cases_world import client_for, pdf

pytestmark = pytest.mark.django_db


def new_url(kind: str) -> str:
    return reverse("portal:report_new", kwargs={"kind": kind})


def test_a_customer_record_is_filed_and_shown_with_its_state(applicant_for):
    party, user = licensee_with_user(applicant_for)
    client = client_for(user)
    response = client.post(new_url(ReportKind.CUSTOMER_RECORD), customer_record(party))
    report = LicenseeReport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "portal:report_detail", kwargs={"public_id": report.public_id}
    )
    assert (report.kind, report.state, report.licensee, report.filed_by) == (
        ReportKind.CUSTOMER_RECORD,
        ReportState.SUBMITTED,
        party,
        user,
    )
    assert report.iban == "NO9386011117947"  # stored in its compact form
    assert AuditEvent.objects.for_object(report).get().verb == Verb.SUBMITTED
    page = client.get(response["Location"]).content.decode()
    assert report.reference in page and "Kari Nordmann" in page and "submitted" in page


def test_a_customer_record_needs_the_checks_and_a_persons_identity_document(applicant_for):
    party, user = licensee_with_user(applicant_for)
    data = customer_record(party, checks_done="", checked_on="", identity_document_number="")
    response = client_for(user).post(new_url(ReportKind.CUSTOMER_RECORD), data)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert set(errors) >= {"checks_done", "checked_on", "identity_document_number"}
    assert "There is a problem" in response.content.decode()
    assert not LicenseeReport.objects.exists()


def test_errors_are_shown_in_the_users_language(applicant_for):
    party, user = licensee_with_user(applicant_for)
    client = client_for(user)
    client.cookies["django_language"] = "nb"
    response = client.post(
        new_url(ReportKind.TRANSACTION),
        transaction(party, iban="NO00 0000", amount="", currency="E1"),
        HTTP_ACCEPT_LANGUAGE="nb",
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Oppgi et gyldig IBAN-nummer." in page
    assert "Oppgi en valutakode på tre bokstaver, for eksempel EUR." in page
    assert not LicenseeReport.objects.exists()


def test_a_contravention_is_filed_with_its_evidence_stored_as_the_licensees_document(
    applicant_for,
):
    party, user = licensee_with_user(applicant_for)
    data = {**contravention(party), "evidence_files": [pdf("photo.pdf"), pdf("invoice.pdf")]}
    response = client_for(user).post(new_url(ReportKind.CONTRAVENTION), data)
    assert response.status_code == 302
    report = LicenseeReport.objects.get()
    evidence = list(report.evidence.order_by("original_name"))
    assert [d.original_name for d in evidence] == ["invoice.pdf", "photo.pdf"]
    # Kept under documents/ and named by a Document row: the purge of orphans leaves them.
    assert all(d.party == party and d.file.name.startswith("documents/") for d in evidence)
    page = client_for(user).get(response["Location"]).content.decode()
    download = reverse("portal:document_download", kwargs={"public_id": evidence[0].public_id})
    assert download in page
    assert client_for(user).get(download).status_code == 200


def test_a_contravention_needs_a_description(applicant_for):
    party, user = licensee_with_user(applicant_for)
    response = client_for(user).post(
        new_url(ReportKind.CONTRAVENTION), contravention(party, description="  ")
    )
    assert "description" in response.context["form"].errors
    assert not LicenseeReport.objects.exists()


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (SimpleUploadedFile("x.exe", b"MZ\x90\x00 not a document"), "Upload a PDF, PNG or JPEG"),
        (SimpleUploadedFile("empty.pdf", b""), "The submitted file is empty."),
    ],
)
def test_evidence_that_is_not_a_document_is_refused_and_nothing_is_written(
    applicant_for, upload, message
):
    party, user = licensee_with_user(applicant_for)
    data = {**contravention(party), "evidence_files": [pdf(), upload]}
    response = client_for(user).post(new_url(ReportKind.CONTRAVENTION), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not LicenseeReport.objects.exists()
    assert not Document.objects.exists()


def test_evidence_larger_than_the_limit_is_refused(applicant_for, settings):
    settings.DOCUMENT_MAX_BYTES = 1024
    party, user = licensee_with_user(applicant_for)
    big = SimpleUploadedFile("big.pdf", b"%PDF-1.4\n" + b"0" * 2048)
    response = client_for(user).post(
        new_url(ReportKind.CONTRAVENTION), {**contravention(party), "evidence_files": [big]}
    )
    assert "The file is larger than 0 MB." in response.content.decode()
    assert not LicenseeReport.objects.exists()


def test_a_suspicious_cross_border_cash_payment_is_filed(applicant_for):
    party, user = licensee_with_user(applicant_for)
    response = client_for(user).post(new_url(ReportKind.TRANSACTION), transaction(party))
    assert response.status_code == 302
    report = LicenseeReport.objects.get()
    assert (report.amount, report.currency, report.means_of_payment, report.cross_border) == (
        Decimal("40000.00"),
        "EUR",
        "cash",
        True,
    )


def test_a_transaction_needs_amount_currency_and_means_of_payment(applicant_for):
    party, user = licensee_with_user(applicant_for)
    data = transaction(party, amount="0", currency="", means_of_payment="")
    response = client_for(user).post(new_url(ReportKind.TRANSACTION), data)
    assert set(response.context["form"].errors) >= {"amount", "currency", "means_of_payment"}
    assert not LicenseeReport.objects.exists()


def test_a_party_without_a_licence_files_no_report(applicant_for):
    user = applicant_for(PartyFactory())
    client = client_for(user)
    assert client.get(new_url(ReportKind.TRANSACTION)).status_code == 403
    assert (
        "Only a party that holds a licence"
        in client.get(reverse("portal:report_list")).content.decode()
    )


def test_a_user_cannot_file_for_a_licensee_it_does_not_act_for(applicant_for):
    _party, user = licensee_with_user(applicant_for)
    other, _other_user = licensee_with_user(applicant_for)
    response = client_for(user).post(new_url(ReportKind.TRANSACTION), transaction(other))
    assert "licensee" in response.context["form"].errors
    assert not LicenseeReport.objects.exists()


def test_an_unknown_kind_is_not_found(applicant_for):
    _party, user = licensee_with_user(applicant_for)
    assert client_for(user).get(new_url("gossip")).status_code == 404


def test_the_licensee_sees_its_own_reports_and_never_another_partys(applicant_for):
    party, user = licensee_with_user(applicant_for)
    own = LicenseeReportFactory(licensee=party, customer_name="Own Customer AS")
    theirs = LicenseeReportFactory(customer_name="Their Customer AS", accepted=True)
    client = client_for(user)
    page = client.get(reverse("portal:report_list")).content.decode()
    assert "Own Customer AS" in page and own.reference in page
    assert "Their Customer AS" not in page
    url = reverse("portal:report_detail", kwargs={"public_id": theirs.public_id})
    assert client.get(url).status_code == 404
    home = client.get(reverse("portal:home")).content.decode()
    assert reverse("portal:report_list") in home


def test_evidence_is_kept_by_the_purge_and_a_refused_reports_upload_is_not(
    applicant_for, time_machine
):
    """Evidence is a Document row under documents/, so the daily purge of unreferenced uploads
    keeps it; the first file of a report refused at its second file was never a record."""
    party, user = licensee_with_user(applicant_for)
    client = client_for(user)
    client.post(
        new_url(ReportKind.CONTRAVENTION), {**contravention(party), "evidence_files": [pdf()]}
    )
    kept = LicenseeReport.objects.get().evidence.get().file.name
    bad = SimpleUploadedFile("x.exe", b"MZ\x90\x00 not a document")
    client.post(
        new_url(ReportKind.CONTRAVENTION),
        {**contravention(party), "evidence_files": [pdf("first.pdf"), bad]},
    )
    assert LicenseeReport.objects.count() == 1
    time_machine.move_to(timezone.now() + dt.timedelta(days=400), tick=False)
    removed = purge_unreferenced_uploads(older_than=dt.timedelta(days=1))
    assert len(removed) == 1 and removed[0] != kept
    assert (Path(settings.MEDIA_ROOT) / kept).is_file()


@pytest.mark.parametrize("kind", list(ReportKind))
@pytest.mark.parametrize(
    ("language", "title"),
    [
        ("en", "File the report"),
        ("nb", "Send inn meldingen"),
        ("hu", "A jelentés benyújtása"),
    ],
)
def test_each_form_is_shown_in_the_users_language(applicant_for, kind, language, title):
    _party, user = licensee_with_user(applicant_for)
    client = client_for(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get(new_url(kind))
    assert response.status_code == 200
    page = response.content.decode()
    assert title in page
    assert 'enctype="multipart/form-data"' in page and "csrfmiddlewaretoken" in page
