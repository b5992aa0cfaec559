"""Assistance cases (Art. 21, 28): recorded with their authority, due date and subject; states
received -> assigned -> in progress -> answered | declined, each with its allowed and its
refused path and the permission that guards it; the answer read from the register as of the
day asked, issued as a signed document with the purpose limitation of Art. 21.2; personal data
only to an authority allowed them, only on a second officer's confirmation (four eyes)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.utils import timezone

from cooperation.models import AssistanceCase, CaseState, Direction, Disclosure, SubjectKind
from cooperation.models.cases import AnswerNotPrepared
from cooperation.services import answers, cases
from cooperation.services.errors import (
    AnswerChanged,
    AuthorityNotInForce,
    AuthorityRequired,
    DueBeforeReceipt,
    NothingHeld,
    NothingToAnswer,
    NotTheSubject,
    PartyNotOfSubject,
    PersonalDataNotAllowed,
    ReceivedOutOfRange,
    RecordNotVisible,
    ReplyRequired,
    RestrictedRecord,
)
from licensing.exceptions import (
    FourEyesViolation,
    GroundRequired,
    PermissionDenied,
    ReasonRequired,
    TransitionNotAllowed,
)
from licensing.models import AuditEvent, Verb
from licensing.models.issued import IssuedDocumentKind
from licensing.models.versions import RecordSource
from licensing.services.licences import suspend_licence
from licensing.services.versions import write_version
from seizures.models import CaseOrigin, PersonRole, SeizureCase, SeizurePerson
from seizures.services.cases import add_person
from tests.cooperation.helpers import inbound, pdf_text, versioned_licence
from tests.factories import MachineFactory, PartyFactory, UserFactory
from tests.factories.cooperation import CompetentAuthorityFactory
from tests.seizures.helpers import open_case

pytestmark = pytest.mark.django_db


def in_progress(officer: Any, licence: Any, **fields: Any) -> AssistanceCase:
    case = inbound(officer, licence, **fields)
    return cases.start_case(case_id=case.pk, by=officer)


def test_a_request_is_recorded_with_its_reference_and_audited(officer: Any) -> None:
    licence, _ = versioned_licence()
    case = inbound(officer, licence)
    assert case.reference == f"AC-{case.received_on.year}-{case.pk:06d}"
    # The party concerned is the licence's holder, so its page lists the case.
    assert case.party == licence.holder
    assert case.state == CaseState.RECEIVED
    event = AuditEvent.objects.for_object(case).get()
    assert event.verb == Verb.CREATED
    assert event.changes["their_reference"] == "SE-2026-4711"


def test_bad_requests_are_refused_with_their_message(officer: Any, inspector: Any) -> None:
    licence, _ = versioned_licence()
    today = timezone.localdate()
    with pytest.raises(PermissionDenied):  # inspectors do not handle assistance cases
        inbound(inspector, licence)
    with pytest.raises(DueBeforeReceipt):
        inbound(officer, licence, due_on=today - dt.timedelta(days=5))
    withdrawn = CompetentAuthorityFactory(withdrawn_on=today)
    with pytest.raises(AuthorityNotInForce):
        inbound(officer, licence, authority=withdrawn)
    without = AssistanceCase(
        direction=Direction.INBOUND,
        received_on=today,
        due_on=today,
        subject_kind=SubjectKind.LICENCE,
        licence=licence,
        question="?",
    )
    with pytest.raises(AuthorityRequired):
        cases.record_case(case=without, by=officer)
    # Another party beside the licence: its records would leave in the holder's place.
    with pytest.raises(PartyNotOfSubject):
        inbound(officer, licence, party=PartyFactory())
    with pytest.raises(NotTheSubject):
        inbound(officer, licence, machine=MachineFactory())
    with pytest.raises(ReceivedOutOfRange):
        inbound(officer, licence, received_on=today + dt.timedelta(days=1))
    assert not AssistanceCase.objects.exists()


def test_the_articles_of_a_disclosure_are_those_of_the_sections_that_held_records(
    officer: Any,
) -> None:
    licence, _ = versioned_licence()
    case = in_progress(officer, licence)
    # No machine and no seizure of the holder: those sections hold nothing.
    answers.prepare_answer(
        case_id=case.pk, by=officer, sections=["licence", "machines", "seizures"], text=""
    )
    answers.send_answer(case_id=case.pk, by=officer)
    disclosure = Disclosure.objects.get()
    assert disclosure.article == "28, 21.1(a)"
    assert all(not record.startswith(("machine", "seizure")) for record in disclosure.records)


def test_assigning_is_for_senior_officers(officer: Any, officer2: Any, senior: Any) -> None:
    licence, _ = versioned_licence()
    case = inbound(officer, licence)
    with pytest.raises(PermissionDenied):
        cases.assign_case(case_id=case.pk, to=officer2, by=officer)
    case = cases.assign_case(case_id=case.pk, to=officer2, by=senior)
    assert (case.state, case.assigned_to) == (CaseState.ASSIGNED, officer2)
    with pytest.raises(TransitionNotAllowed):  # assigned once; taken up next
        cases.assign_case(case_id=case.pk, to=officer, by=senior)


def test_taking_a_case_up_needs_the_handling_permission(officer: Any, auditor: Any) -> None:
    licence, _ = versioned_licence()
    case = inbound(officer, licence)
    with pytest.raises(PermissionDenied):
        cases.start_case(case_id=case.pk, by=auditor)
    case = cases.start_case(case_id=case.pk, by=officer)
    assert (case.state, case.assigned_to) == (CaseState.IN_PROGRESS, officer)


def test_declining_names_the_ground_and_a_reason_and_ends_the_case(
    officer: Any, auditor: Any
) -> None:
    licence, _ = versioned_licence()
    case = inbound(officer, licence)
    with pytest.raises(GroundRequired):
        cases.decline_case(case_id=case.pk, by=officer, ground="", reason="No justification.")
    with pytest.raises(ReasonRequired):
        cases.decline_case(case_id=case.pk, by=officer, ground="no_justification", reason=" ")
    with pytest.raises(PermissionDenied):
        cases.decline_case(case_id=case.pk, by=auditor, ground="no_justification", reason="x")
    case = cases.decline_case(
        case_id=case.pk, by=officer, ground="no_justification", reason="Art. 21.1: none given."
    )
    assert (case.state, case.decline_ground) == (CaseState.DECLINED, "no_justification")
    with pytest.raises(TransitionNotAllowed):
        answers.prepare_answer(case_id=case.pk, by=officer, sections=["licence"], text="")
    assert not Disclosure.objects.exists()


def test_the_answer_is_read_as_of_the_day_asked_and_sent_by_a_second_officer(
    client: Any, officer: Any, officer2: Any
) -> None:
    licence, director = versioned_licence(since_days=30)
    # After the day asked, the director was replaced: the answer gives the one of that day.
    director.full_name = "Péter Szabó"
    director.version += 1
    director.save()
    write_version(director, when=timezone.now(), source=RecordSource.OFFICER)
    case = in_progress(officer, licence)
    with pytest.raises(AnswerNotPrepared):
        answers.send_answer(case_id=case.pk, by=officer)
    with pytest.raises(NothingToAnswer):
        answers.prepare_answer(case_id=case.pk, by=officer, sections=[], text=" ")
    case = answers.prepare_answer(
        case_id=case.pk,
        by=officer,
        sections=["licence", "party", "persons"],
        text="The licence was active on the day you asked about.",
    )
    assert case.personal_data is True
    # Four eyes (Art. 5): personal data do not leave on the word of the one who prepared.
    with pytest.raises(FourEyesViolation):
        answers.send_answer(case_id=case.pk, by=officer)
    case = answers.send_answer(case_id=case.pk, by=officer2)
    assert case.state == CaseState.ANSWERED
    document = case.answer_document
    assert document.kind == IssuedDocumentKind.ASSISTANCE_ANSWER
    assert document.signature_level  # signed like every issued document
    text = pdf_text(document.file.read())
    assert "used exclusively to meet the objectives of the Protocol (Article 21.2)" in text
    assert licence.number in text
    assert "Ilona Kovács" in text and "Péter Szabó" not in text
    assert "AB1234567" in text
    assert "Disclosure of personal data confirmed by" in text
    disclosure = Disclosure.objects.get()
    assert (disclosure.party, disclosure.authority, disclosure.personal_data) == (
        licence.holder,
        case.authority,
        True,
    )
    assert f"licence {licence.number}" in disclosure.records
    assert "person Ilona Kovács" in disclosure.records
    assert disclosure.document == document
    assert "21.1(a)" in disclosure.article
    # Whoever holds the paper checks it; the public page tells nothing of its content.
    public = client.get(f"/verify/document/{document.code}/").content.decode()
    assert "Authentic and current document" in public
    assert licence.holder.legal_name not in public and "Kovács" not in public


def test_an_answer_without_personal_data_may_be_sent_by_who_prepared_it(officer: Any) -> None:
    licence, _ = versioned_licence()
    case = in_progress(officer, licence)
    answers.prepare_answer(case_id=case.pk, by=officer, sections=["licence"], text="")
    # Suspended since the day asked: the answer gives the state of that day.
    suspend_licence(licence_id=licence.pk, by=officer, ground="other", reason="Unpaid duty.")
    case = answers.send_answer(case_id=case.pk, by=officer)
    assert case.state == CaseState.ANSWERED and case.personal_data is False
    assert "person Ilona Kovács" not in Disclosure.objects.get().records
    assert Disclosure.objects.get().article == "28, 21.1(a)"
    line = next(
        row
        for row in pdf_text(case.answer_document.file.read()).splitlines()
        if licence.number in row
    )
    assert "active" in line and "suspended" not in line


def test_personal_data_are_refused_to_an_authority_not_allowed_them(officer: Any) -> None:
    licence, _ = versioned_licence()
    closed = CompetentAuthorityFactory(country="PL", personal_data_allowed=False)
    case = in_progress(officer, licence, authority=closed)
    with pytest.raises(PersonalDataNotAllowed):
        answers.prepare_answer(case_id=case.pk, by=officer, sections=["persons"], text="")
    # The licence extract of a legal person holds none: it may go.
    answers.prepare_answer(case_id=case.pk, by=officer, sections=["licence"], text="")


def test_the_agreement_withdrawn_after_preparing_stops_the_answer(
    officer: Any, officer2: Any
) -> None:
    licence, _ = versioned_licence()
    case = in_progress(officer, licence)
    answers.prepare_answer(case_id=case.pk, by=officer, sections=["persons"], text="")
    authority = case.authority
    authority.personal_data_allowed = False
    authority.save()
    with pytest.raises(PersonalDataNotAllowed):
        answers.send_answer(case_id=case.pk, by=officer2)
    case.refresh_from_db()
    assert case.state == CaseState.IN_PROGRESS and case.answer_document is None
    assert not Disclosure.objects.exists()


def test_an_officer_cannot_send_records_they_may_not_see(officer: Any) -> None:
    licence, _ = versioned_licence()
    case = in_progress(officer, licence)
    handler = UserFactory(is_staff=True)
    handler.user_permissions.add(
        *Permission.objects.filter(
            codename__in=["handle_assistancecase", "view_assistancecase", "view_licence"]
        )
    )
    with pytest.raises(RecordNotVisible):
        answers.prepare_answer(case_id=case.pk, by=handler, sections=["persons"], text="")
    answers.prepare_answer(case_id=case.pk, by=handler, sections=["licence"], text="")


def test_a_seizure_another_party_forbade_passing_on_is_not_sent(officer: Any, senior: Any) -> None:
    licence, _ = versioned_licence()
    own = open_case(
        senior,
        party_kind="licensed",
        party=licence.holder,
        seized_on=timezone.localdate() - dt.timedelta(days=10),
    )
    SeizureCase.objects.filter(pk=own.pk).update(
        origin=CaseOrigin.PARTNER,
        reporting_country="SE",
        external_reference="TV-1",
        onward_restricted=True,
    )
    case = in_progress(officer, licence)
    with pytest.raises(RestrictedRecord):
        answers.prepare_answer(case_id=case.pk, by=officer, sections=["seizures"], text="")


def test_a_seizure_without_a_party_answers_with_what_it_holds(officer: Any, senior: Any) -> None:
    # A seizure from no party of the register: persons may be asked, but only persons who are
    # there make personal data (and need a second officer); parts that hold nothing send nothing.
    today = timezone.localdate()
    seizure = open_case(senior, seized_on=today - dt.timedelta(days=10))
    case = cases.start_case(
        case_id=inbound(
            officer,
            None,
            subject_kind=SubjectKind.SEIZURE,
            seizure=seizure,
            received_on=today,
        ).pk,
        by=officer,
    )
    assert case.party is None
    assert answers.available_sections(case) == ["persons", "seizures"]
    with pytest.raises(NothingHeld):
        answers.prepare_answer(case_id=case.pk, by=officer, sections=["persons"], text="")
    case = answers.prepare_answer(
        case_id=case.pk, by=officer, sections=["persons", "seizures"], text=""
    )
    assert case.personal_data is False  # nobody involved was recorded
    # Then someone is recorded as involved: the answer now carries personal data, and the
    # one who prepared it without them may not send it.
    add_person(
        case_id=seizure.pk,
        person=SeizurePerson(full_name="Jan Kowalski", role=PersonRole.DRIVER),
        by=senior,
    )
    with pytest.raises(AnswerChanged):
        answers.send_answer(case_id=case.pk, by=officer)
    case = answers.prepare_answer(
        case_id=case.pk, by=officer, sections=["persons", "seizures"], text=""
    )
    assert case.personal_data is True
    answers.send_answer(case_id=case.pk, by=senior)
    disclosure = Disclosure.objects.get()
    assert disclosure.personal_data is True and disclosure.party is None
    assert "person Jan Kowalski" in disclosure.records
    assert disclosure.article == "28, 21.1(b), 21.1(e)"


def test_a_request_sent_records_the_reply(officer: Any, auditor: Any) -> None:
    today = timezone.localdate()
    case = cases.record_case(
        case=AssistanceCase(
            direction=Direction.OUTBOUND,
            authority=CompetentAuthorityFactory(),
            received_on=today,
            subject_kind=SubjectKind.CONSIGNMENT,
            consignment="Container MSKU 1234567, seal 889911",
            question="Was the container loaded in Gothenburg?",
        ),
        by=officer,
    )
    cases.start_case(case_id=case.pk, by=officer)
    with pytest.raises(TransitionNotAllowed):  # nothing of ours leaves on a request we sent
        answers.prepare_answer(case_id=case.pk, by=officer, sections=[], text="x")
    with pytest.raises(ReplyRequired):
        cases.record_reply(case_id=case.pk, by=officer, reply="")
    with pytest.raises(PermissionDenied):  # auditors read cases, they do not work on them
        cases.record_reply(case_id=case.pk, by=auditor, reply="Loaded on 3 November.")
    case = cases.record_reply(case_id=case.pk, by=officer, reply="Loaded on 3 November.")
    assert case.state == CaseState.ANSWERED and case.answer_document is None


def test_a_reply_is_recorded_only_for_a_request_sent(officer: Any) -> None:
    licence, _ = versioned_licence()
    case = in_progress(officer, licence)
    with pytest.raises(PermissionDenied):  # a request received is answered, not replied to
        cases.record_reply(case_id=case.pk, by=officer, reply="Loaded on 3 November.")
    case.refresh_from_db()
    assert case.state == CaseState.IN_PROGRESS
