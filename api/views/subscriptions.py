"""Notifications of licence changes (docs/api.md, *Notifications to partners*): a partner
subscribes an endpoint, lists and ends its subscriptions and reads each one's delivery log;
anyone reads the public keys the messages are signed with. A partner never sees another's
subscriptions: they answer 404."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api.auth import partner_of
from api.models import Delivery, PartnerClient, Subscription
from api.problems import documented
from api.scopes import SUBSCRIPTIONS
from api.serializers.subscriptions import (
    DeliveryListSerializer,
    DeliveryQuerySerializer,
    SigningKeysSerializer,
    SubscriptionCreateSerializer,
    SubscriptionListSerializer,
    SubscriptionSerializer,
)
from api.services import subscriptions
from api.signing import published_keys
from api.views.base import PartnerView

SUBSCRIPTION_ID = OpenApiParameter("id", int, OpenApiParameter.PATH, description="Subscription.")


def _partner(request: Request) -> PartnerClient:
    client = partner_of(request)
    if client is None:  # pragma: no cover - refused by HasScope before
        raise NotFound()
    return client


def _own(request: Request, pk: int) -> Subscription:
    found = Subscription.objects.filter(pk=pk, client=_partner(request)).first()
    if found is None:
        raise NotFound()
    return found


def _subscription_data(subscription: Subscription) -> dict[str, Any]:
    return {
        "id": subscription.pk,
        "endpoint": subscription.endpoint,
        "state": subscription.state,
        "created_at": subscription.created_at,
        "ended_at": subscription.ended_at,
    }


def _delivery_data(delivery: Delivery) -> dict[str, Any]:
    payload = delivery.payload
    return {
        "id": delivery.webhook_id,
        "type": payload.get("type", ""),
        "licence": payload.get("licence", {}).get("number", ""),
        "occurred_at": payload.get("occurred_at"),
        "state": delivery.state,
        "attempts": delivery.attempts,
        "last_attempt_at": delivery.last_attempt_at,
        "next_attempt_at": delivery.next_attempt_at,
        "last_status_code": delivery.last_status_code,
        "delivered_at": delivery.delivered_at,
    }


class SubscriptionsView(PartnerView):
    required_scopes = {"GET": SUBSCRIPTIONS, "POST": SUBSCRIPTIONS}

    @extend_schema(
        operation_id="subscriptions",
        summary="This partner's subscriptions, active and ended",
        responses={200: SubscriptionListSerializer, **documented(401, 403, 429)},
    )
    def get(self, request: Request) -> Response:
        found = list(Subscription.objects.filter(client=_partner(request)).order_by("-pk"))
        self.disclosed = [f"subscription:{s.pk}" for s in found]
        return Response(
            SubscriptionListSerializer(
                {"subscriptions": [_subscription_data(s) for s in found]}
            ).data
        )

    @extend_schema(
        operation_id="subscribe",
        summary="Subscribe an endpoint to licence status changes",
        description=(
            "Each later change of a licence's status is POSTed to the endpoint as a signed "
            "JSON message (headers webhook-id, webhook-timestamp, webhook-signature)."
        ),
        request=SubscriptionCreateSerializer,
        responses={201: SubscriptionSerializer, **documented(400, 401, 403, 429)},
    )
    def post(self, request: Request) -> Response:
        body = SubscriptionCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        subscription = subscriptions.subscribe(
            client=_partner(request), endpoint=body.validated_data["endpoint"]
        )
        self.disclosed = [f"subscription:{subscription.pk}"]
        return Response(
            SubscriptionSerializer(_subscription_data(subscription)).data,
            status=status.HTTP_201_CREATED,
            headers={"Location": f"/api/v1/subscriptions/{subscription.pk}/"},
        )


class SubscriptionView(PartnerView):
    required_scopes = {"DELETE": SUBSCRIPTIONS}

    @extend_schema(
        operation_id="unsubscribe",
        summary="End a subscription (it is kept, ended)",
        parameters=[SUBSCRIPTION_ID],
        responses={204: None, **documented(400, 401, 403, 404, 429)},
    )
    def delete(self, request: Request, pk: int) -> Response:
        subscription = _own(request, pk)
        subscriptions.unsubscribe(subscription_id=subscription.pk, client=_partner(request))
        self.disclosed = [f"subscription:{subscription.pk}"]
        return Response(status=status.HTTP_204_NO_CONTENT)


class DeliveriesView(PartnerView):
    required_scopes = {"GET": SUBSCRIPTIONS}

    @extend_schema(
        operation_id="subscription_deliveries",
        summary="A subscription's delivery log, newest first",
        parameters=[SUBSCRIPTION_ID, DeliveryQuerySerializer],
        responses={200: DeliveryListSerializer, **documented(400, 401, 403, 404, 429)},
    )
    def get(self, request: Request, pk: int) -> Response:
        subscription = _own(request, pk)
        query = DeliveryQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        limit = query.validated_data["limit"]
        rows = Delivery.objects.filter(subscription=subscription).order_by("-pk")
        if (cursor := query.validated_data.get("cursor")) is not None:
            rows = rows.filter(pk__lt=cursor)
        found = list(rows[: limit + 1])
        more, found = len(found) > limit, found[:limit]
        self.disclosed = [f"subscription:{subscription.pk}"]
        return Response(
            DeliveryListSerializer(
                {
                    "deliveries": [_delivery_data(d) for d in found],
                    "next_cursor": str(found[-1].pk) if more else None,
                }
            ).data
        )


class SigningKeysView(APIView):
    """Public: a public key discloses nothing."""

    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]
    throttle_classes: list[Any] = []

    @extend_schema(
        operation_id="signing_keys",
        summary="The public keys that sign the notifications (Ed25519)",
        auth=[],
        responses={200: SigningKeysSerializer},
    )
    def get(self, request: Request) -> Response:
        return Response(SigningKeysSerializer({"keys": published_keys()}).data)
