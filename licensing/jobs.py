"""The one door for sending a Celery task from the web (issue 21): ``enqueue``. The broker
(Redis) can be down while PostgreSQL is up; the pages must go on serving, so a task that cannot
be sent is logged and ``enqueue`` returns False instead of raising into a request that has
already committed its rows. The rows are the record of the work: each kind of work that is
queued after a commit has a periodic sweep that queues it again (notifications, letters, print
batches, imports, returns' checks, partner deliveries, machines of ended licences). Work with
no row of its own (a single licence's print) asks ``enqueue`` and tells the user when it fails."""

from __future__ import annotations

import logging
from typing import Any

from kombu.exceptions import OperationalError

logger = logging.getLogger(__name__)

# What a publish raises once Celery's own retries (its task_publish_retry_policy) gave up.
SEND_ERRORS = (OperationalError, OSError)


def enqueue(task: Any, *args: Any, countdown: int | None = None, **kwargs: Any) -> bool:
    """Send ``task(*args, **kwargs)`` to the broker; False, logged, if it cannot be reached."""
    try:
        task.apply_async(args=args, kwargs=kwargs, countdown=countdown)
    except SEND_ERRORS as error:
        logger.error(
            "could not queue %s: the broker cannot be reached (%s); its sweep queues it again",
            getattr(task, "name", task),
            type(error).__name__,
        )
        return False
    return True
