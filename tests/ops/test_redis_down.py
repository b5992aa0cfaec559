"""Redis down (issue 21, *Bad input and faults*): the cache answers as an empty one, the pages
serve from PostgreSQL, and nothing written during the outage is read back stale afterwards.

A private ``redis-server`` (tests/licensing/worker_processes.py) plays Redis: stopped, it is a
Redis that cannot be reached; asked for a password it does not get, it is one that refuses the
connection while keeping its data (the case where a stale entry could outlive the outage). The
end-to-end outage (broker, beat's lock, the sweeps resuming the work) is in ``make
cluster-test`` (tests/cluster/faults.py)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from django.core.cache import caches
from django.test import Client, override_settings
from django.urls import reverse

from licensing import cache as resilient
from tests.factories import UserFactory
from tests.licensing.worker_processes import PrivateRedis


@pytest.fixture
def server(tmp_path: Path) -> Iterator[PrivateRedis]:
    private = PrivateRedis(tmp_path)
    private.start()
    yield private
    private.stop()


def cache_settings(url: str) -> dict[str, object]:
    return {
        "default": {
            "BACKEND": "licensing.cache.ResilientRedisCache",
            "LOCATION": url,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }


def test_a_stopped_redis_reads_as_an_empty_cache_and_counts_open(
    server: PrivateRedis, monkeypatch: pytest.MonkeyPatch
) -> None:
    with override_settings(CACHES=cache_settings(server.url)):
        cache = caches["default"]
        cache.set("k", "v")
        assert cache.get("k") == "v"
        server.stop()
        assert cache.get("k", "missing") == "missing"
        assert cache.get_many(["k"]) == {}
        assert cache.add("n", 0) is False
        assert cache.incr("n") == 1  # a rate limit counts this request only: open
        cache.set("k", "w")  # no error
        cache.delete("k")
        assert cache.unreachable


def test_what_changed_during_the_outage_is_not_read_back_stale(
    server: PrivateRedis, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(resilient, "RETRY_SECONDS", 0.0)
    admin = redis.Redis.from_url(server.url)
    with override_settings(CACHES=cache_settings(server.url)):
        cache = caches["default"]
        cache.set("session", "signed in")
        # Redis refuses new connections but keeps its data: the old entry is still there.
        admin.config_set("requirepass", "not-the-application's")
        admin.client_kill_filter(_type="normal", skipme=False)
        cache.delete("session")  # signed out while Redis is unreachable
        assert cache.get("session") is None
        assert cache.unreachable is False  # RETRY_SECONDS is 0 here: tried again at once
        unlocked = redis.Redis.from_url(server.url, password="not-the-application's")
        unlocked.config_set("requirepass", "")
        # Back: the entry written before the outage was removed before anything was read.
        assert cache.get("session") is None
        assert not unlocked.keys("*session*")


def test_a_key_one_thread_changed_during_the_outage_is_not_read_stale_by_another(
    server: PrivateRedis, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A gunicorn worker serves with several threads, each with a cache client of its own: what
    one of them changed during the outage is removed before another reads it."""
    monkeypatch.setattr(resilient, "RETRY_SECONDS", 0.0)
    admin = redis.Redis.from_url(server.url)
    with override_settings(CACHES=cache_settings(server.url)):
        caches["default"].set("session", "signed in")
        admin.config_set("requirepass", "not-the-application's")
        admin.client_kill_filter(_type="normal", skipme=False)
        caches["default"].delete("session")  # signed out on this thread during the outage
        unlocked = redis.Redis.from_url(server.url, password="not-the-application's")
        unlocked.config_set("requirepass", "")
        read: list[object] = []
        other = threading.Thread(target=lambda: read.append(caches["default"].get("session")))
        other.start()
        other.join()
        assert read == [None]
        assert not unlocked.keys("*session*")


@pytest.mark.django_db
def test_pages_serve_and_people_sign_in_with_redis_down(server: PrivateRedis) -> None:
    """Sessions (cached_db), the signed-in user and the sign-in's rate limit all use the cache:
    with Redis stopped an applicant still signs in and reads the portal."""
    user = UserFactory(is_staff=False, role="applicant")
    with override_settings(
        CACHES=cache_settings(server.url),
        SESSION_ENGINE="django.contrib.sessions.backends.cached_db",
        AUTH_CACHE_SECONDS=300,
    ):
        server.stop()
        browser = Client()
        response = browser.post(
            reverse("portal:login"),
            {"username": user.email, "password": "correct horse battery staple"},
        )
        assert response.status_code == 302
        home = browser.get(reverse("portal:home"))
        assert home.status_code == 200
        assert home.wsgi_request.user == user
