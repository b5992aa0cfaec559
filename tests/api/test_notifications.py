"""Signed notifications of licence changes to partners' endpoints (Art. 21.1(a)): a real
HTTP server on the loopback interface receives them; signatures are checked with the key the
API publishes; each (subscription, event) is delivered once, retried with backoff when the
endpoint fails, and the officer's transition never waits for it."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any
from unittest import mock

import pytest
from django.test import Client
from django.utils import timezone
from kombu.exceptions import OperationalError

from api import signing
from api.models import Delivery, DeliveryState
from api.scopes import LICENCES_READ, SUBSCRIPTIONS
from api.services import deliveries
from api.services.partners import revoke_partner
from api.services.subscriptions import end_subscription, subscribe
from api.tasks import fan_out_issued, fan_out_task, retry_due_deliveries
from licensing.models import AuditEvent, LicenceState, Verb
from licensing.services.audit import record_event
from licensing.services.licences import reinstate_licence, suspend_licence
from tests.api.receiver import Endpoint, endpoint_fixture  # noqa: F401 (a fixture)
from tests.factories import LicenceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def subscribed(make_partner: Any, endpoint: Endpoint) -> Any:
    partner, _secret = make_partner(scopes=[SUBSCRIPTIONS])
    return subscribe(client=partner, endpoint=endpoint.url)


def suspend(licence: Any, officer: Any, capture: Any) -> None:
    with capture(execute=True):
        suspend_licence(
            licence_id=licence.pk, by=officer, ground="other", reason="Unpaid excise duty"
        )


def published_key() -> str:
    answer = Client().get("/api/v1/signing-keys/")
    assert answer.status_code == 200
    (key,) = answer.json()["keys"]
    assert key["alg"] == "Ed25519"
    return str(key["public_key"])


def travel_past_next_attempt(time_machine: Any, delivery: Delivery, settings: Any) -> None:
    """To when the sweep takes the delivery up (its due time, plus the sweep's margin)."""
    delivery.refresh_from_db()
    margin = dt.timedelta(seconds=settings.API_DELIVERY_SWEEP_AFTER_SECONDS + 1)
    time_machine.move_to(delivery.next_attempt_at + margin, tick=False)


def test_a_suspension_reaches_the_endpoint_signed_with_the_published_key(
    subscribed: Any,
    endpoint: Endpoint,
    officer: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    licence = LicenceFactory()
    suspend(licence, officer, django_capture_on_commit_callbacks)

    (received,) = endpoint.received
    assert received.path == "/hooks/licences"
    signing.verify(received.headers, received.body, published_key())
    message = json.loads(received.body)
    delivery = Delivery.objects.get()
    assert message == {
        "type": "licence.state_changed",
        "id": delivery.webhook_id,
        "occurred_at": message["occurred_at"],
        "licence": {
            "number": licence.number,
            "state": "suspended",
            "from_state": "active",
            "to_state": "suspended",
            "transition": "suspend",
        },
        "links": {"licence": f"/api/v1/licences/{licence.number}/"},
    }
    assert received.headers["webhook-id"] == delivery.webhook_id
    event = AuditEvent.objects.for_object(licence).get(verb=Verb.SUSPENDED)
    assert (delivery.event, delivery.state, delivery.attempts) == (
        event,
        DeliveryState.DELIVERED,
        1,
    )
    assert delivery.last_status_code == 204


def test_verify_refuses_a_tampered_body_an_old_timestamp_and_another_key() -> None:
    body = b'{"type":"licence.state_changed"}'
    headers = signing.sign(message_id="msg_1", body=body)
    key = published_key()
    signing.verify(headers, body, key)
    with pytest.raises(signing.SignatureRefused):
        signing.verify(headers, body.replace(b"state", b"State"), key)
    old = signing.sign(
        message_id="msg_1", body=body, timestamp=int(timezone.now().timestamp()) - 301
    )
    with pytest.raises(signing.SignatureRefused, match="too old"):
        signing.verify(old, body, key)
    with pytest.raises(signing.SignatureRefused):
        signing.verify({**headers, "webhook-id": "msg_2"}, body, key)
    other = signing.public_key_bytes(signing._private_key(b"\x01" * 32))
    with pytest.raises(signing.SignatureRefused):
        signing.verify(headers, body, other)


def test_the_key_comes_from_the_setting_when_set(settings: Any) -> None:
    import base64

    settings.API_SIGNING_KEY = base64.b64encode(b"\x02" * 32).decode()
    expected = signing.public_key_bytes(signing._private_key(b"\x02" * 32))
    assert published_key() == base64.b64encode(expected).decode()


def test_after_a_change_of_key_both_are_published_and_the_old_signature_still_verifies(
    client: Any, settings: Any
) -> None:
    import base64

    from django.core.checks import run_checks

    body = b'{"type":"licence.state_changed"}'
    settings.API_SIGNING_KEY = base64.b64encode(b"\x03" * 32).decode()
    signed_before = signing.sign(message_id="msg_1", body=body)
    old_public = published_key()
    settings.API_SIGNING_KEY = base64.b64encode(b"\x04" * 32).decode()
    settings.API_SIGNING_KEYS_RETIRED = [old_public]
    keys = client.get("/api/v1/signing-keys/").json()["keys"]
    assert [k["public_key"] for k in keys][1:] == [old_public]
    assert keys[0]["public_key"] != old_public  # the key that signs now comes first
    signing.verify(signed_before, body, [k["public_key"] for k in keys])
    signing.verify(signing.sign(message_id="msg_2", body=body), body, keys[0]["public_key"])
    settings.API_SIGNING_KEYS_RETIRED = ["not-a-key"]
    assert "api.E002" in {message.id for message in run_checks()}


def test_each_subscription_gets_a_change_once_even_when_fanned_out_twice(
    subscribed: Any,
    endpoint: Endpoint,
    officer: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    licence = LicenceFactory()
    suspend(licence, officer, django_capture_on_commit_callbacks)
    event = AuditEvent.objects.for_object(licence).get(verb=Verb.SUSPENDED)
    assert fan_out_task(event.pk) == 0
    assert fan_out_task(event.pk) == 0
    assert Delivery.objects.filter(subscription=subscribed, event=event).count() == 1
    assert len(endpoint.received) == 1


def test_an_endpoint_answering_500_is_retried_with_backoff_and_the_suspension_stands(
    subscribed: Any,
    endpoint: Endpoint,
    officer: Any,
    django_capture_on_commit_callbacks: Any,
    time_machine: Any,
    settings: Any,
) -> None:
    time_machine.move_to(timezone.now(), tick=False)
    endpoint.status = 500
    licence = LicenceFactory()
    suspend(licence, officer, django_capture_on_commit_callbacks)
    licence.refresh_from_db()
    assert licence.state == LicenceState.SUSPENDED

    delivery = Delivery.objects.get()
    first = timezone.now()
    assert (delivery.state, delivery.attempts, delivery.last_status_code) == ("pending", 1, 500)
    assert delivery.next_attempt_at == first + dt.timedelta(seconds=30)
    assert retry_due_deliveries() == 0  # not due yet: nothing sent again

    travel_past_next_attempt(time_machine, delivery, settings)
    assert retry_due_deliveries() == 1
    delivery.refresh_from_db()
    assert delivery.attempts == 2
    assert delivery.next_attempt_at == timezone.now() + dt.timedelta(seconds=60)

    endpoint.status = 200
    travel_past_next_attempt(time_machine, delivery, settings)
    retry_due_deliveries()
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts, delivery.last_status_code) == ("delivered", 3, 200)
    # The same message every time: the receiver dedupes on webhook-id.
    assert {r.headers["webhook-id"] for r in endpoint.received} == {delivery.webhook_id}
    assert len({r.body for r in endpoint.received}) == 1


def test_an_endpoint_that_times_out_is_retried_and_never_holds_the_officer(
    subscribed: Any,
    endpoint: Endpoint,
    officer: Any,
    django_capture_on_commit_callbacks: Any,
    settings: Any,
) -> None:
    settings.API_DELIVERY_TIMEOUT = 0.2
    endpoint.hang = True
    licence = LicenceFactory()
    suspend(licence, officer, django_capture_on_commit_callbacks)
    licence.refresh_from_db()
    assert licence.state == LicenceState.SUSPENDED
    delivery = Delivery.objects.get()
    assert (delivery.state, delivery.attempts, delivery.last_status_code) == ("pending", 1, None)
    assert "timed out" in delivery.last_error


def test_a_delivery_fails_after_the_last_attempt(
    subscribed: Any,
    endpoint: Endpoint,
    officer: Any,
    django_capture_on_commit_callbacks: Any,
    time_machine: Any,
    settings: Any,
) -> None:
    settings.API_DELIVERY_MAX_ATTEMPTS = 4
    time_machine.move_to(timezone.now(), tick=False)
    endpoint.status = 503
    suspend(LicenceFactory(), officer, django_capture_on_commit_callbacks)
    delivery = Delivery.objects.get()
    waits = []
    while delivery.state == DeliveryState.PENDING:
        waits.append(int((delivery.next_attempt_at - timezone.now()).total_seconds()))
        travel_past_next_attempt(time_machine, delivery, settings)
        retry_due_deliveries()
        delivery.refresh_from_db()
    assert waits == [30, 60, 120]
    assert (delivery.state, delivery.attempts, delivery.next_attempt_at) == ("failed", 4, None)
    assert len(endpoint.received) == 4
    assert retry_due_deliveries() == 0


def test_only_usable_partners_holding_the_scope_hear_of_a_change(
    make_partner: Any,
    endpoint: Endpoint,
    senior: Any,
    officer: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    listening, _ = make_partner(scopes=[SUBSCRIPTIONS], name="Tullverket")
    without_scope, _ = make_partner(scopes=[LICENCES_READ], name="Douane")
    revoked, _ = make_partner(scopes=[SUBSCRIPTIONS], name="Zoll")
    ended, _ = make_partner(scopes=[SUBSCRIPTIONS], name="Tolletaten")
    kept = subscribe(client=listening, endpoint=endpoint.url)
    subscribe(client=without_scope, endpoint=endpoint.url)
    subscribe(client=revoked, endpoint=endpoint.url)
    gone = subscribe(client=ended, endpoint=endpoint.url)
    revoke_partner(client_id=revoked.pk, by=senior, reason="Agreement ended")
    end_subscription(subscription_id=gone.pk, by=senior, reason="Endpoint retired")

    suspend(LicenceFactory(), officer, django_capture_on_commit_callbacks)
    assert list(Delivery.objects.values_list("subscription", flat=True)) == [kept.pk]


def test_a_subscription_made_after_a_change_is_not_told_of_it(
    make_partner: Any,
    endpoint: Endpoint,
    officer: Any,
    django_capture_on_commit_callbacks: Any,
    time_machine: Any,
) -> None:
    time_machine.move_to(timezone.now(), tick=False)
    licence = LicenceFactory()
    suspend(licence, officer, django_capture_on_commit_callbacks)
    time_machine.shift(dt.timedelta(seconds=5))
    partner, _ = make_partner(scopes=[SUBSCRIPTIONS])
    subscribe(client=partner, endpoint=endpoint.url)
    event = AuditEvent.objects.for_object(licence).get(verb=Verb.SUSPENDED)
    assert fan_out_task(event.pk) == 0
    with django_capture_on_commit_callbacks(execute=True):
        reinstate_licence(licence_id=licence.pk, by=officer)
    (delivery,) = Delivery.objects.all()
    assert delivery.payload["licence"]["transition"] == "reinstate"


def test_an_issued_licence_is_told_through_its_applications_approval(
    subscribed: Any,
    endpoint: Endpoint,
) -> None:
    licence = LicenceFactory()
    record_event(licence, verb=Verb.ISSUED, by=None, to_state=licence.state)
    assert fan_out_issued(licence.application_id) == 1
    message = json.loads(endpoint.received[0].body)
    assert message["licence"]["transition"] == "issue"
    assert message["licence"]["from_state"] is None
    assert message["licence"]["to_state"] == "active"


def test_a_broker_down_never_fails_the_transition_and_the_sweep_catches_up(
    subscribed: Any,
    endpoint: Endpoint,
    officer: Any,
    django_capture_on_commit_callbacks: Any,
    time_machine: Any,
    settings: Any,
) -> None:
    time_machine.move_to(timezone.now(), tick=False)
    licence = LicenceFactory()
    with mock.patch.object(fan_out_task, "apply_async", side_effect=OperationalError("down")):
        suspend(licence, officer, django_capture_on_commit_callbacks)
    licence.refresh_from_db()
    assert licence.state == LicenceState.SUSPENDED
    assert not Delivery.objects.exists()

    time_machine.shift(dt.timedelta(seconds=settings.API_DELIVERY_SWEEP_AFTER_SECONDS + 1))
    assert deliveries.unfanned_event_ids() != []
    retry_due_deliveries()
    assert Delivery.objects.get().state == DeliveryState.DELIVERED
    assert len(endpoint.received) == 1
    assert deliveries.unfanned_event_ids() == []
