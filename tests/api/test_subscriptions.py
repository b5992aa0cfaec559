"""Subscriptions through the API (scope licences:subscribe), and the delivery log and its
"Retry now" in the officers' admin."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import checks
from django.test import Client

from api.checks import signing_key_set, signing_key_usable
from api.endpoints import EndpointRefused, check_endpoint
from api.models import ApiCall, Delivery, DeliveryState, Subscription
from api.scopes import LICENCES_READ, SUBSCRIPTIONS
from api.services.subscriptions import retry_delivery, subscribe
from licensing.exceptions import PermissionDenied
from licensing.models import AuditEvent, Verb
from licensing.services.audit import record_event
from tests.api.receiver import Endpoint, endpoint_fixture  # noqa: F401 (a fixture)
from tests.factories import LicenceFactory

pytestmark = pytest.mark.django_db


def failed_delivery(subscription: Subscription) -> Delivery:
    licence = LicenceFactory()
    event = record_event(
        licence, verb=Verb.SUSPENDED, by=None, from_state="active", to_state="suspended"
    )
    delivery = Delivery.objects.create(
        subscription=subscription, event=event, payload={"id": "x"}, attempts=12
    )
    Delivery.objects.filter(pk=delivery.pk).update(state=DeliveryState.FAILED)
    return Delivery.objects.get(pk=delivery.pk)


def test_a_partner_subscribes_lists_reads_the_log_and_unsubscribes(
    api_as: Any, endpoint: Endpoint
) -> None:
    api = api_as(scopes=[SUBSCRIPTIONS])
    created = api.post(
        "/api/v1/subscriptions/", {"endpoint": endpoint.url}, content_type="application/json"
    )
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    assert created["Location"] == f"/api/v1/subscriptions/{pk}/"
    assert created.json()["state"] == "active"

    listed = api.get("/api/v1/subscriptions/").json()["subscriptions"]
    assert [s["id"] for s in listed] == [pk]
    log = api.get(f"/api/v1/subscriptions/{pk}/deliveries/")
    assert log.status_code == 200
    assert log.json() == {"deliveries": [], "next_cursor": None}

    assert api.delete(f"/api/v1/subscriptions/{pk}/").status_code == 204
    subscription = Subscription.objects.get(pk=pk)  # kept, ended
    assert subscription.state == "ended" and subscription.ended_at is not None
    assert api.delete(f"/api/v1/subscriptions/{pk}/").status_code == 400
    assert AuditEvent.objects.for_object(subscription).count() == 2
    assert ApiCall.objects.filter(client=api.partner, status=201).get().object_ids == [
        f"subscription:{pk}"
    ]


def test_the_log_lists_what_was_sent(api_as: Any, endpoint: Endpoint) -> None:
    api = api_as(scopes=[SUBSCRIPTIONS])
    subscription = subscribe(client=api.partner, endpoint=endpoint.url)
    delivery = failed_delivery(subscription)
    (entry,) = api.get(f"/api/v1/subscriptions/{subscription.pk}/deliveries/").json()["deliveries"]
    assert (entry["id"], entry["state"], entry["attempts"]) == (delivery.webhook_id, "failed", 12)


def test_without_the_scope_subscriptions_are_refused(api_as: Any, endpoint: Endpoint) -> None:
    api = api_as(scopes=[LICENCES_READ])
    answer = api.post(
        "/api/v1/subscriptions/", {"endpoint": endpoint.url}, content_type="application/json"
    )
    assert answer.status_code == 403
    assert answer["Content-Type"] == "application/problem+json"
    assert api.get("/api/v1/subscriptions/").status_code == 403
    assert not Subscription.objects.exists()


def test_another_partners_subscription_is_not_found(api_as: Any, endpoint: Endpoint) -> None:
    mine = api_as(scopes=[SUBSCRIPTIONS], name="Tullverket")
    theirs = api_as(scopes=[SUBSCRIPTIONS], name="Douane")
    subscription = subscribe(client=theirs.partner, endpoint=endpoint.url)
    assert mine.get(f"/api/v1/subscriptions/{subscription.pk}/deliveries/").status_code == 404
    assert mine.delete(f"/api/v1/subscriptions/{subscription.pk}/").status_code == 404
    assert mine.get("/api/v1/subscriptions/").json()["subscriptions"] == []
    assert Subscription.objects.get().state == "active"


@pytest.mark.parametrize(
    "url",
    [
        "http://partner.example/hook",  # not https
        "https://10.0.0.7/hook",  # private
        "https://169.254.169.254/latest/meta-data/",  # link-local: cloud metadata
        "https://[fd00::1]/hook",  # unique local
        "https://user:pw@203.0.113.9/hook",  # credentials in the URL
        "https://127.0.0.1/hook",  # loopback, not allowed here
    ],
)
def test_an_endpoint_inside_the_network_is_refused(url: str, settings: Any, api_as: Any) -> None:
    settings.API_ALLOW_LOOPBACK_ENDPOINTS = False
    with pytest.raises(EndpointRefused):
        check_endpoint(url)
    api = api_as(scopes=[SUBSCRIPTIONS])
    answer = api.post("/api/v1/subscriptions/", {"endpoint": url}, content_type="application/json")
    assert answer.status_code == 400
    assert answer.json()["status"] == 400


def test_a_public_https_endpoint_is_accepted() -> None:
    target = check_endpoint("https://93.184.215.14:8443/hooks?x=1")
    assert (target.scheme, target.port, target.path) == ("https", 8443, "/hooks?x=1")


def test_the_number_of_subscriptions_is_limited(
    api_as: Any, endpoint: Endpoint, settings: Any
) -> None:
    settings.API_MAX_SUBSCRIPTIONS = 1
    api = api_as(scopes=[SUBSCRIPTIONS])
    body = {"endpoint": endpoint.url}
    assert (
        api.post("/api/v1/subscriptions/", body, content_type="application/json").status_code == 201
    )
    assert (
        api.post("/api/v1/subscriptions/", body, content_type="application/json").status_code == 400
    )


def test_the_signing_keys_are_public() -> None:
    (key,) = Client().get("/api/v1/signing-keys/").json()["keys"]
    assert set(key) == {"kid", "alg", "public_key"}


def test_the_admin_log_and_retry_now(
    make_partner: Any,
    endpoint: Endpoint,
    senior: Any,
    auditor: Any,
    officer: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    partner, _ = make_partner(scopes=[SUBSCRIPTIONS])
    delivery = failed_delivery(subscribe(client=partner, endpoint=endpoint.url))
    client = Client()
    change = f"/admin/api/delivery/{delivery.pk}/change/"

    client.force_login(officer)
    assert client.get("/admin/api/delivery/").status_code == 403
    with pytest.raises(PermissionDenied):
        retry_delivery(delivery_id=delivery.pk, by=officer)

    client.force_login(auditor)
    page = client.get("/admin/api/delivery/?state__exact=failed")
    assert page.status_code == 200 and delivery.webhook_id in page.text
    assert "retry_failed" not in page.text
    refused = client.post(
        "/admin/api/delivery/", {"action": "retry_failed", "_selected_action": [delivery.pk]}
    )
    assert refused.status_code in (302, 403)
    assert Delivery.objects.get(pk=delivery.pk).state == DeliveryState.FAILED

    assert f"{delivery.pk}/action/retry/" not in client.get(change).text

    client.force_login(senior)
    assert f"{delivery.pk}/action/retry/" in client.get(change).text
    page = client.get(f"/admin/api/delivery/?partner={partner.pk}")
    assert "retry_failed" in page.text
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/admin/api/delivery/", {"action": "retry_failed", "_selected_action": [delivery.pk]}
        )
    delivery.refresh_from_db()
    # Sent again at once (eager in the tests): the endpoint took it.
    assert (delivery.state, delivery.attempts) == (DeliveryState.DELIVERED, 1)
    assert endpoint.received[0].headers["webhook-id"] == delivery.webhook_id
    assert AuditEvent.objects.for_object(delivery).get().actor == senior


def test_a_senior_officer_ends_a_subscription_with_a_reason(
    make_partner: Any, endpoint: Endpoint, senior: Any, auditor: Any
) -> None:
    partner, _ = make_partner(scopes=[SUBSCRIPTIONS])
    subscription = subscribe(client=partner, endpoint=endpoint.url)
    url = f"/admin/api/subscription/{subscription.pk}/action/end/"
    client = Client()
    client.force_login(auditor)
    assert (
        "action/end/" not in client.get(f"/admin/api/subscription/{subscription.pk}/change/").text
    )
    client.force_login(senior)
    assert client.post(url, {"reason": ""}).status_code == 200  # the form again: a reason
    assert client.post(url, {"reason": "Endpoint fails since May"}).status_code == 302
    subscription.refresh_from_db()
    assert (subscription.state, subscription.ended_by, subscription.end_reason) == (
        "ended",
        senior,
        "Endpoint fails since May",
    )


def test_the_deploy_check_tells_of_a_derived_key_and_refuses_a_bad_one(settings: Any) -> None:
    settings.DEBUG = False
    settings.API_SIGNING_KEY = ""
    assert [m.id for m in signing_key_set()] == ["api.I001"]
    assert signing_key_set()[0].level < checks.WARNING  # `make lint` fails from WARNING up
    settings.API_SIGNING_KEY = "bm90LTMyLWJ5dGVz"
    assert [m.id for m in signing_key_usable()] == ["api.E001"]
