"""Subscriptions to licence changes, their delivery log, and the signing keys (docs/api.md,
*Notifications to partners*)."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers


class SubscriptionCreateSerializer(serializers.Serializer[Any]):
    endpoint = serializers.CharField(
        max_length=500,
        help_text="https URL that receives the signed messages (a public address).",
    )


class SubscriptionSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    endpoint = serializers.CharField()
    state = serializers.ChoiceField(choices=["active", "ended"])
    created_at = serializers.DateTimeField()
    ended_at = serializers.DateTimeField(allow_null=True)


class SubscriptionListSerializer(serializers.Serializer[Any]):
    subscriptions = SubscriptionSerializer(many=True)


class DeliverySerializer(serializers.Serializer[Any]):
    id = serializers.CharField(help_text="The message id: the webhook-id header.")
    type = serializers.CharField()
    licence = serializers.CharField(help_text="The licence's number.")
    occurred_at = serializers.DateTimeField()
    state = serializers.ChoiceField(choices=["pending", "delivered", "failed", "cancelled"])
    attempts = serializers.IntegerField()
    last_attempt_at = serializers.DateTimeField(allow_null=True)
    next_attempt_at = serializers.DateTimeField(allow_null=True)
    last_status_code = serializers.IntegerField(allow_null=True)
    delivered_at = serializers.DateTimeField(allow_null=True)


class DeliveryQuerySerializer(serializers.Serializer[Any]):
    cursor = serializers.IntegerField(
        required=False, min_value=1, help_text="next_cursor of the previous page."
    )
    limit = serializers.IntegerField(required=False, min_value=1, max_value=500, default=100)


class DeliveryListSerializer(serializers.Serializer[Any]):
    deliveries = DeliverySerializer(many=True)
    next_cursor = serializers.CharField(allow_null=True)


class SigningKeySerializer(serializers.Serializer[Any]):
    kid = serializers.CharField()
    alg = serializers.CharField()
    public_key = serializers.CharField(help_text="Base64 of the raw 32-byte Ed25519 public key.")


class SigningKeysSerializer(serializers.Serializer[Any]):
    keys = SigningKeySerializer(many=True)
