"""Small checks the transition tests share."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from licensing.models import AuditEvent
from tests.factories import PartyFactory

# Users who are refused officers' work, by the fixture that makes them. "applicant" acts for the
# record's own party; "stranger" acts for another party.
NOT_OFFICERS = ["applicant", "stranger", "inspector", "registrar", "auditor"]


def as_role(request: pytest.FixtureRequest, who: str, party: Any) -> Any:
    """The user named by a fixture, or an applicant acting for ``party`` or for a stranger."""
    if who == "applicant":
        return request.getfixturevalue("applicant_for")(party)
    if who == "stranger":
        return request.getfixturevalue("applicant_for")(PartyFactory())
    return request.getfixturevalue(who)


def only_event(
    obj: Any,
    verb: str,
    *,
    by: Any,
    from_state: str = "",
    to_state: str = "",
    reason: str | None = None,
) -> AuditEvent:
    """The one audit event of ``verb`` on ``obj``, checked for who, from, to and why."""
    events = list(AuditEvent.objects.for_object(obj).filter(verb=verb))
    assert len(events) == 1, f"expected one {verb} event on {obj}, found {len(events)}"
    event = events[0]
    assert event.actor == by
    assert event.actor_label == (by.get_username() if by is not None else "system")
    assert (event.from_state, event.to_state) == (from_state, to_state)
    if reason is not None:
        assert event.reason == reason
    return event


def local(day: dt.date, hour: int = 12) -> dt.datetime:
    """``hour`` o'clock on ``day`` in the authority's time zone (TIME_ZONE), for time-machine."""
    return dt.datetime.combine(day, dt.time(hour), tzinfo=timezone.get_default_timezone())
