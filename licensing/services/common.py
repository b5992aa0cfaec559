"""The steps every transition service takes, in one place."""

from __future__ import annotations

from typing import Any, TypeVar

from django.db import models, transaction

from licensing.exceptions import GroundRequired, ReasonRequired
from licensing.models.audit import AuditEvent, Verb
from licensing.services.audit import record_event
from licensing.signals import state_changed
from licensing.transitions import ensure_allowed

M = TypeVar("M", bound=models.Model)


def locked(model: type[M], pk: int) -> M:
    """The row, locked until the transaction ends (a no-op on SQLite, which locks the file)."""
    return model._default_manager.select_for_update().get(pk=pk)


def require_reason(reason: str) -> str:
    if not reason or not reason.strip():
        raise ReasonRequired()
    return reason.strip()


def require_ground(ground: str) -> str:
    """Art. 6.3(a): one of ``DecisionGround``'s values, or ``GroundRequired``."""
    from licensing.models.decisions import DecisionGround

    if ground not in DecisionGround.values:
        raise GroundRequired()
    return ground


def run_transition(
    obj: Any,
    name: str,
    *,
    by: Any,
    verb: Verb,
    reason: str = "",
    extra_fields: tuple[str, ...] = (),
    changes: dict[str, Any] | None = None,
    actor: Any = None,
) -> AuditEvent:
    """Check, transition, save and audit. The caller holds the row lock and the transaction.

    ``by=None`` is the system: permission is not asked, conditions still are. ``actor`` is the
    user the audit trail names when ``by`` is None because the permission was checked on
    another record (an officer's approval renews or transfers the licence)."""
    ensure_allowed(obj, name, by)
    from_state = obj.state
    getattr(obj, name)()
    obj.save(update_fields=["state", "updated_at", *extra_fields])
    event = record_event(
        obj,
        verb=verb,
        by=by if by is not None else actor,
        from_state=from_state,
        to_state=obj.state,
        reason=reason,
        changes=changes,
    )
    sender, pk, to_state = type(obj), obj.pk, obj.state
    transaction.on_commit(
        lambda: state_changed.send(
            sender=sender,
            pk=pk,
            transition=name,
            from_state=from_state,
            to_state=to_state,
            event_id=event.pk,
        )
    )
    return event
