"""Licence changes to partners' endpoints (Art. 21.1(a)). Run by the workers only, after the
change committed: nothing here can slow or fail the officer's transition.

- ``fan_out``: one ``Delivery`` per subscription that should hear of a licence event, at most
  one per pair (a unique constraint), however often it runs.
- ``deliver``: one signed POST of one delivery; a 2xx answer delivers it, anything else (a 500,
  a timeout, a refused connection) sets the next attempt with exponential backoff, and after
  ``API_DELIVERY_MAX_ATTEMPTS`` it has failed.
- ``due_delivery_ids`` and ``unfanned_event_ids``: what the periodic sweep takes up when a
  broker message was lost."""

from __future__ import annotations

import datetime as dt
import json
import logging
import uuid
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Exists, Min, OuterRef
from django.utils import timezone

from api.endpoints import EndpointRefused, post
from api.models import Delivery, DeliveryState, Subscription, SubscriptionState
from api.scopes import SUBSCRIPTIONS
from api.signing import sign
from licensing.models import AuditEvent, Licence, Verb

logger = logging.getLogger(__name__)

MESSAGE_TYPE = "licence.state_changed"
# The licence's audit verbs that are status changes, and the transition each one names.
TRANSITIONS = {
    Verb.ISSUED: "issue",
    Verb.SUSPENDED: "suspend",
    Verb.REINSTATED: "reinstate",
    Verb.REVOKED: "revoke",
    Verb.EXPIRED: "expire",
    Verb.RENEWED: "renew",
    Verb.TRANSFERRED: "transfer",
    Verb.SURRENDERED: "surrender",
}
# A retry further away than this waits in the database for the sweep, not in the broker
# (an ETA beyond the broker's visibility timeout would be delivered twice).
ENQUEUE_WITHIN_SECONDS = 300


@dataclass(frozen=True)
class Outcome:
    state: str  # the delivery's state after the call, or "busy" / "not_due"
    retry_in: int | None = None  # seconds until the next attempt, when one is due


def _licence_type() -> ContentType:
    return ContentType.objects.get_for_model(Licence)


def message(*, message_id: str, event: AuditEvent, licence: Licence) -> dict[str, Any]:
    """The JSON a partner receives (docs/api.md). ``state`` is the licence's state when the
    message was made, ``to_state`` the state the change led to (the same, unless the licence
    changed again meanwhile: the later change has its own message)."""
    return {
        "type": MESSAGE_TYPE,
        "id": message_id,
        "occurred_at": event.at.isoformat(),
        "licence": {
            "number": licence.number,
            "state": licence.state,
            "from_state": event.from_state or None,
            "to_state": event.to_state or licence.state,
            "transition": TRANSITIONS[Verb(event.verb)],
        },
        "links": {"licence": f"/api/v1/licences/{licence.number}/"},
    }


def body_of(delivery: Delivery) -> bytes:
    """The exact bytes that are signed and sent (the same on every attempt)."""
    return json.dumps(delivery.payload, separators=(",", ":"), sort_keys=True).encode()


def listening_subscriptions(at: dt.datetime) -> list[Subscription]:
    """Active subscriptions made by ``at`` whose partner may use the API now and holds the
    scope (a JSON list: checked here, not in SQL, which SQLite could not)."""
    candidates = Subscription.objects.filter(
        state=SubscriptionState.ACTIVE,
        created_at__lte=at,
        client__revoked_at__isnull=True,
        client__expires_on__gte=timezone.localdate(),
    ).select_related("client")
    return [s for s in candidates if s.client.holds(SUBSCRIPTIONS)]


def fan_out(*, event_id: int) -> list[int]:
    """The deliveries of a licence event, made once: returns the ids this call created (to
    send now); a second call finds them made and returns nothing."""
    event = AuditEvent.objects.filter(pk=event_id, content_type=_licence_type()).first()
    if event is None or event.verb not in TRANSITIONS:
        return []
    licence = Licence.objects.filter(pk=int(event.object_id)).first()
    if licence is None:
        return []
    existing = set(Delivery.objects.filter(event=event).values_list("subscription_id", flat=True))
    missing = [s for s in listening_subscriptions(event.at) if s.pk not in existing]
    if not missing:
        return []
    now = timezone.now()
    rows = []
    for subscription in missing:
        message_id = uuid.uuid4()
        rows.append(
            Delivery(
                subscription=subscription,
                event=event,
                message_id=message_id,
                payload=message(message_id=f"msg_{message_id.hex}", event=event, licence=licence),
                next_attempt_at=now,
            )
        )
    # A second fan-out racing this one: the constraint keeps one row per pair.
    Delivery.objects.bulk_create(rows, ignore_conflicts=True)
    return list(
        Delivery.objects.filter(
            event=event, message_id__in=[row.message_id for row in rows]
        ).values_list("pk", flat=True)
    )


def issued_event_ids(*, application_id: int) -> list[int]:
    """The ``issued`` events of the licences an approved application issued (a new licence,
    or a transfer's successor): issuing sends no ``state_changed`` of the licence itself."""
    licence_ids = Licence.objects.filter(application_id=application_id).values_list("pk", flat=True)
    return list(
        AuditEvent.objects.filter(
            content_type=_licence_type(),
            object_id__in=[str(pk) for pk in licence_ids],
            verb=Verb.ISSUED,
        ).values_list("pk", flat=True)
    )


