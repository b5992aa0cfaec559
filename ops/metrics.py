"""Prometheus metrics beyond django-prometheus's requests, latency and queries: the Celery jobs
(how long each task took and how it ended, by task name, so that the expiry reminders and the
destruction jobs show as sent or failed) and the depth of the broker's queues.

Multi-process use. A gunicorn with several workers, or a Celery worker with its prefork pool,
is several processes, each with its own counters: set ``PROMETHEUS_MULTIPROC_DIR`` to an empty,
writable folder (a tmpfs; emptied at each start of the service) in the environment of every
process on the host before they start. Each process then writes its values there and
``/metrics`` adds them up (``MultiProcessCollector``). Without it each scrape sees only the
process that answered. Task metrics are counted in the worker's processes: they reach a
``/metrics`` only through a folder shared with a web process on the same host (or a metrics
side-car reading that folder); the queue depth is read from Redis at each scrape, anywhere."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from prometheus_client import REGISTRY, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

logger = logging.getLogger(__name__)

TASKS = Counter(
    "celery_tasks",
    "Celery tasks finished, by task name and outcome (success, failure, retry).",
    ["task", "outcome"],
)
TASK_SECONDS = Histogram(
    "celery_task_duration_seconds",
    "Time a Celery task ran, by task name.",
    ["task"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, float("inf")),
)
TASK_ITEMS = Counter(
    "celery_task_items",
    "What a successful task reported as done (reminders sent, orders assigned...): its integer "
    "result, or each integer of its dict result under 'part'.",
    ["task", "part"],
)


def record_task(*, name: str, state: str, seconds: float | None, retval: Any) -> None:
    TASKS.labels(task=name, outcome=(state or "unknown").lower()).inc()
    if seconds is not None:
        TASK_SECONDS.labels(task=name).observe(seconds)
    if state != "SUCCESS":
        return
    parts = retval.items() if isinstance(retval, dict) else [("", retval)]
    for part, value in parts:
        if isinstance(value, int) and not isinstance(value, bool) and value > 0:
            TASK_ITEMS.labels(task=name, part=str(part)).inc(value)


def _redis_queue_lengths(url: str, queues: list[str]) -> dict[str, int]:
    import redis

    client = redis.Redis.from_url(url, socket_timeout=1, socket_connect_timeout=1)
    try:
        lengths = {}
        for queue in queues:
            # kombu keeps a message with a priority in "<queue>\x06\x16<priority>".
            names = [queue, *(f"{queue}\x06\x16{step}" for step in (3, 6, 9))]
            lengths[queue] = sum(int(client.llen(name)) for name in names)
        return lengths
    finally:
        client.close()


class QueueDepthCollector(Collector):
    """Read at scrape time: one LLEN per queue, only when the broker is Redis."""

    def collect(self) -> Iterator[Metric]:
        url: str = settings.CELERY_BROKER_URL
        if not url.startswith(("redis://", "rediss://")):
            return
        up = GaugeMetricFamily("celery_broker_up", "1 if the broker answered this scrape.")
        depth = GaugeMetricFamily(
            "celery_queue_length", "Messages waiting in a Celery queue.", labels=["queue"]
        )
        try:
            lengths = _redis_queue_lengths(url, list(settings.METRICS_CELERY_QUEUES))
        except Exception as error:  # a scrape reports the broker down, it does not fail
            logger.warning("Celery broker did not answer the queue-depth query: %s", type(error))
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        for queue, length in sorted(lengths.items()):
            depth.add_metric([queue], length)
        yield up
        yield depth


def render() -> bytes:
    """The exposition text of every metric of this process (of the host's processes with
    ``PROMETHEUS_MULTIPROC_DIR``) and of the queues."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = REGISTRY
    queues = CollectorRegistry()
    queues.register(QueueDepthCollector())
    return generate_latest(registry) + generate_latest(queues)
