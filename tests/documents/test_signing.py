"""Every document the authority issues is signed with its certificate (PAdES; issue 20): the
printed licence (Art. 6), the decision letters (Art. 6, 6.3(a)), the destruction certificate
(Art. 6.3(i), 18) and the inspection report (Art. 6.3(e)) all go through
``issuing.issue_document``, and pyHanko validates each stored file as intact and signed by the
demo authority. A document that cannot be signed is never issued."""

from __future__ import annotations

import hashlib
import io
from typing import Any

import pytest
from asn1crypto import pem, x509
from django.urls import reverse
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from equipment.services import destruction as destruction_svc
from inspections.services import inspections as inspection_svc
from licensing import tasks
from licensing.models import AuditEvent, IssuedDocument, IssuedDocumentKind, Verb
from licensing.models.notifications import Notification
from licensing.services.issuing import issue_licence_document
from licensing.signing.checks import Outcome, check_pdf
from licensing.signing.demo import DEMO_PASSPHRASE
from licensing.signing.signer import SigningFailed
from licensing.signing.system_checks import signing_key_not_the_demo
from tests.documents.test_issuing import stored_bytes
from tests.documents.test_letters import decide, decision_event
from tests.documents.test_printing import pdf_text
from tests.documents.tsa import local_tsa
from tests.equipment.test_destruction import scheduled, witness
from tests.factories import LicenceFactory, MachineFactory, PartyFactory
from tests.factories.inspections import InspectionFactory
from tests.inspections.test_inspections import answer_all

pytestmark = pytest.mark.django_db

DEMO_SIGNER = "Test Licensing Authority document signing (demo)"


def roots(*paths: Any) -> list[x509.Certificate]:
    return [x509.Certificate.load(pem.unarmor(p.read_bytes())[2]) for p in paths]


def validated(data: bytes, trust: list[x509.Certificate]) -> Any:
    context = ValidationContext(trust_roots=trust, allow_fetching=False)
    signature = PdfFileReader(io.BytesIO(data)).embedded_signatures[0]
    return validate_pdf_signature(
        signature, signer_validation_context=context, ts_validation_context=context
    )


# --- the four kinds, each through its own service ---------------------------------------------


def licence_document(request: Any) -> IssuedDocument:
    registrar = request.getfixturevalue("registrar")
    return issue_licence_document(licence_id=LicenceFactory().pk, by=registrar)


def suspension_letter(request: Any) -> IssuedDocument:
    callbacks = request.getfixturevalue("django_capture_on_commit_callbacks")
    licence = decide(request, "suspension", PartyFactory(), callbacks)
    return IssuedDocument.objects.get(event=decision_event(licence, Verb.SUSPENDED))


def destruction_certificate(request: Any) -> IssuedDocument:
    applicant_for, inspector, senior = (
        request.getfixturevalue(name) for name in ("applicant_for", "inspector", "senior")
    )
    machine = MachineFactory(serial_number="PM8-55555")
    order = witness(scheduled(applicant_for, inspector, machine), inspector, ["PM8-55555"])
    order = destruction_svc.countersign_destruction(order_id=order.pk, by=senior)
    return order.certificate


def inspection_report(request: Any) -> IssuedDocument:
    inspector, officer = request.getfixturevalue("inspector"), request.getfixturevalue("officer")
    inspection = InspectionFactory(inspector=inspector)
    inspection = inspection_svc.start_inspection(inspection_id=inspection.pk, by=inspector)
    answer_all(inspection, inspector)
    inspection_svc.submit_inspection(inspection_id=inspection.pk, by=inspector)
    return inspection_svc.review_inspection(inspection_id=inspection.pk, by=officer).report


KINDS = {
    IssuedDocumentKind.LICENCE: licence_document,
    IssuedDocumentKind.SUSPENSION_LETTER: suspension_letter,
    IssuedDocumentKind.DESTRUCTION_CERTIFICATE: destruction_certificate,
    IssuedDocumentKind.INSPECTION_REPORT: inspection_report,
}


