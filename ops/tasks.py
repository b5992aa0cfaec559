"""The worker's heartbeat, for ``/readyz``: beat queues it every
``WORKER_HEARTBEAT_EVERY_SECONDS``; whichever worker takes it writes the time into the shared
cache. It expires unrun after one interval, so a queue that backed up during an outage does not
replay a pile of heartbeats."""

from __future__ import annotations

import time

from celery import shared_task
from django.conf import settings
from django.core.cache import caches

from ops.checks import HEARTBEAT_KEY


@shared_task(ignore_result=True)
def record_worker_heartbeat() -> None:
    timeout = max(settings.READYZ_WORKER_MAX_AGE_SECONDS * 2, 60)
    caches["default"].set(HEARTBEAT_KEY, time.time(), timeout=timeout)
