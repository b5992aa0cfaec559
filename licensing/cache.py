"""The cache when Redis is down (issue 21): Django's Redis cache, answering as an empty cache
instead of raising while Redis cannot be reached, so that every page still serves from
PostgreSQL. Sessions are ``cached_db`` (their rows are the truth), the signed-in user and its
permissions come from the database on a miss (licensing/auth_cache.py), and rate limits let the
request through (licensing/ratelimit.py: fail open, as a cache that forgot would).

After a failure the client does not try Redis again for ``RETRY_SECONDS``: each request would
otherwise wait for the connection timeout on every cache call. A value written or removed while
Redis was unreachable would leave Redis holding an older one (a session signed out during the
outage, say): the key is remembered, and removed from Redis before anything else once it
answers again. ``/readyz`` reports the outage (``unreachable``)."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterable
from typing import Any

from django.core.cache.backends.redis import RedisCache, RedisCacheClient

logger = logging.getLogger(__name__)

RETRY_SECONDS = 5.0
# Keys remembered for removal; past this many, the rest are logged (their entries expire).
MAX_STALE_KEYS = 10_000


class _Outage:
    """What the process knows of one Redis's outage. Django makes a cache client per thread;
    this state is the process's, so that a key one thread changed during the outage is removed
    before any thread reads it again. (Another process keeps its own: an outage that left
    Redis's data in place, a network partition, may let another node read such an entry until
    it expires; AUTH_CACHE_SECONDS bounds the signed-in user's.)"""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.down_until = 0.0
        self.stale: set[Any] = set()


_OUTAGES: dict[str, _Outage] = {}
_OUTAGES_LOCK = threading.Lock()


def _outage_of(servers: Any) -> _Outage:
    key = repr(servers)
    with _OUTAGES_LOCK:
        return _OUTAGES.setdefault(key, _Outage())


class ResilientRedisCacheClient(RedisCacheClient):
    def __init__(self, servers: Any, **options: Any) -> None:
        super().__init__(servers, **options)
        lib: Any = self._lib  # type: ignore[attr-defined]  # set by RedisCacheClient
        self._errors = (lib.exceptions.ConnectionError, lib.exceptions.TimeoutError)
        self._outage = _outage_of(servers)

    @property
    def unreachable(self) -> bool:
        return time.monotonic() < self._outage.down_until

    def _call(self, method: str, fallback: Any, *args: Any, writes: Iterable[Any] = ()) -> Any:
        if self.unreachable:
            self._remember(writes)
            return fallback
        outage = self._outage
        try:
            if outage.stale:
                self._remove_stale()
            return getattr(super(), method)(*args)
        except self._errors as error:
            with outage.lock:
                if not self.unreachable:
                    logger.error(
                        "the cache (Redis) cannot be reached: %s; pages are served without it",
                        type(error).__name__,
                    )
                outage.down_until = time.monotonic() + RETRY_SECONDS
            self._remember(writes)
            return fallback

    def _remember(self, keys: Iterable[Any]) -> None:
        outage = self._outage
        with outage.lock:
            for key in keys:
                if len(outage.stale) >= MAX_STALE_KEYS:
                    logger.warning("the cache's outage outlived the keys it can remember")
                    return
                outage.stale.add(key)

    def _remove_stale(self) -> None:
        outage = self._outage
        with outage.lock:
            keys, outage.stale = list(outage.stale), set()
        try:
            super().delete_many(keys)
        except self._errors:
            self._remember(keys)
            raise
        logger.info("the cache is back: %d entries written during the outage removed", len(keys))

    # Reads answer as a miss, writes are remembered, counters count one (rate limits open).
    def get(self, key: Any, default: Any) -> Any:
        return self._call("get", default, key, default)

    def get_many(self, keys: Any) -> Any:
        return self._call("get_many", {}, keys)

    def has_key(self, key: Any) -> Any:
        return self._call("has_key", False, key)

    def add(self, key: Any, value: Any, timeout: Any) -> Any:
        return self._call("add", False, key, value, timeout, writes=[key])

    def set(self, key: Any, value: Any, timeout: Any) -> None:
        self._call("set", None, key, value, timeout, writes=[key])

    def set_many(self, data: Any, timeout: Any) -> None:
        self._call("set_many", None, data, timeout, writes=list(data))

    def touch(self, key: Any, timeout: Any) -> Any:
        return self._call("touch", False, key, timeout)

    def delete(self, key: Any) -> Any:
        return self._call("delete", False, key, writes=[key])

    def delete_many(self, keys: Any) -> None:
        self._call("delete_many", None, keys, writes=list(keys))

    def incr(self, key: Any, delta: Any) -> Any:
        return self._call("incr", delta, key, delta, writes=[key])

    def clear(self) -> Any:
        return self._call("clear", False)


class ResilientRedisCache(RedisCache):
    """``django.core.cache.backends.redis.RedisCache`` with the client above."""

    def __init__(self, server: Any, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = ResilientRedisCacheClient

    @property
    def unreachable(self) -> bool:
        return bool(self._cache.unreachable)  # type: ignore[attr-defined]
