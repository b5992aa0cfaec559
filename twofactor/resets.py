"""A lost second factor: a senior officer or a superuser resets another user's factors (every
device deleted; the user enrols again at the next log-in). Resetting someone who may reset
factors (a senior officer, a superuser) needs four eyes: one requests, a second, different
one decides. Nobody resets their own (ASVS V6.4.4, V8.2.x)."""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from licensing.exceptions import (
    DomainError,
    FourEyesViolation,
    PermissionDenied,
    ReasonRequired,
    TransitionNotAllowed,
)
from licensing.models.audit import Verb
from licensing.services.audit import record_event
from twofactor import notifications
from twofactor.models import FactorReset
from twofactor.services import delete_all_devices

log = logging.getLogger("licensing.security")

PERMISSION = "twofactor.reset_second_factor"


class OwnFactor(DomainError):
    default_message = _("Nobody resets their own second factor: ask a senior officer.")


class ResetAlreadyRequested(DomainError):
    default_message = _("A reset of this user's second factor is already waiting for a decision.")


def may_reset(user: Any) -> bool:
    return bool(user.is_active and user.has_perm(PERMISSION))


def needs_four_eyes(target: Any) -> bool:
    """Those who may reset factors themselves are reset only by two of their peers."""
    return bool(target.is_superuser or target.has_perm(PERMISSION))


def _check_actor(*, target: Any, by: Any) -> None:
    if not may_reset(by):
        log.warning("factor reset refused: no permission by=%s target=%s", by.pk, target.pk)
        raise PermissionDenied()
    if by.pk == target.pk:
        log.warning("factor reset refused: own factor by=%s", by.pk)
        raise OwnFactor()


def _reset(*, target: Any, by: Any, reason: str) -> None:
    deleted = delete_all_devices(target)
    event = record_event(
        target, verb=Verb.FACTOR_RESET, by=by, reason=reason, changes={"devices": deleted}
    )
    # ASVS V6.3.7: the user learns of it (a reset they did not ask for is an attack).
    notifications.tell_user(user=target, template=notifications.FACTOR_RESET, event=event)
    log.warning("factor reset: target=%s by=%s devices=%s", target.pk, by.pk, deleted)


@transaction.atomic
def reset_factors(*, target: Any, by: Any, reason: str) -> FactorReset:
    """Senior officers and superusers. For an ordinary account the factors are deleted at
    once; for a senior officer or superuser the reset is requested and waits for a second one."""
    reason = reason.strip()
    if not reason:
        raise ReasonRequired()
    _check_actor(target=target, by=by)
    if needs_four_eyes(target):
        if FactorReset.objects.filter(target=target, state=FactorReset.State.REQUESTED).exists():
            raise ResetAlreadyRequested()
        request = FactorReset.objects.create(target=target, requested_by=by, reason=reason)
        event = record_event(target, verb=Verb.FACTOR_RESET_REQUESTED, by=by, reason=reason)
        notifications.tell_user(
            user=target, template=notifications.FACTOR_RESET_REQUESTED, event=event
        )
        log.warning("factor reset requested: target=%s by=%s", target.pk, by.pk)
        return request
    reset = FactorReset.objects.create(
        target=target,
        requested_by=by,
        reason=reason,
        state=FactorReset.State.APPROVED,
        decided_by=by,
        decided_at=timezone.now(),
    )
    _reset(target=target, by=by, reason=reason)
    return reset


def _pending(reset_id: int, by: Any) -> FactorReset:
    reset = FactorReset.objects.select_for_update().select_related("target").get(pk=reset_id)
    if reset.state != FactorReset.State.REQUESTED:
        raise TransitionNotAllowed()
    _check_actor(target=reset.target, by=by)
    if reset.requested_by_id == by.pk:
        log.warning("factor reset refused: four eyes by=%s reset=%s", by.pk, reset.pk)
        raise FourEyesViolation(_("Another senior officer must decide a reset that you asked for."))
    return reset


@transaction.atomic
def approve_reset(*, reset_id: int, by: Any, note: str = "") -> FactorReset:
    """The second senior officer (not the requester, not the target) approves: factors go."""
    reset = _pending(reset_id, by)
    reset.state = FactorReset.State.APPROVED
    reset.decided_by, reset.decided_at, reset.decision_note = by, timezone.now(), note.strip()
    reset.save(update_fields=["state", "decided_by", "decided_at", "decision_note"])
    _reset(target=reset.target, by=by, reason=reset.reason)
    return reset


@transaction.atomic
def refuse_reset(*, reset_id: int, by: Any, note: str) -> FactorReset:
    """The second senior officer refuses, with a reason; the factors stay."""
    note = note.strip()
    if not note:
        raise ReasonRequired()
    reset = _pending(reset_id, by)
    reset.state = FactorReset.State.REFUSED
    reset.decided_by, reset.decided_at, reset.decision_note = by, timezone.now(), note
    reset.save(update_fields=["state", "decided_by", "decided_at", "decision_note"])
    record_event(reset.target, verb=Verb.FACTOR_RESET_REFUSED, by=by, reason=note)
    log.warning("factor reset refused: target=%s by=%s", reset.target_id, by.pk)
    return reset