@pytest.mark.parametrize("kind", KINDS)
def test_each_kind_is_signed_by_the_authority_and_intact(request, kind, demo_authority):
    document = KINDS[kind](request)
    document.refresh_from_db()
    assert document.kind == kind
    data = stored_bytes(document)
    status = validated(data, roots(demo_authority.root_pem))
    assert (status.intact, status.valid, status.trusted) == (True, True, True)
    assert status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    assert DEMO_SIGNER in status.signing_cert.subject.human_friendly
    # The row says who signed, when and how; the SHA-256 is the signed file's.
    assert document.signature_level == "B-B"
    assert DEMO_SIGNER in document.signed_by
    assert (
        document.signer_certificate_sha256 == hashlib.sha256(status.signing_cert.dump()).hexdigest()
    )
    assert document.signed_at is not None
    assert document.sha256 == hashlib.sha256(data).hexdigest()
    issued = AuditEvent.objects.filter(verb=Verb.DOCUMENT_ISSUED).latest("pk")
    assert issued.changes["document"]["signature"] == "B-B"
    assert issued.changes["document"]["sha256"] == document.sha256


def test_the_stamp_on_page_1_names_the_authority_the_time_and_the_code(registrar):
    document = issue_licence_document(licence_id=LicenceFactory().pk, by=registrar)
    first_page = pdf_text(stored_bytes(document)).split("\f")[0]
    assert "Signed electronically by" in first_page
    assert f"Document code: {document.code}" in first_page
    assert "Time: " in first_page


def test_a_reprint_is_signed_again(registrar, demo_authority):
    licence = LicenceFactory()
    first = issue_licence_document(licence_id=licence.pk, by=registrar)
    second = issue_licence_document(licence_id=licence.pk, by=registrar, reason="Torn copy")
    trust = roots(demo_authority.root_pem)
    for document in (first, second):
        assert validated(stored_bytes(document), trust).bottom_line
    assert second.sha256 != first.sha256
    assert second.signed_at >= first.signed_at


# --- B-T: a timestamp from a timestamp authority ----------------------------------------------


def test_with_a_timestamp_authority_the_signature_is_b_t(
    registrar, settings, tmp_path, demo_authority
):
    # Art. 6: the licence's signing time is the TSA's, not the server's own clock.
    with local_tsa(tmp_path) as tsa:
        settings.DOCUMENT_SIGNING_TSA_URL = tsa.url
        document = issue_licence_document(licence_id=LicenceFactory().pk, by=registrar)
        assert tsa.requests  # the signer asked the TSA over HTTP
    assert document.signature_level == "B-T"
    status = validated(stored_bytes(document), roots(demo_authority.root_pem, tsa.root_pem))
    assert status.bottom_line
    timestamp = status.timestamp_validity
    assert timestamp is not None
    assert (timestamp.intact, timestamp.valid, timestamp.trusted) == (True, True, True)
    # Without the TSA's root the timestamp is not trusted: the roots matter.
    untrusted = validated(stored_bytes(document), roots(demo_authority.root_pem))
    assert untrusted.timestamp_validity is not None
    assert not untrusted.timestamp_validity.trusted
    # The public check reports the TSA's time only when it trusts the TSA.
    assert not check_pdf(stored_bytes(document)).timestamped
    settings.DOCUMENT_SIGNING_TRUST_ROOTS = [str(demo_authority.root_pem), str(tsa.root_pem)]
    check = check_pdf(stored_bytes(document))
    assert (check.outcome, check.timestamped) == (Outcome.AUTHENTIC, True)
    assert check.signed_at == timestamp.timestamp


def test_an_unreachable_timestamp_authority_issues_nothing(registrar, settings, refused):
    settings.DOCUMENT_SIGNING_TSA_URL = "http://127.0.0.1:9/tsa"  # discard: nothing answers
    settings.DOCUMENT_SIGNING_TSA_TIMEOUT = 2
    licence = LicenceFactory()
    with refused(SigningFailed) as info:
        issue_licence_document(licence_id=licence.pk, by=registrar)
    assert "127.0.0.1:9" in info.value.detail
    assert not IssuedDocument.objects.filter(licence=licence).exists()


# --- no key, a wrong passphrase: the job fails and the registrars are told ---------------------


