"""Assistance cases (Art. 21, 28): recorded, assigned, taken up, declined with a ground, and for
a request this authority sent, its reply recorded. The answer to a request received is
prepared and sent by ``cooperation.services.answers``. Each step checks, writes and audits in
one transaction; the state changes only through the model's transitions (``run_transition``)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from cooperation.models import AssistanceCase, DeclineGround, Direction, SubjectKind
from cooperation.models.cases import HANDLE
from cooperation.services.errors import (
    AuthorityNotInForce,
    AuthorityRequired,
    DueBeforeReceipt,
    DueDateRequired,
    ReplyRequired,
    SubjectRequired,
)
from licensing.exceptions import GroundRequired, PermissionDenied
from licensing.models.audit import Verb
from licensing.services.audit import record_event
from licensing.services.common import locked, require_reason, run_transition
from licensing.services.numbers import save_with_reference

SUBJECT_FIELD = {
    SubjectKind.LICENCE: "licence_id",
    SubjectKind.PARTY: "party_id",
    SubjectKind.MACHINE: "machine_id",
    SubjectKind.SEIZURE: "seizure_id",
}


def check_case(case: AssistanceCase) -> None:
    """The rules of a case's own fields, with the officer's messages (the database's
    constraints hold the same ones)."""
    if case.authority_id is None:
        raise AuthorityRequired()
    if not case.authority.in_force:
        raise AuthorityNotInForce()
    if case.direction == Direction.INBOUND and case.due_on is None:
        raise DueDateRequired()
    if case.due_on is not None and case.due_on < case.received_on:
        raise DueBeforeReceipt()
    field = SUBJECT_FIELD.get(SubjectKind(case.subject_kind))
    if field is not None and getattr(case, field) is None:
        raise SubjectRequired()
    if case.subject_kind == SubjectKind.CONSIGNMENT and not case.consignment.strip():
        raise SubjectRequired()


def party_concerned(case: AssistanceCase) -> Any:
    """The party of the register the case is about: named, or the holder of the licence or the
    machine, or the party the seizure was made from."""
    if case.party_id is not None:
        return case.party
    if case.licence_id is not None:
        return case.licence.holder  # type: ignore[union-attr]
    if case.machine_id is not None:
        return case.machine.holder  # type: ignore[union-attr]
    if case.seizure_id is not None:
        return case.seizure.party  # type: ignore[union-attr]
    return None


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
