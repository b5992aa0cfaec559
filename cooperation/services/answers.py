"""The answer to another Party's authority (Art. 21, 28), assembled from the register as it
stood on the day asked (``licensing.as_of``), issued as one signed document through the
project's document path (``licensing.services.issuing``) with the purpose limitation of
Art. 21.2 printed on it, and written to the register of disclosures.

Two steps: an officer *prepares* the answer (what it holds, the covering text); it is *sent*
by the same officer, or, when it holds personal data, only by a second one (four eyes, Art. 5:
``AssistanceCase.user_blockers``). Both steps refuse personal data to an authority whose
agreements do not allow them (Art. 5, 22.2), a record the officer may not see, and a seizure
record another Party gave on condition that it is not passed on (Art. 21.2)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from cooperation.models import PERSONAL_SECTIONS, AssistanceCase, CaseState, Direction, Section
from cooperation.models.cases import HANDLE, AnswerNotPrepared
from cooperation.services import disclosures
from cooperation.services.cases import check_case
from cooperation.services.errors import (
    AnswerChanged,
    NothingHeld,
    NothingToAnswer,
    PersonalDataNotAllowed,
    RecordNotVisible,
    RestrictedRecord,
    SectionNotAvailable,
)
from duediligence.return_facts import licence_facts
from equipment.models import Machine
from licensing.as_of import PartyAsOf, party_as_of
from licensing.exceptions import PermissionDenied, TransitionNotAllowed
from licensing.models.audit import Verb
from licensing.models.issued import IssuedDocument, IssuedDocumentKind
from licensing.models.licences import Licence, LicenceState
from licensing.models.parties import PartyKind
from licensing.services.audit import record_event
from licensing.services.common import locked, run_transition
from licensing.services.issuing import issue_document
from licensing.services.printing import document_verification_url, render_pdf
from seizures.models import CaseOrigin, SeizureCase

TEMPLATE = "documents/assistance_answer.html"

# What an officer must be allowed to read to send each part of an answer.
SECTION_PERMISSIONS: dict[str, tuple[str, ...]] = {
    Section.LICENCE: ("licensing.view_licence",),
    Section.PARTY: ("licensing.view_party",),
    Section.PERSONS: ("licensing.view_person", "seizures.view_seizureperson"),
    Section.MACHINES: ("equipment.view_machine",),
    Section.SEIZURES: ("seizures.view_seizurecase",),
}


def end_of_day(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min))


def available_sections(case: AssistanceCase) -> list[str]:
    """What the case's subject lets an answer hold."""
    found: list[str] = []
    if case.party_id is not None:
        found += [Section.LICENCE, Section.PARTY, Section.PERSONS, Section.MACHINES]
    elif case.machine_id is not None:
        found.append(Section.MACHINES)
    if case.party_id is not None or case.seizure_id is not None:
        found.append(Section.SEIZURES)
        if Section.PERSONS not in found:
            found.append(Section.PERSONS)
    return [s for s in Section.values if s in found]


def holds_personal_data(case: AssistanceCase, sections: list[str]) -> bool:
    """Persons in roles, or a party that is itself a natural person (Art. 5)."""
    if PERSONAL_SECTIONS.intersection(sections):
        return True
    natural = case.party_id is not None and case.party.kind == PartyKind.NATURAL  # type: ignore[union-attr]
    return natural and bool({Section.PARTY, Section.LICENCE}.intersection(sections))


