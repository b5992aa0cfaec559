"""The API's reads. Each is a bounded number of queries whatever the size of the register
(tests/api/test_query_counts.py)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Prefetch, QuerySet

from licensing.models import Licence, Site
from licensing.models.audit import AuditChainLink, AuditEvent, Verb
from licensing.verify.reads import normalised_number

# What changes a licence, as a partner sees it: its issue, its terms and its state. Reads,
# documents printed and proposals not yet decided are not changes.
CHANGE_VERBS = (
    Verb.CREATED,
    Verb.ISSUED,
    Verb.IMPORTED,
    Verb.RENEWED,
    Verb.TRANSFERRED,
    Verb.CHANGE_APPLIED,
    Verb.RECORDS_APPROVED,
    Verb.CONDITION_MET,
    Verb.SUSPENDED,
    Verb.REINSTATED,
    Verb.REVOKED,
    Verb.EXPIRED,
    Verb.SURRENDERED,
)


def licence_by_number(number: str) -> Licence | None:
    """The licence with its holder and its approved sites (``Site.objects``), three queries."""
    return (
        Licence.objects.select_related("holder", "predecessor")
        .prefetch_related(Prefetch("sites", queryset=Site.objects.order_by("pk")))
        .filter(number=normalised_number(number))
        .first()
    )


def _licence_events() -> QuerySet[AuditEvent]:
    return AuditEvent.objects.filter(
        content_type=ContentType.objects.get_for_model(Licence), verb__in=CHANGE_VERBS
    )


def licence_history(licence: Licence) -> list[AuditEvent]:
    return list(
        _licence_events()
        .filter(object_id=str(licence.pk))
        .only("at", "verb", "from_state", "to_state")
        .order_by("at", "pk")
    )


def licence_changes(
    *, cursor: int | None, since: dt.datetime | None, limit: int
) -> tuple[list[dict[str, Any]], int, bool]:
    """The change feed, in the order of the audit chain (licensing/audit_chain.py): an event is
    given its position only after its transaction committed, under one lock, always above every
    position given before. A reader's cursor (the last position it read) therefore never passes
    an event that commits later, which an order by time or by id would: a transaction that
    began earlier can commit after a later one. Returns the changes, the next cursor and
    whether there are more. Three queries."""
    licence_type = ContentType.objects.get_for_model(Licence)
    links = AuditChainLink.objects.filter(
        event__content_type=licence_type, event__verb__in=CHANGE_VERBS
    )
    if cursor is not None:
        links = links.filter(position__gt=cursor)
    elif since is not None:
        links = links.filter(event__at__gte=since)
    rows = list(
        links.order_by("position").values(
            "position",
            "event__at",
            "event__object_id",
            "event__verb",
            "event__from_state",
            "event__to_state",
        )[: limit + 1]
    )
    more = len(rows) > limit
    rows = rows[:limit]
    licences = {
        str(pk): (number, state, holder_id)
        for pk, number, state, holder_id in Licence.objects.filter(
            pk__in={int(row["event__object_id"]) for row in rows}
        ).values_list("pk", "number", "state", "holder_id")
    }
    changes = [
        {
            "position": row["position"],
            "at": row["event__at"],
            "number": licences[row["event__object_id"]][0],
            "event": row["event__verb"],
            "from_state": row["event__from_state"],
            "to_state": row["event__to_state"],
            "state": licences[row["event__object_id"]][1],
            # Not in the answer: for the register of disclosures (Art. 22.2).
            "holder_id": licences[row["event__object_id"]][2],
        }
        for row in rows
        if row["event__object_id"] in licences
    ]
    if rows:
        next_cursor = rows[-1]["position"]
    elif cursor is not None:
        next_cursor = cursor
    else:
        # Nothing since that moment: follow on from the chain's head.
        head = AuditChainLink.objects.order_by("-position").values_list("position", flat=True)
        next_cursor = head.first() or 0
    return changes, next_cursor, more
