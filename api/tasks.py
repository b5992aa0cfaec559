"""Celery tasks of the notifications to partners: thin and idempotent, they take ids and call
``api.services.deliveries``. A second copy of any of them changes nothing."""

from __future__ import annotations

import logging

from celery import shared_task

from api.services import deliveries
from licensing.jobs import enqueue

logger = logging.getLogger(__name__)


@shared_task(acks_late=True)
def fan_out_task(event_id: int) -> int:
    """A licence event becomes one delivery per listening subscription, each sent at once."""
    created = deliveries.fan_out(event_id=event_id)
    for pk in created:
        enqueue(deliver_task, pk)
    return len(created)


@shared_task(acks_late=True)
def fan_out_issued(application_id: int) -> int:
    """An approved application issued a licence (new, or a transfer's successor)."""
    return sum(
        fan_out_task(event_id)
        for event_id in deliveries.issued_event_ids(application_id=application_id)
    )


@shared_task(acks_late=True)
def deliver_task(delivery_id: int) -> str:
    outcome = deliveries.deliver(delivery_id=delivery_id)
    if outcome.retry_in is not None and outcome.retry_in <= deliveries.ENQUEUE_WITHIN_SECONDS:
        enqueue(deliver_task, delivery_id, countdown=outcome.retry_in)
    return outcome.state


@shared_task(acks_late=True)
def retry_due_deliveries() -> int:
    """Beat, every minute: licence changes never fanned out and deliveries due for a while
    (a lost message, a wait too long for the broker) are taken up again. Returns how many
    deliveries it enqueued."""
    for event_id in deliveries.unfanned_event_ids():
        fan_out_task(event_id)
    count = 0
    after = None
    while batch := deliveries.due_delivery_ids(after=after):
        for _at, pk in batch:
            enqueue(deliver_task, pk)
        count += len(batch)
        after = batch[-1]
    if count:
        logger.info("re-enqueued %d due partner deliveries", count)
    return count
