"""Decision letters (Art. 6 for a refusal, Art. 6.3(a) for a suspension or revocation): each
decision prints its letter once, in the addressee's language, through the one document service;
the job is idempotent; registrars reprint with a reason. The pages are in test_letter_pages."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from pathlib import Path
from typing import Any

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext, ngettext

from licensing import tasks
from licensing.exceptions import PermissionDenied, ReasonRequired
from licensing.models import AuditEvent, DecisionGround, IssuedDocument, IssuedDocumentKind, Verb
from licensing.services import applications as app_services
from licensing.services import licences as lic_services
from licensing.services.audit import record_event
from licensing.services.letters import NotADecision, decision_letter_key, issue_letter
from tests.documents.test_issuing import stored_bytes
from tests.documents.test_printing import (
    SECRET_FILE,
    assert_no_leak,
    pdf_text,
)
from tests.factories import (
    ApplicationFactory,
    DecisionProposalFactory,
    IssuedDocumentFactory,
    LicenceFactory,
    PartyFactory,
)

pytestmark = pytest.mark.django_db

REASON = "Art. 6.3(b)(vi): convictions for smuggling were not declared."

# --- the three decisions, through their services ----------------------------------------------


def refuse(party: Any, senior: Any, reason: str = REASON) -> Any:
    application = ApplicationFactory(in_review=True, party=party)
    DecisionProposalFactory(application=application, reason=reason)
    app_services.confirm_refusal(application_id=application.pk, by=senior)
    return application


def suspend(party: Any, officer: Any, reason: str = REASON) -> Any:
    licence = LicenceFactory(holder=party)
    lic_services.suspend_licence(licence_id=licence.pk, by=officer, ground="other", reason=reason)
    return licence


def revoke(party: Any, senior: Any, reason: str = REASON) -> Any:
    licence = LicenceFactory(holder=party)
    DecisionProposalFactory(revoke=True, licence=licence, reason=reason)
    lic_services.confirm_revocation(licence_id=licence.pk, by=senior)
    return licence


# Art. 6.3(a): the ground each decision above is taken on (the proposal factory's, or suspend's).
GROUNDS = {
    "refusal": DecisionGround.CRIMINAL_RECORD,
    "suspension": DecisionGround.OTHER,
    "revocation": DecisionGround.CRIMINAL_RECORD,
}

DECISIONS = {
    "refusal": (refuse, "senior", Verb.REFUSED, IssuedDocumentKind.REFUSAL_LETTER),
    "suspension": (suspend, "officer", Verb.SUSPENDED, IssuedDocumentKind.SUSPENSION_LETTER),
    "revocation": (revoke, "senior", Verb.REVOKED, IssuedDocumentKind.REVOCATION_LETTER),
}


def decide(request: Any, name: str, party: Any, callbacks: Any, reason: str = REASON) -> Any:
    """Take the decision and run what it queued for after the commit (e-mail, letter)."""
    make, who, _verb, _kind = DECISIONS[name]
    with callbacks(execute=True):
        return make(party, request.getfixturevalue(who), reason)


def decision_event(subject: Any, verb: str) -> AuditEvent:
    return AuditEvent.objects.for_object(subject).get(verb=verb)


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def reference_of(subject: Any) -> str:
    return getattr(subject, "reference", None) or subject.number


# --- printed by the decision -----------------------------------------------------------------


@pytest.mark.parametrize("name", DECISIONS)
def test_each_decision_prints_its_letter_once_in_the_name_of_the_deciding_officer(
    request, name, django_capture_on_commit_callbacks
):
    party = PartyFactory(legal_name="Nordlys Tobakk AS")
    subject = decide(request, name, party, django_capture_on_commit_callbacks)
    _make, who, verb, kind = DECISIONS[name]
    event = decision_event(subject, verb)

    letter = IssuedDocument.objects.get()
    assert (letter.kind, letter.event, letter.version, letter.is_reprint) == (kind, event, 1, False)
    assert letter.issued_by == request.getfixturevalue(who)
    assert letter.idempotency_key == decision_letter_key(event.pk)
    data = stored_bytes(letter)
    assert letter.sha256 == hashlib.sha256(data).hexdigest()
    assert (letter.application == subject) is (name == "refusal")
    assert (letter.licence == subject) is (name != "refusal")
    issued = AuditEvent.objects.for_object(subject).get(verb=Verb.DOCUMENT_ISSUED)
    assert issued.changes["document"]["code"] == letter.code

    text = flat(pdf_text(data))
    assert "Nordlys Tobakk AS" in text
    assert f"Ground: {GROUNDS[name].label}" in text
    assert REASON in text
    assert reference_of(subject) in text
    assert (
        "You may appeal this decision to the Administrative Appeals Board within 30 days of "
        "receiving this letter." in text
    )
    assert letter.code in text and f"/verify/document/{letter.code}/" in text
    assert "Article 6.3(a)" in text if name != "refusal" else "Article 6 of the Protocol" in text


def test_a_refused_decision_prints_no_letter(officer, refused, django_capture_on_commit_callbacks):
    licence = LicenceFactory()
    with django_capture_on_commit_callbacks(execute=True), refused(ReasonRequired, licence):
        lic_services.suspend_licence(licence_id=licence.pk, by=officer, ground="other", reason=" ")
    assert not IssuedDocument.objects.exists()


@pytest.mark.parametrize(
    ("name", "language", "legal_name"),
    [
        ("refusal", "hu", "Dohánygyár Győr-Kőbánya Kft."),
        ("suspension", "nb", "Tobakkfabrikken Ærø og Åsgårdstrand AS"),
        ("revocation", "hu", "Fűzfő Trafik Bt."),
        ("refusal", "nb", "Blåbær Røyk AS"),
    ],
)
def test_the_letter_is_in_the_addressees_language(
    request, compiled_messages, name, language, legal_name, django_capture_on_commit_callbacks
):
    party = PartyFactory(legal_name=legal_name, preferred_language=language)
    reason = "Årsak / indok: ő ű ø å"
    subject = decide(request, name, party, django_capture_on_commit_callbacks, reason)
    letter = IssuedDocument.objects.get()
    assert letter.language == language

    text = flat(pdf_text(stored_bytes(letter)))
    assert legal_name in text
    assert reason in text
    assert reference_of(subject) in text
    with translation.override(language):
        appeal = ngettext(
            "You may appeal this decision to %(body)s within %(days)s day of receiving this "
            "letter.",
            "You may appeal this decision to %(body)s within %(days)s days of receiving this "
            "letter.",
            30,
        ) % {"body": gettext("the Administrative Appeals Board"), "days": 30}
        reasons, basis = gettext("Reasons"), gettext("Legal basis")
        ground = f"{gettext('Ground')}: {GROUNDS[name].label}"
        page = gettext("Page %(page)s of %(pages)s") % {"page": 1, "pages": 1}
    assert "Administrative Appeals Board" not in appeal  # a translated phrase, not English
    assert appeal in text
    assert reasons in text and basis in text and page in text and ground in text
    assert "You may appeal" not in text and "Legal basis" not in text


def test_the_appeal_body_and_time_limit_come_from_the_settings(
    request, settings, django_capture_on_commit_callbacks
):
    settings.APPEAL_BODY = {"": "the Tobacco Appeals Tribunal", "nb": "Klagenemnda for tobakk"}
    settings.APPEAL_DAYS = 21
    decide(request, "suspension", PartyFactory(), django_capture_on_commit_callbacks)
    text = flat(pdf_text(stored_bytes(IssuedDocument.objects.get())))
    assert "appeal this decision to the Tobacco Appeals Tribunal within 21 days" in text


def test_the_reason_is_printed_as_text_and_fetches_nothing(
    request, tmp_path: Path, recording_server, django_capture_on_commit_callbacks
):
    base, requests = recording_server
    hostile = (
        f"<img src=file://{SECRET_FILE}> <b>bold</b> "
        f'<link rel="attachment" href="file://{SECRET_FILE}"><img src="{base}/x">'
    )
    decide(request, "refusal", PartyFactory(), django_capture_on_commit_callbacks, hostile)
    pdf = stored_bytes(IssuedDocument.objects.get())
    text = re.sub(r"\s+", "", pdf_text(pdf))
    assert f"<imgsrc=file://{SECRET_FILE}>" in text
    assert "<b>bold</b>" in text
    assert_no_leak(tmp_path, pdf)
    assert requests == []


# --- the job ---------------------------------------------------------------------------------


def test_the_same_message_delivered_twice_prints_one_letter(
    request, officer, django_capture_on_commit_callbacks
):
    licence = LicenceFactory()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        lic_services.suspend_licence(
            licence_id=licence.pk, by=officer, ground="other", reason=REASON
        )
    for callback in callbacks:  # the broker delivers every message once more
        callback()
    event = decision_event(licence, Verb.SUSPENDED)
    again = tasks.print_letter.delay(
        event.pk, officer.pk, "", idempotency_key=decision_letter_key(event.pk)
    ).get()
    assert IssuedDocument.objects.filter(event=event).count() == 1
    assert again == IssuedDocument.objects.get(event=event).pk
    assert AuditEvent.objects.for_object(licence).filter(verb=Verb.DOCUMENT_ISSUED).count() == 1


def test_the_job_logs_a_refusal_and_prints_nothing(officer, officer2, caplog):
    licence = LicenceFactory()
    with transaction.atomic():  # the letter's callback is not run
        lic_services.suspend_licence(
            licence_id=licence.pk, by=officer, ground="other", reason=REASON
        )
    # Queued for an officer who did not decide and may not print.
    event = decision_event(licence, Verb.SUSPENDED)
    assert tasks.print_letter.delay(event.pk, officer2.pk, "").get() is None
    assert not IssuedDocument.objects.exists()
    assert "not printed" in caplog.text


def test_a_letter_is_only_for_a_refusal_suspension_or_revocation(registrar, refused):
    licence = LicenceFactory()
    event = record_event(licence, verb=Verb.REINSTATED, by=registrar)
    with refused(NotADecision):
        issue_letter(event_id=event.pk, by=registrar)


# --- reprints --------------------------------------------------------------------------------


@pytest.fixture
def suspended(request, django_capture_on_commit_callbacks) -> Any:
    licence = decide(request, "suspension", PartyFactory(), django_capture_on_commit_callbacks)
    return licence, decision_event(licence, Verb.SUSPENDED)


def test_a_registrar_reprints_with_a_reason(suspended, registrar):
    licence, event = suspended
    first = IssuedDocument.objects.get(event=event)
    second = issue_letter(event_id=event.pk, by=registrar, reason="Returned by the post")
    assert (second.version, second.is_reprint, second.reprint_reason) == (
        2,
        True,
        "Returned by the post",
    )
    assert second.code != first.code
    assert second.issued_by == registrar
    latest = AuditEvent.objects.for_object(licence).latest("pk")
    assert (latest.verb, latest.reason) == (Verb.DOCUMENT_REPRINTED, "Returned by the post")
    text = flat(pdf_text(stored_bytes(second)))
    assert "Reprint, version 2, of the letter of" in text
    assert REASON in text


def test_a_reprint_needs_a_reason(suspended, registrar, refused):
    _licence, event = suspended
    with refused(ReasonRequired):
        issue_letter(event_id=event.pk, by=registrar, reason="  ")
    assert IssuedDocument.objects.filter(event=event).count() == 1


@pytest.mark.parametrize("who", ["officer", "officer2", "inspector", "auditor"])
def test_only_who_may_print_reprints_even_the_deciding_officer(request, suspended, who, refused):
    _licence, event = suspended
    with refused(PermissionDenied):
        issue_letter(event_id=event.pk, by=request.getfixturevalue(who), reason="Lost")
    assert IssuedDocument.objects.filter(event=event).count() == 1


def test_the_first_letter_is_the_deciding_officers_or_a_printers(officer, officer2, refused):
    licence = LicenceFactory()
    with transaction.atomic():  # the letter's callback is not run: nothing printed yet
        lic_services.suspend_licence(
            licence_id=licence.pk, by=officer, ground="other", reason=REASON
        )
    event = decision_event(licence, Verb.SUSPENDED)
    with refused(PermissionDenied):
        issue_letter(event_id=event.pk, by=officer2)
    assert issue_letter(event_id=event.pk, by=officer).version == 1


def test_each_suspension_has_its_own_letter(officer, django_capture_on_commit_callbacks):
    licence = LicenceFactory()
    with django_capture_on_commit_callbacks(execute=True):
        lic_services.suspend_licence(
            licence_id=licence.pk, by=officer, ground="other", reason="First"
        )
        lic_services.reinstate_licence(licence_id=licence.pk, by=officer)
        lic_services.suspend_licence(
            licence_id=licence.pk, by=officer, ground="other", reason="Second"
        )
    letters = IssuedDocument.objects.filter(licence=licence).order_by("pk")
    assert [(doc.version, doc.is_reprint) for doc in letters] == [(1, False), (1, False)]
    assert "First" in pdf_text(stored_bytes(letters[0]))
    assert "Second" in pdf_text(stored_bytes(letters[1]))


def test_the_subject_of_each_kind_is_enforced_by_the_database(suspended):
    licence, event = suspended
    application = licence.application
    wrong = [
        {"kind": IssuedDocumentKind.REFUSAL_LETTER, "licence": licence, "event": event},
        {
            "kind": IssuedDocumentKind.SUSPENSION_LETTER,
            "licence": None,
            "application": application,
            "event": event,
        },
        {"kind": IssuedDocumentKind.SUSPENSION_LETTER, "licence": licence, "event": None},
        {"kind": IssuedDocumentKind.LICENCE, "licence": licence, "application": application},
        # A second version 1 of the same decision's letter.
        {
            "kind": IssuedDocumentKind.SUSPENSION_LETTER,
            "licence": licence,
            "event": event,
            "version": 1,
        },
    ]
    for fields in wrong:
        with pytest.raises(IntegrityError), transaction.atomic():
            IssuedDocumentFactory(**fields)


def test_the_sweeper_prints_the_letter_whose_message_was_lost(officer, time_machine):
    licence, old = LicenceFactory(), LicenceFactory()
    time_machine.move_to(timezone.now() - dt.timedelta(days=8), tick=False)
    with transaction.atomic():  # long before letters were swept for: left alone
        lic_services.suspend_licence(licence_id=old.pk, by=officer, ground="other", reason="Old")
    time_machine.move_to(timezone.now() + dt.timedelta(days=8), tick=False)
    with transaction.atomic():  # committed, but its job never reached the broker
        lic_services.suspend_licence(
            licence_id=licence.pk, by=officer, ground="other", reason=REASON
        )
    assert tasks.sweep_decision_letters.delay().get() == 0  # it may still be on its way

    time_machine.move_to(timezone.now() + dt.timedelta(minutes=11), tick=False)
    assert tasks.sweep_decision_letters.delay().get() == 1
    letter = IssuedDocument.objects.get()
    assert (letter.licence, letter.issued_by) == (licence, officer)
    assert letter.idempotency_key == decision_letter_key(letter.event_id)
    assert tasks.sweep_decision_letters.delay().get() == 0


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_prints_the_letter_once(celery_worker, officer):
    """Through Redis: the suspension's own job, then the same message once more."""
    licence = LicenceFactory()
    lic_services.suspend_licence(licence_id=licence.pk, by=officer, ground="other", reason=REASON)
    event = decision_event(licence, Verb.SUSPENDED)
    key = decision_letter_key(event.pk)
    # Queued behind the decision's own message, so that one has run when this one answers.
    again = tasks.print_letter.delay(event.pk, officer.pk, "", idempotency_key=key)
    assert again.get(timeout=60) == IssuedDocument.objects.get(event=event).pk
    assert IssuedDocument.objects.filter(licence=licence).count() == 1
    assert REASON in pdf_text(stored_bytes(IssuedDocument.objects.get(event=event)))
