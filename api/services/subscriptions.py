"""Subscriptions to licence changes and their deliveries, the one door for each change:
a partner subscribes and unsubscribes through the API (its service account in the trail); a
senior officer (``api.manage_subscriptions``) ends a subscription with a reason or sends a
failed delivery again. Nothing is deleted: an ended subscription and every delivery stay."""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from api.endpoints import check_endpoint
from api.models import Delivery, DeliveryState, PartnerClient, Subscription, SubscriptionState
from licensing.exceptions import DomainError, TransitionNotAllowed
from licensing.jobs import enqueue
from licensing.models.audit import Verb
from licensing.services.audit import record_event
from licensing.services.common import require_reason
from licensing.transitions import ensure_allowed

logger = logging.getLogger(__name__)


class TooManySubscriptions(DomainError):
    default_message = _("This partner already has as many subscriptions as it may have.")


class SubscriptionEnded(DomainError):
    default_message = _("This subscription has already ended.")


@transaction.atomic
def subscribe(*, client: PartnerClient, endpoint: str) -> Subscription:
    """A partner's new subscription (through the API, which checked its scope). The endpoint
    is https and resolves to public addresses only (``api.endpoints``)."""
    check_endpoint(endpoint)
    client = PartnerClient.objects.select_for_update().get(pk=client.pk)
    active = client.subscriptions.filter(state=SubscriptionState.ACTIVE).count()
    if active >= settings.API_MAX_SUBSCRIPTIONS:
        raise TooManySubscriptions()
    subscription = Subscription(client=client, endpoint=endpoint)
    subscription.full_clean(exclude=["state"])
    subscription.save()
    record_event(
        subscription,
        verb=Verb.CREATED,
        by=client.account,
        to_state=subscription.state,
        changes={"endpoint": endpoint},
    )
    return subscription


def _end(subscription: Subscription, *, by: Any, reason: str) -> Subscription:
    from_state = subscription.state
    subscription.end()
    subscription.ended_at, subscription.ended_by, subscription.end_reason = (
        timezone.now(),
        by,
        reason,
    )
    subscription.save(update_fields=["state", "ended_at", "ended_by", "end_reason", "updated_at"])
    # What was still to send is not sent: the log says why.
    Delivery.objects.filter(subscription=subscription, state=DeliveryState.PENDING).update(
        state=DeliveryState.CANCELLED,
        next_attempt_at=None,
        last_error="the subscription ended",
        updated_at=timezone.now(),
    )
    record_event(
        subscription,
        verb=Verb.EDITED,
        by=by,
        from_state=from_state,
        to_state=subscription.state,
        reason=reason,
    )
    return subscription


@transaction.atomic
def unsubscribe(*, subscription_id: int, client: PartnerClient) -> Subscription:
    """The partner ends its own subscription (``DELETE``); the row is kept."""
    subscription = Subscription.objects.select_for_update().get(pk=subscription_id, client=client)
    if subscription.state != SubscriptionState.ACTIVE:
        raise SubscriptionEnded()
    return _end(subscription, by=client.account, reason="unsubscribed by the partner")


@transaction.atomic
def end_subscription(*, subscription_id: int, by: Any, reason: str) -> Subscription:
    """Senior officers (``api.manage_subscriptions``): e.g. an endpoint that fails for days,
    or that the partner asked to stop by other means. The reason is in the trail."""
    subscription = Subscription.objects.select_for_update().get(pk=subscription_id)
    reason = require_reason(reason)
    ensure_allowed(subscription, "end", by)
    return _end(subscription, by=by, reason=reason)


@transaction.atomic
def retry_delivery(*, delivery_id: int, by: Any) -> Delivery:
    """Senior officers: a failed delivery is sent again now, with a new series of attempts
    (the same message id, so a receiver that had it drops it)."""
    delivery = (
        Delivery.objects.select_for_update(of=("self",))
        .select_related("subscription")
        .get(pk=delivery_id)
    )
    ensure_allowed(delivery, "retry", by)
    if delivery.subscription.state != SubscriptionState.ACTIVE:
        raise TransitionNotAllowed(_("The subscription of this delivery has ended."))
    attempts = delivery.attempts
    delivery.retry()
    delivery.attempts, delivery.next_attempt_at = 0, timezone.now()
    delivery.save(update_fields=["state", "attempts", "next_attempt_at", "updated_at"])
    record_event(
        delivery,
        verb=Verb.EDITED,
        by=by,
        from_state=DeliveryState.FAILED,
        to_state=delivery.state,
        changes={"attempts_before": attempts},
    )
    from api.tasks import deliver_task

    transaction.on_commit(lambda: enqueue(deliver_task, delivery.pk))
    return delivery