@pytest.mark.parametrize(
    ("setting", "value", "said"),
    [
        ("DOCUMENT_SIGNING_PKCS12", "/nonexistent/authority.p12", "does not exist"),
        ("DOCUMENT_SIGNING_PASSPHRASE", "not the passphrase", "wrong passphrase"),
        ("DOCUMENT_SIGNING_PKCS12", "", "no signing key configured"),
    ],
)
def test_a_print_job_that_cannot_sign_fails_and_alerts_the_registrars(
    registrar, senior, settings, setting, value, said
):
    setattr(settings, setting, value)
    licence = LicenceFactory()
    with pytest.raises(SigningFailed) as info:
        tasks.print_licence.delay(licence.pk, senior.pk)
    assert said in info.value.detail
    assert not IssuedDocument.objects.filter(licence=licence).exists()
    assert not AuditEvent.objects.filter(verb=Verb.DOCUMENT_ISSUED).exists()
    alerts = Notification.objects.filter(template="signing_failed")
    # The registrars, and whoever asked (here a senior officer).
    assert sorted(alerts.values_list("recipient", flat=True)) == sorted(
        [registrar.email, senior.email]
    )
    assert said in alerts.first().context["detail"]
    assert settings.DOCUMENT_SIGNING_PASSPHRASE not in str(alerts.first().context)


def test_a_job_delivered_again_alerts_once(registrar, settings):
    settings.DOCUMENT_SIGNING_PKCS12 = "/nonexistent/authority.p12"
    licence = LicenceFactory()
    for _ in range(2):
        with pytest.raises(SigningFailed):
            tasks.print_licence.apply(
                (licence.pk, registrar.pk), {"idempotency_key": "same-key"}, throw=True
            )
    assert Notification.objects.filter(template="signing_failed").count() == 1


def test_a_decision_letter_that_cannot_be_signed_is_printed_by_the_sweep_later(
    request, officer, settings, django_capture_on_commit_callbacks
):
    settings.DOCUMENT_SIGNING_PKCS12 = "/nonexistent/authority.p12"
    with pytest.raises(SigningFailed):
        decide(request, "suspension", PartyFactory(), django_capture_on_commit_callbacks)
    event = AuditEvent.objects.filter(verb=Verb.SUSPENDED).latest("pk")
    # The decision stands (it committed before the job); its letter waits for a key.
    assert not IssuedDocument.objects.filter(event=event).exists()
    assert Notification.objects.filter(template="signing_failed", recipient=officer.email).exists()
    settings.DOCUMENT_SIGNING_PKCS12 = request.getfixturevalue("demo_authority").pkcs12
    tasks.print_letter.delay(event.pk, officer.pk, idempotency_key=f"decision-letter:{event.pk}")
    letter = IssuedDocument.objects.get(event=event)
    assert letter.signature_level == "B-B"


def test_a_countersignature_that_cannot_sign_its_certificate_is_refused(
    applicant_for, inspector, senior, settings, refused
):
    machine = MachineFactory(serial_number="PM8-66666")
    order = witness(scheduled(applicant_for, inspector, machine), inspector, ["PM8-66666"])
    settings.DOCUMENT_SIGNING_PASSPHRASE = "not the passphrase"
    with refused(SigningFailed, order):
        destruction_svc.countersign_destruction(order_id=order.pk, by=senior)
    assert not IssuedDocument.objects.exists()


def test_the_admin_lists_each_versions_signer_time_and_status(client, registrar):
    licence = LicenceFactory()
    issue_licence_document(licence_id=licence.pk, by=registrar)
    issue_licence_document(licence_id=licence.pk, by=registrar, reason="Torn copy")
    client.force_login(registrar)
    response = client.get(reverse("admin:licensing_licence_change", args=[licence.pk]))
    text = " ".join(response.content.decode().split())
    assert response.status_code == 200
    assert text.count("PAdES B-B (signature)") == 2
    assert "superseded by version 2" in text
    assert ">current<" in text.replace("<p>", "").replace("</p>", "") or "current" in text
    assert DEMO_SIGNER in text


def test_the_deploy_check_refuses_the_demo_key_in_production(settings):
    settings.DEBUG = False
    settings.DOCUMENT_SIGNING_PASSPHRASE = DEMO_PASSPHRASE
    assert [message.id for message in signing_key_not_the_demo()] == ["signing.W001"]
    settings.DOCUMENT_SIGNING_PASSPHRASE = "the authority's own, from the environment"
    assert signing_key_not_the_demo() == []
    settings.DEBUG, settings.DOCUMENT_SIGNING_PASSPHRASE = True, DEMO_PASSPHRASE
    assert signing_key_not_the_demo() == []  # a laptop's demo
