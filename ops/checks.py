"""The readiness checks behind ``/readyz``: what a web node needs before the load balancer
sends it officers and applicants. Each check is small (one query, one cache round trip, one
tiny file written and removed, one cache read), because the probe comes every few seconds
from every balancer. A check reports a state and at most the kind of error: never a host name,
a path or a message that could carry personal data or a secret.

``READYZ_CHECKS`` chooses which checks run (all by default); a balancer that should keep
sending pages while Redis is down can leave out ``cache`` and ``worker``."""

from __future__ import annotations

import functools
import socket
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import caches
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder

# Written by ops.tasks.record_worker_heartbeat on a worker, read here.
HEARTBEAT_KEY = "ops:worker-heartbeat"


@dataclass
class Result:
    state: str  # "ok", "failing" or "skipped"
    detail: dict[str, object] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.state != "failing"


def _failing(error: BaseException) -> Result:
    return Result("failing", {"error": type(error).__name__})


def check_database() -> Result:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return Result("ok")


@functools.cache
def _migrations_on_disk() -> frozenset[tuple[str, str]]:
    """Every migration of this code (squashed ones in place of what they replace): read from
    disk once per process, since the code does not change under a running process."""
    return frozenset(MigrationLoader(None, ignore_no_migrations=True).graph.nodes)


def check_migrations() -> Result:
    applied = set(MigrationRecorder(connection).applied_migrations())
    missing = _migrations_on_disk() - applied
    if missing:
        return Result("failing", {"unapplied": len(missing)})
    return Result("ok")


def check_cache() -> Result:
    cache = caches["default"]
    key = f"ops:readyz:{socket.gethostname()}"
    value = uuid.uuid4().hex
    cache.set(key, value, timeout=60)
    if getattr(cache, "unreachable", False):  # licensing/cache.py answers as empty meanwhile
        return Result("failing", {"error": "unreachable"})
    if cache.get(key) != value:
        return Result("failing", {"error": "read back a different value"})
    return Result("ok")


def check_storage() -> Result:
    """Writes, reads back and removes a few bytes through the storage API: the same calls an
    upload makes, on the local disk or on an S3 bucket alike."""
    storage = storages["default"]
    name = storage.save(f"ops/readyz/{uuid.uuid4().hex}.txt", ContentFile(b"ready"))
    try:
        with storage.open(name, "rb") as stored:
            if stored.read() != b"ready":
                return Result("failing", {"error": "read back different bytes"})
    finally:
        storage.delete(name)
    return Result("ok")


def worker_check_enabled() -> bool:
    return bool(settings.READYZ_WORKER_CHECK)


def check_worker() -> Result:
    """A worker ran the heartbeat task that beat queues every WORKER_HEARTBEAT_EVERY_SECONDS
    within READYZ_WORKER_MAX_AGE_SECONDS. Needs a broker and a cache shared with the workers:
    skipped where there is none (``make run``'s folder broker and per-process cache)."""
    if not worker_check_enabled():
        return Result("skipped")
    beat = caches["default"].get(HEARTBEAT_KEY)
    if beat is None:
        return Result("failing", {"error": "no heartbeat"})
    age = max(0, round(time.time() - float(beat)))
    if age > settings.READYZ_WORKER_MAX_AGE_SECONDS:
        return Result("failing", {"error": "heartbeat too old", "age_seconds": age})
    return Result("ok", {"age_seconds": age})


CHECKS: dict[str, Callable[[], Result]] = {
    "database": check_database,
    "migrations": check_migrations,
    "cache": check_cache,
    "storage": check_storage,
    "worker": check_worker,
}


def run_checks() -> dict[str, Result]:
    results = {}
    for name in settings.READYZ_CHECKS:
        check = CHECKS[name]
        try:
            results[name] = check()
        except Exception as error:  # a check that raises is a failing check, not a 500
            results[name] = _failing(error)
    return results
