"""The notifications through a real Celery worker on Redis: the officer's suspension commits,
the core's signal enqueues the fan-out, the worker creates the delivery and POSTs the signed
message to a real endpoint on the loopback interface; the same fan-out run again sends
nothing."""

from __future__ import annotations

from typing import Any

import pytest

from api import signing
from api.models import Delivery, DeliveryState
from api.scopes import SUBSCRIPTIONS
from api.services.subscriptions import subscribe
from api.tasks import fan_out_task
from licensing.models import AuditEvent, Verb
from licensing.services.licences import suspend_licence
from tests.api.receiver import Endpoint, endpoint_fixture  # noqa: F401 (a fixture)
from tests.factories import LicenceFactory
from tests.licensing.worker_processes import wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_a_real_worker_delivers_a_suspension_once(
    celery_worker: Any, make_partner: Any, endpoint: Endpoint, officer: Any
) -> None:
    partner, _ = make_partner(scopes=[SUBSCRIPTIONS])
    subscription = subscribe(client=partner, endpoint=endpoint.url)
    licence = LicenceFactory()

    suspend_licence(licence_id=licence.pk, by=officer, ground="other", reason="Unpaid excise duty")

    delivered = wait_for(
        lambda: Delivery.objects.filter(
            subscription=subscription, state=DeliveryState.DELIVERED
        ).first(),
        timeout=30,
        what="the delivery",
    )
    (received,) = endpoint.received
    signing.verify(received.headers, received.body, signing.public_key_bytes())
    assert received.headers["webhook-id"] == delivered.webhook_id
    event = AuditEvent.objects.for_object(licence).get(verb=Verb.SUSPENDED)
    assert fan_out_task.delay(event.pk).get(timeout=30) == 0
    assert Delivery.objects.count() == 1
    assert len(endpoint.received) == 1
