"""A record's audit trail as people read it: its own events, and on an officer's page the events
of the records the apps above the core keep about it (an application's due-diligence review).
Re-exported by ``licensing.selectors``."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Model, Q, QuerySet

from licensing.models import AuditEvent

# Records that the apps above the core keep about a record of the core (an application's
# due-diligence review): their events belong on that record's trail too. The apps register
# ``source(obj, viewer)``, which returns the records of theirs that ``viewer`` may see, so that
# the core imports none of them (DESIGN.md).
TrailSource = Callable[[Any, Any], Iterable[Model]]

_trail_sources: dict[str, list[TrailSource]] = {}


def register_trail_source(label: str, source: TrailSource) -> None:
    """``register_trail_source("licensing.application", source)``: on the trail of every
    application shown to a viewer, also the events of ``source(application, viewer)``."""
    registered = _trail_sources.setdefault(label, [])
    if source not in registered:
        registered.append(source)


def _events_of(obj: Model) -> Q:
    return Q(
        content_type=ContentType.objects.get_for_model(obj, for_concrete_model=False),
        object_id=str(obj.pk),
    )


def audit_trail(obj: Any, *, viewer: Any = None) -> QuerySet[AuditEvent]:
    """The record's events, oldest first. With ``viewer`` (an officer's page), also the events
    of the records that the apps above the core keep about it and the viewer may see
    (``register_trail_source``); without, the record's own only (the applicant's timeline)."""
    events = _events_of(obj)
    if viewer is not None:
        for source in _trail_sources.get(obj._meta.label_lower, []):
            for related in source(obj, viewer):
                events |= _events_of(related)
    return (
        AuditEvent.objects.filter(events)
        .select_related("actor", "content_type")
        .order_by("at", "pk")
    )
