"""Assistance cases (Art. 21, 28): recorded, assigned, taken up, declined with a ground, and for
a request this authority sent, its reply recorded. The answer to a request received is
prepared and sent by ``cooperation.services.answers``. Each step checks, writes and audits in
one transaction; the state changes only through the model's transitions (``run_transition``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from cooperation.models import AssistanceCase, DeclineGround, Direction, SubjectKind
from cooperation.models.cases import HANDLE
from cooperation.services.errors import (
    AsOfOutOfRange,
    AuthorityNotInForce,
    AuthorityRequired,
    DueBeforeReceipt,
    DueDateRequired,
    DueTooLate,
    NotTheSubject,
    PartyNotOfSubject,
    ReceivedOutOfRange,
    ReplyRequired,
    SubjectRequired,
)
from licensing.exceptions import GroundRequired, PermissionDenied
from licensing.models.audit import Verb
from licensing.services.audit import record_event
from licensing.services.common import locked, require_reason, run_transition
from licensing.services.numbers import save_with_reference

# Art. 28 assistance is the Protocol's: no request before it entered into force.
PROTOCOL_IN_FORCE = dt.date(2018, 9, 25)
EARLIEST_AS_OF = dt.date(1950, 1, 1)
SUBJECT_FIELD = {
    SubjectKind.LICENCE: "licence_id",
    SubjectKind.PARTY: "party_id",
    SubjectKind.MACHINE: "machine_id",
    SubjectKind.SEIZURE: "seizure_id",
}


def check_case(case: AssistanceCase, today: dt.date | None = None) -> None:
    """The rules of a case's own fields, with the officer's messages (the database's
    constraints hold some of them)."""
    today = today or timezone.localdate()
    if case.authority_id is None:
        raise AuthorityRequired()
    if not case.authority.in_force:
        raise AuthorityNotInForce()
    if not PROTOCOL_IN_FORCE <= case.received_on <= today:
        raise ReceivedOutOfRange()
    if case.direction == Direction.INBOUND and case.due_on is None:
        raise DueDateRequired()
    if case.due_on is not None:
        if case.due_on < case.received_on:
            raise DueBeforeReceipt()
        if case.due_on > case.received_on + dt.timedelta(days=2 * 366):
            raise DueTooLate()
    if case.as_of is not None and not EARLIEST_AS_OF <= case.as_of <= case.received_on:
        raise AsOfOutOfRange()
    check_subject(case)


def check_subject(case: AssistanceCase) -> None:
    """One record is the subject; a party named beside a licence, a machine or a seizure is
    that record's own party (the answer reads the party named), never another one."""
    kind = SubjectKind(case.subject_kind)
    field = SUBJECT_FIELD.get(kind)
    if field is not None and getattr(case, field) is None:
        raise SubjectRequired()
    if kind == SubjectKind.CONSIGNMENT and not case.consignment.strip():
        raise SubjectRequired()
    for other in ("licence_id", "machine_id", "seizure_id"):
        if other != field and getattr(case, other) is not None:
            raise NotTheSubject(other.removesuffix("_id"))
    if kind in (SubjectKind.LICENCE, SubjectKind.MACHINE, SubjectKind.SEIZURE):
        holder = _holder_of_subject(case)
        if case.party_id is not None and case.party_id != getattr(holder, "pk", None):
            raise PartyNotOfSubject()


def _holder_of_subject(case: AssistanceCase) -> Any:
    if case.licence_id is not None:
        return case.licence.holder  # type: ignore[union-attr]
    if case.machine_id is not None:
        return case.machine.holder  # type: ignore[union-attr]
    if case.seizure_id is not None:
        return case.seizure.party  # type: ignore[union-attr]
    return None


def subject_text(case: AssistanceCase) -> str:
    """What the case is about, in a line: "a licence: TL-2026-000012-K"."""
    record = {
        SubjectKind.LICENCE: case.licence,
        SubjectKind.PARTY: case.party,
        SubjectKind.MACHINE: case.machine,
        SubjectKind.SEIZURE: case.seizure,
    }.get(SubjectKind(case.subject_kind))
    described = str(record) if record is not None else case.consignment
    return f"{case.get_subject_kind_display()}: {described}"


def party_concerned(case: AssistanceCase) -> Any:
    """The party of the register the case is about: the holder of the licence or the machine,
    the party the seizure was made from, or the party named (a party, a consignment)."""
    if case.licence_id is not None or case.machine_id is not None or case.seizure_id is not None:
        return _holder_of_subject(case)
    return case.party if case.party_id is not None else None


@transaction.atomic
def record_case(*, case: AssistanceCase, by: Any) -> AssistanceCase:
    """Officers with ``handle_assistancecase``: a request received, a request sent, or a
    disclosure on the authority's own initiative."""
    if not by.has_perm(HANDLE):
        raise PermissionDenied()
    check_case(case)
    party = party_concerned(case)
    case.party_id = party.pk if party is not None else None
    case.recorded_by = by
    save_with_reference(case, prefix="AC", year=case.received_on.year)
    record_event(
        case,
        verb=Verb.CREATED,
        by=by,
        changes={
            "direction": case.direction,
            "authority": str(case.authority),
            "their_reference": case.their_reference,
            "subject": case.subject_kind,
            "due_on": case.due_on.isoformat() if case.due_on else None,
        },
    )
    return case


@transaction.atomic
def assign_case(*, case_id: int, to: Any, by: Any) -> AssistanceCase:
    """Senior officers (``assign_assistancecase``) give the case to an officer who handles
    assistance cases."""
    case = locked(AssistanceCase, case_id)
    if to is None or not to.is_active or not to.has_perm(HANDLE):
        raise PermissionDenied()
    case.assigned_to = to
    run_transition(
        case,
        "assign",
        by=by,
        verb=Verb.ASSIGNED,
        extra_fields=("assigned_to",),
        changes={"assigned_to": to.get_username()},
    )
    return case


@transaction.atomic
def start_case(*, case_id: int, by: Any) -> AssistanceCase:
    """The officer takes the case up; unassigned, it becomes theirs."""
    case = locked(AssistanceCase, case_id)
    if case.assigned_to_id is None:
        case.assigned_to = by
    run_transition(case, "start", by=by, verb=Verb.REVIEW_STARTED, extra_fields=("assigned_to",))
    return case


@transaction.atomic
def decline_case(*, case_id: int, by: Any, ground: str, reason: str) -> AssistanceCase:
    """Declined with its ground (``DeclineGround``) and the officer's reasons; nothing is
    sent, and no record is disclosed."""
    case = locked(AssistanceCase, case_id)
    if ground not in DeclineGround.values:
        raise GroundRequired()
    reason = require_reason(reason)
    case.decline_ground = ground
    run_transition(
        case,
        "decline",
        by=by,
        verb=Verb.DECLINED,
        reason=reason,
        extra_fields=("decline_ground",),
        changes={"ground": ground},
    )
    return case


@transaction.atomic
def record_reply(*, case_id: int, by: Any, reply: str) -> AssistanceCase:
    """A request this authority sent: the other authority's reply arrived."""
    case = locked(AssistanceCase, case_id)
    if case.direction != Direction.OUTBOUND:
        raise PermissionDenied()
    if not reply.strip():
        raise ReplyRequired()
    case.answer_text = reply.strip()
    case.answered_by = by
    case.answered_at = timezone.now()
    run_transition(
        case,
        "answer",
        by=by,
        verb=Verb.ANSWERED,
        extra_fields=("answer_text", "answered_by", "answered_at"),
    )
    return case
