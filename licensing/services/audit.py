"""Writing the audit trail. Every transition and every edit calls ``record_event`` inside the
transaction that makes the change, so the event and the change commit together or not at all.
Once they have, the event is appended to the hash chain (licensing/audit_chain.py)."""

from __future__ import annotations

import contextvars
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models

from licensing.audit_chain import link_after_commit
from licensing.models.audit import AuditEvent, Verb

request_ip: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_ip", default=None)

SYSTEM = "system"


def record_event(
    obj: models.Model,
    *,
    verb: Verb,
    by: Any,
    from_state: str = "",
    to_state: str = "",
    reason: str = "",
    changes: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event. ``by=None`` means the system (a scheduled job). ASVS V16.4.2: the
    event's digest is computed on insert, its link in the chain after the commit."""
    event = AuditEvent.objects.create(
        actor=by,
        actor_label=by.get_username() if by is not None else SYSTEM,
        content_type=ContentType.objects.get_for_model(obj, for_concrete_model=False),
        object_id=str(obj.pk),
        object_repr=str(obj)[:200],
        verb=verb,
        from_state=from_state,
        to_state=to_state,
        reason=reason,
        ip=request_ip.get(),
        changes=changes or {},
    )
    link_after_commit(event)
    return event


def record_edit(
    obj: models.Model, *, by: Any, changed: dict[str, Any], verb: Verb = Verb.EDITED
) -> AuditEvent | None:
    """An edit outside a transition (admin form, inline). Nothing changed, nothing written."""
    if not changed:
        return None
    return record_event(obj, verb=verb, by=by, changes=changed)