@dataclass
class Answer:
    """What the document prints, read as of ``when``."""

    case: AssistanceCase
    when: dt.datetime
    sections: list[str]
    party: PartyAsOf | None = None
    # Each licence with its state on the day (the label, translated when printed).
    licences: list[tuple[Licence, Any]] = field(default_factory=list)
    machines: list[Machine] = field(default_factory=list)
    seizures: list[SeizureCase] = field(default_factory=list)

    @property
    def persons(self) -> list[Any]:
        return self.party.persons if self.party is not None else []

    @property
    def seizure_persons(self) -> list[Any]:
        """The persons involved in the seizures, printed with them when persons are asked."""
        if Section.PERSONS not in self.sections:
            return []
        return [person for seizure in self.seizures for person in seizure.persons.all()]

    @property
    def personal_data(self) -> bool:
        return holds_personal_data(self.case, self.sections_held())

    def sections_held(self) -> list[str]:
        """The sections that held records: what the register of disclosures names articles
        for."""
        held: dict[str, bool] = {
            Section.PARTY: self.party is not None,
            Section.LICENCE: bool(self.licences),
            Section.PERSONS: bool(self.persons) or bool(self.seizure_persons),
            Section.MACHINES: bool(self.machines),
            Section.SEIZURES: bool(self.seizures),
        }
        return [s for s in self.sections if held.get(s)]

    def records(self) -> list[str]:
        """What left, for the register of disclosures."""
        labels: list[str] = []
        if Section.PARTY in self.sections and self.party is not None:
            labels.append(f"party {self.party.party.legal_name}")
        labels += [f"licence {licence.number}" for licence, _ in self.licences]
        if Section.PERSONS in self.sections:
            labels += [f"person {person.full_name}" for person in self.persons]
        labels += [f"machine {machine.identifier}" for machine in self.machines]
        labels += [f"seizure {case.reference}" for case in self.seizures]
        labels += [f"person {person.full_name}" for person in self.seizure_persons]
        return labels


def assemble(case: AssistanceCase, sections: list[str]) -> Answer:
    """Read the register as of the day asked (the end of that day)."""
    when = end_of_day(case.reads_as_of)
    answer = Answer(case=case, when=when, sections=sections)
    if case.party_id is not None and {Section.PARTY, Section.PERSONS, Section.LICENCE} & set(
        sections
    ):
        answer.party = party_as_of(case.party_id, when)
    if Section.LICENCE in sections and case.party_id is not None:
        chosen = Licence.objects.filter(holder_id=case.party_id, issued_at__lt=when)
        if case.licence_id is not None:
            chosen = chosen.filter(pk=case.licence_id)
        licences = list(chosen.order_by("valid_from", "number"))
        # Each licence's state on the day, from its audit trail (duediligence's reading).
        facts = {f.pk: f for f in licence_facts({case.party_id}).get(case.party_id, [])}
        labels = dict(LicenceState.choices)
        for licence in licences:
            state = facts[licence.pk].state_on(case.reads_as_of)
            answer.licences.append((licence, labels.get(state, state)))
    if Section.MACHINES in sections:
        machines = Machine.objects.filter(created_at__lt=when)
        if case.machine_id is not None:
            machines = machines.filter(pk=case.machine_id)
        else:
            machines = machines.filter(holder_id=case.party_id)
        answer.machines = list(machines.order_by("identifier"))
    if Section.SEIZURES in sections:
        seizures = SeizureCase.objects.filter(seized_on__lte=case.reads_as_of)
        if case.seizure_id is not None:
            seizures = seizures.filter(pk=case.seizure_id)
        else:
            seizures = seizures.filter(party_id=case.party_id)
        answer.seizures = list(seizures.prefetch_related("items", "persons").order_by("seized_on"))
    return answer


def check_answer(case: AssistanceCase, sections: list[str], by: Any) -> Answer:
    """Refuse what may not leave, or not by this officer; the answer as it would leave. Only
    what the sections hold counts: persons asked for where there are none are no personal
    data."""
    if set(sections) - set(available_sections(case)):
        raise SectionNotAvailable()
    for section in sections:
        if not all(by.has_perm(codename) for codename in SECTION_PERMISSIONS[section]):
            raise RecordNotVisible()
    answer = assemble(case, sections)
    if answer.personal_data and not case.authority.personal_data_allowed:
        raise PersonalDataNotAllowed()
    if any(s.origin == CaseOrigin.PARTNER and s.onward_restricted for s in answer.seizures):
        raise RestrictedRecord()
    return answer