def backoff(attempts: int) -> int:
    """Seconds before the next attempt, after ``attempts`` failed ones."""
    base = settings.API_DELIVERY_BACKOFF_SECONDS
    return int(min(base * 2 ** max(attempts - 1, 0), settings.API_DELIVERY_BACKOFF_MAX_SECONDS))


def _why_not_listening(delivery: Delivery) -> str:
    subscription, client = delivery.subscription, delivery.subscription.client
    if subscription.state != SubscriptionState.ACTIVE:
        return "the subscription ended"
    if not client.is_usable():
        return "the partner's access ended"
    if not client.holds(SUBSCRIPTIONS):
        return f"the partner no longer holds {SUBSCRIPTIONS}"
    return ""


def deliver(*, delivery_id: int) -> Outcome:
    """One attempt. The row stays locked during the POST (at most ``API_DELIVERY_TIMEOUT``
    seconds), so two copies of the task never send together; a delivered one is not sent
    again, and one not yet due (a duplicate message) waits. At least once: if the answer is
    lost after the receiver took the message, the next attempt sends the same ``webhook-id``,
    on which the receiver dedupes."""
    with transaction.atomic():
        delivery = (
            Delivery.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("subscription__client")
            .filter(pk=delivery_id)
            .first()
        )
        if delivery is None:
            return Outcome("busy")  # another worker holds it now
        if delivery.state != DeliveryState.PENDING:
            return Outcome(delivery.state)
        now = timezone.now()
        if delivery.next_attempt_at is not None and delivery.next_attempt_at > now:
            return Outcome("not_due")
        reason = _why_not_listening(delivery)
        if reason:
            delivery.cancel()
            delivery.last_error = reason
            delivery.next_attempt_at = None
            delivery.save(update_fields=["state", "last_error", "next_attempt_at", "updated_at"])
            return Outcome(delivery.state)
        body = body_of(delivery)
        status: int | None = None
        error = ""
        try:
            answer = post(
                delivery.subscription.endpoint,
                body=body,
                headers=sign(message_id=delivery.webhook_id, body=body),
                timeout=settings.API_DELIVERY_TIMEOUT,
            )
        except EndpointRefused as exc:
            error = str(exc.message)
        except OSError as exc:  # a timeout, a refused connection, TLS
            error = f"{type(exc).__name__}: {exc}"
        else:
            status = answer.status
            if not 200 <= status < 300:
                error = f"HTTP {status}: {answer.body}"
        delivery.attempts += 1
        delivery.last_attempt_at = now
        delivery.last_status_code = status
        delivery.last_error = error[:2000]
        retry_in: int | None = None
        if not error:
            delivery.delivered()
            delivery.delivered_at = timezone.now()
            delivery.next_attempt_at = None
        elif delivery.attempts >= settings.API_DELIVERY_MAX_ATTEMPTS:
            delivery.give_up()
            delivery.next_attempt_at = None
        else:
            retry_in = backoff(delivery.attempts)
            delivery.next_attempt_at = now + dt.timedelta(seconds=retry_in)
        delivery.save(
            update_fields=[
                "state",
                "attempts",
                "last_attempt_at",
                "last_status_code",
                "last_error",
                "delivered_at",
                "next_attempt_at",
                "updated_at",
            ]
        )
    if error:
        logger.info("delivery %s attempt %s: %s", delivery.pk, delivery.attempts, error[:200])
    return Outcome(delivery.state, retry_in)


def due_delivery_ids(
    *, after: tuple[dt.datetime, int] | None = None, limit: int = 500
) -> list[tuple[dt.datetime, int]]:
    """Pending deliveries due ``API_DELIVERY_SWEEP_AFTER_SECONDS`` ago or more (their own
    message was lost, or their wait was too long for the broker), oldest first, a keyset
    batch on the partial index ``api_delivery_due``: ``(next_attempt_at, id)`` pairs."""
    cutoff = timezone.now() - dt.timedelta(seconds=settings.API_DELIVERY_SWEEP_AFTER_SECONDS)
    rows = Delivery.objects.filter(state=DeliveryState.PENDING, next_attempt_at__lte=cutoff)
    if after is not None:
        at, pk = after
        rows = rows.filter(next_attempt_at__gte=at).exclude(next_attempt_at=at, pk__lte=pk)
    return [
        (at, pk)
        for at, pk in rows.order_by("next_attempt_at", "pk").values_list("next_attempt_at", "pk")[
            :limit
        ]
    ]


def unfanned_event_ids(*, limit: int = 500) -> list[int]:
    """Licence status changes of the last ``API_FAN_OUT_SWEEP_HOURS`` (and since the oldest
    active subscription) with no delivery at all: their fan-out message never ran (the
    broker was down when the change committed). ``fan_out`` decides if anyone should hear."""
    oldest = Subscription.objects.filter(state=SubscriptionState.ACTIVE).aggregate(
        at=Min("created_at")
    )["at"]
    if oldest is None:
        return []
    now = timezone.now()
    since = max(oldest, now - dt.timedelta(hours=settings.API_FAN_OUT_SWEEP_HOURS))
    until = now - dt.timedelta(seconds=settings.API_DELIVERY_SWEEP_AFTER_SECONDS)
    return list(
        AuditEvent.objects.filter(
            content_type=_licence_type(),
            verb__in=list(TRANSITIONS),
            at__gte=since,
            at__lte=until,
        )
        .filter(~Exists(Delivery.objects.filter(event=OuterRef("pk"))))
        .order_by("at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
