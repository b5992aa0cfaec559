"""Notifications to partner authorities (Art. 21.1(a)): a partner subscribes an endpoint to
licence status changes; each change becomes one ``Delivery`` per subscription, sent signed by
the workers and retried with backoff. Both are kept for good: unsubscribing ends a
subscription, and the deliveries are the log of what was sent to whom."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin, transition

from api.models.clients import PartnerClient
from licensing.models.audit import AuditEvent
from licensing.models.base import Record, choices_check

MANAGE = "api.manage_subscriptions"


def _can_manage(instance: object, user: object) -> bool:
    return bool(getattr(user, "has_perm", lambda _p: False)(MANAGE))


def _system(instance: object, user: object) -> bool:
    return False  # run by the partner's own request or the workers: no officer button


class SubscriptionState(models.TextChoices):
    ACTIVE = "active", _("active")
    ENDED = "ended", _("ended")


class Subscription(FSMModelMixin, Record):
    """One endpoint of one partner, told of every licence status change from its creation
    until it ends (the partner unsubscribes, or a senior officer ends it with a reason)."""

    client = models.ForeignKey(
        PartnerClient,
        on_delete=models.PROTECT,
        related_name="subscriptions",
        verbose_name=_("partner"),
    )
    endpoint = models.CharField(_("endpoint"), max_length=500)
    state = FSMField(
        _("state"),
        default=SubscriptionState.ACTIVE,
        choices=SubscriptionState.choices,
        protected=True,
    )
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("ended by"),
    )
    end_reason = models.TextField(_("reason for ending"), blank=True)

    class Meta:
        verbose_name = _("notification subscription")
        verbose_name_plural = _("notification subscriptions")
        ordering = ("-created_at", "-pk")
        permissions = [
            (
                "manage_subscriptions",
                _("Can end partners' subscriptions and send their notifications again"),
            ),
        ]
        constraints = [
            choices_check("state", SubscriptionState, "api_subscription_state_valid"),
            models.CheckConstraint(
                condition=models.Q(state=SubscriptionState.ACTIVE, ended_at__isnull=True)
                | models.Q(state=SubscriptionState.ENDED, ended_at__isnull=False),
                name="api_subscription_ended_at",
            ),
        ]
        indexes = [
            models.Index(
                fields=["client", "created_at"],
                condition=models.Q(state="active"),
                name="api_subscription_active",
            )
        ]

    def __str__(self) -> str:
        return f"{self.client.name}: {self.endpoint}"

    @transition(
        field=state,
        source=SubscriptionState.ACTIVE,
        target=SubscriptionState.ENDED,
        permission=_can_manage,
        custom={"label": _("End subscription")},
    )
    def end(self) -> None:
        pass


class DeliveryState(models.TextChoices):
    PENDING = "pending", _("to send")
    DELIVERED = "delivered", _("delivered")
    FAILED = "failed", _("failed (gave up)")
    CANCELLED = "cancelled", _("not sent (subscription or access ended)")


class Delivery(FSMModelMixin, Record):
    """One licence change for one subscription: at most one row per pair (the exactly-once),
    whose message id stays the same on every attempt so that the receiver can drop a second
    copy. ``payload`` is the message as sent (what was disclosed, Art. 21)."""

    subscription = models.ForeignKey(
        Subscription,
        on_delete=models.PROTECT,
        related_name="deliveries",
        verbose_name=_("subscription"),
    )
    event = models.ForeignKey(
        AuditEvent, on_delete=models.PROTECT, related_name="+", verbose_name=_("licence event")
    )
    message_id = models.UUIDField(_("message id"), default=uuid.uuid4, unique=True, editable=False)
    payload = models.JSONField(_("message"), default=dict)
    state = FSMField(
        _("state"), default=DeliveryState.PENDING, choices=DeliveryState.choices, protected=True
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    last_attempt_at = models.DateTimeField(_("last attempt at"), null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(
        _("last HTTP status"), null=True, blank=True
    )
    last_error = models.TextField(_("last error"), blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification delivery")
        verbose_name_plural = _("notification deliveries")
        ordering = ("-pk",)
        constraints = [
            models.UniqueConstraint(fields=["subscription", "event"], name="api_delivery_once"),
            choices_check("state", DeliveryState, "api_delivery_state_valid"),
        ]
        indexes = [
            # The retry sweep reads only what is still to send, oldest due first (keyset).
            models.Index(
                fields=["next_attempt_at", "id"],
                condition=models.Q(state="pending"),
                name="api_delivery_due",
            ),
            models.Index(fields=["event"], name="api_delivery_event"),
        ]

    def __str__(self) -> str:
        return f"msg_{self.message_id.hex}"

    @property
    def webhook_id(self) -> str:
        return f"msg_{self.message_id.hex}"

    @transition(
        field=state,
        source=DeliveryState.PENDING,
        target=DeliveryState.DELIVERED,
        permission=_system,
    )
    def delivered(self) -> None:
        pass

    @transition(
        field=state, source=DeliveryState.PENDING, target=DeliveryState.FAILED, permission=_system
    )
    def give_up(self) -> None:
        pass

    @transition(
        field=state,
        source=DeliveryState.PENDING,
        target=DeliveryState.CANCELLED,
        permission=_system,
    )
    def cancel(self) -> None:
        pass

    @transition(
        field=state,
        source=DeliveryState.FAILED,
        target=DeliveryState.PENDING,
        permission=_can_manage,
        custom={"label": _("Retry now")},
    )
    def retry(self) -> None:
        pass
