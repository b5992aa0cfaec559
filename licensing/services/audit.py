"""Writing the audit trail. Every transition and every edit calls ``record_event`` inside the
transaction that makes the change, so the event and the change commit together or not at all.
Once they have, the event is appended to the hash chain (licensing/audit_chain.py)."""

from __future__ import annotations

import contextvars
import datetime as dt
from collections.abc import Callable, Iterator, Sequence
from json.encoder import encode_basestring
from typing import Any, NamedTuple

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone

from licensing.audit_chain import link_after_commit, link_range_after_commit
from licensing.audit_hashing import (
    canonical_json,
    chain_key,
    event_content,
    event_digest,
    json_safe,
    mac,
)
from licensing.exchange.copying import insert_rows
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


class _NewEvent(NamedTuple):
    """One event of ``record_events``: what ``event_digest`` reads, without a model instance."""

    at: dt.datetime
    actor_id: int | None
    actor_label: str
    content_type_id: int
    object_id: str
    object_repr: str
    verb: str
    from_state: str
    to_state: str
    reason: str
    ip: str | None
    changes: Any


EVENT_COLUMNS = (*_NewEvent._fields, "digest")
# What differs between the events of one ``record_events`` call.
VARYING = ("object_id", "object_repr", "to_state", "changes")


def _digester(sample: _NewEvent, key: bytes) -> Callable[[_NewEvent], str]:
    """``event_digest`` for events that differ from ``sample`` only in ``VARYING``: the
    canonical content is computed once with a mark in place of each of those values, and each
    event's own values, encoded as ``canonical_json`` encodes them, are put in at the marks.
    Checked against ``event_digest`` on the sample; if they ever differ, ``event_digest``."""
    marks = {name: f"\x00{name}\x00" for name in VARYING}
    template = event_content(
        sample._replace(
            object_id=marks["object_id"],
            object_repr=marks["object_repr"],
            to_state=marks["to_state"],
            changes=marks["changes"],
        )
    )
    places = sorted((template.find(canonical_json(mark)), name) for name, mark in marks.items())
    pieces, start = [], 0
    for place, name in places:
        if place < 0 or template.count(canonical_json(marks[name])) != 1:
            return lambda event: event_digest(event, key)
        pieces.append(template[start:place])
        start = place + len(canonical_json(marks[name]))
    tail = template[start:]
    order = [name for _place, name in places]

    def digest(event: _NewEvent) -> str:
        values = {
            "object_id": encode_basestring(str(event.object_id)),
            "object_repr": encode_basestring(event.object_repr),
            "to_state": encode_basestring(event.to_state),
            "changes": canonical_json(event.changes),
        }
        parts = [piece + values[name] for piece, name in zip(pieces, order, strict=True)]
        return mac(key, "".join(parts) + tail)

    if digest(sample) != event_digest(sample, key):
        return lambda event: event_digest(event, key)
    return digest


def record_events(
    objs: Sequence[models.Model],
    *,
    verb: Verb,
    by: Any,
    changes: Sequence[dict[str, Any]] | None = None,
    to_states: Sequence[str] | None = None,
) -> int:
    """``record_event`` for many records of one model at once (a register import): one event
    each, ``changes[i]`` and ``to_states[i]`` for ``objs[i]``, the digests computed as
    ``AuditEvent.save`` computes them, inserted together (``licensing.exchange.copying``).
    After the commit they are linked into the chain in batches (``link_range_after_commit``).
    Returns how many."""
    if not objs:
        return 0
    key = chain_key()
    content_type = ContentType.objects.get_for_model(objs[0], for_concrete_model=False)
    actor_id = by.pk if by is not None else None
    actor_label = by.get_username() if by is not None else SYSTEM
    ip = request_ip.get()
    at = timezone.now()

    digest: Callable[[_NewEvent], str] | None = None

    def rows() -> Iterator[tuple[Any, ...]]:
        # Made as they are stored: each event's digest while the database writes the last.
        nonlocal digest
        for index, obj in enumerate(objs):
            event = _NewEvent(
                at=at,
                actor_id=actor_id,
                actor_label=actor_label,
                content_type_id=content_type.pk,
                object_id=str(obj.pk),
                object_repr=str(obj)[:200],
                verb=str(verb),
                from_state="",
                to_state=to_states[index] if to_states is not None else "",
                reason="",
                ip=ip,
                changes=json_safe(changes[index]) if changes is not None else {},
            )
            if digest is None:
                digest = _digester(event, key)
            yield (*event, digest(event))

    ids = insert_rows(AuditEvent, EVENT_COLUMNS, rows(), ids=True, count=len(objs))
    link_range_after_commit(ids[0])
    return len(ids)