@transaction.atomic
def prepare_answer(*, case_id: int, by: Any, sections: list[str], text: str) -> AssistanceCase:
    """Officers with ``handle_assistancecase``, on a case in progress. Preparing again replaces
    what was prepared, and makes this officer its preparer."""
    case = locked(AssistanceCase, case_id)
    if case.state != CaseState.IN_PROGRESS or case.direction == Direction.OUTBOUND:
        raise TransitionNotAllowed()
    if not by.has_perm(HANDLE):
        raise PermissionDenied()
    check_case(case)
    sections = [s for s in Section.values if s in set(sections)]
    if not sections and not text.strip():
        raise NothingToAnswer()
    answer = check_answer(case, sections, by)
    if not answer.records() and not text.strip():
        raise NothingHeld()
    case.personal_data = answer.personal_data
    case.sections = sections
    case.answer_text = text.strip()
    case.prepared_by = by
    case.prepared_at = timezone.now()
    case.save(
        update_fields=[
            "sections",
            "answer_text",
            "personal_data",
            "prepared_by",
            "prepared_at",
            "updated_at",
        ]
    )
    record_event(
        case,
        verb=Verb.ANSWER_PREPARED,
        by=by,
        changes={"sections": sections, "personal_data": case.personal_data},
    )
    return case


def answer_language() -> str:
    return str(getattr(settings, "ASSISTANCE_ANSWER_LANGUAGE", "en"))


def answer_pdf(*, answer: Answer, code: str, confirmed_by: Any, language: str) -> bytes:
    case = answer.case
    return render_pdf(
        template=TEMPLATE,
        context={
            "authority": settings.AUTHORITY_NAME,
            "case": case,
            "recipient": case.authority,
            "answer": answer,
            "as_of": case.reads_as_of,
            "answered_on": timezone.localdate(),
            "prepared_by": case.prepared_by,
            "confirmed_by": confirmed_by if case.personal_data else None,
            "document_code": code,
            "document_version": 1,
            "verification_url": document_verification_url(code),
        },
        language=language,
    )


@transaction.atomic
def send_answer(*, case_id: int, by: Any) -> AssistanceCase:
    """Issue the prepared answer: the document, signed, belongs to the answer's audit event;
    each party concerned gets its row in the register of disclosures. A failure anywhere
    (signing included) sends nothing and leaves the case in progress."""
    case = locked(AssistanceCase, case_id)
    if case.direction == Direction.OUTBOUND:
        raise TransitionNotAllowed()
    check_case(case)
    if case.prepared_at is None:
        raise AnswerNotPrepared()
    # Checked again for the sender: the authority's agreements or the records may have changed
    # since, and the second officer must be allowed to see what they confirm.
    answer = check_answer(case, list(case.sections), by)
    if answer.personal_data and not case.personal_data:
        raise AnswerChanged()  # it would leave without the second officer it now needs
    case.answered_by = by
    case.answered_at = timezone.now()
    event = run_transition(
        case,
        "answer",
        by=by,
        verb=Verb.ANSWERED,
        extra_fields=("answered_by", "answered_at"),
        changes={"personal_data": case.personal_data, "sections": list(case.sections)},
    )
    language = answer_language()
    document = issue_document(
        IssuedDocument(
            kind=IssuedDocumentKind.ASSISTANCE_ANSWER,
            event=event,
            version=1,
            language=language,
            issued_by=by,
        ),
        lambda code: answer_pdf(answer=answer, code=code, confirmed_by=by, language=language),
        subject=case,
        by=by,
        changes={"kind": IssuedDocumentKind.ASSISTANCE_ANSWER},
    )
    case.answer_document = document
    case.save(update_fields=["answer_document", "updated_at"])
    disclosures.record_case_answer(
        case=case, answer_records=answer.records(), sections=answer.sections_held(), by=by
    )
    return case
