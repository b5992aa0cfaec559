"""/healthz and /readyz through the test client: what a load balancer's probe sees when all is
well, and which check it names when the cache, the storage, the migrations or the workers are
not."""

from __future__ import annotations

import time
from typing import Any

import pytest
from django.core.cache import caches
from django.core.files.storage import FileSystemStorage
from django.db.migrations.recorder import MigrationRecorder

from ops.checks import HEARTBEAT_KEY
from ops.tasks import record_worker_heartbeat


class StorageThatCannotWrite(FileSystemStorage):
    def _save(self, name: str, content: Any) -> str:
        raise PermissionError("read-only store")


@pytest.fixture
def worker_checked(settings: Any) -> Any:
    settings.READYZ_WORKER_CHECK = True
    settings.READYZ_WORKER_MAX_AGE_SECONDS = 120
    return settings


def test_healthz_answers_without_the_database_and_sets_no_cookie(client: Any) -> None:
    # No db fixture: pytest-django fails the test if the view touched the database.
    response = client.get("/healthz", HTTP_HOST="10.1.2.3")  # a node named by its address
    assert response.status_code == 200
    assert response.json() == {"status": "alive"}
    assert not response.cookies
    assert "no-store" in response["Cache-Control"]
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.django_db
def test_readyz_is_ready_when_every_check_passes(client: Any, worker_checked: Any) -> None:
    record_worker_heartbeat.delay()
    response = client.get("/readyz", HTTP_HOST="10.1.2.3")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "ready"
    assert {name: check["state"] for name, check in body["checks"].items()} == {
        "database": "ok",
        "migrations": "ok",
        "cache": "ok",
        "storage": "ok",
        "worker": "ok",
    }
    assert not response.cookies
    assert "no-store" in response["Cache-Control"]


@pytest.mark.django_db
def test_readyz_names_the_cache_when_redis_does_not_answer(client: Any, settings: Any) -> None:
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/14",  # nothing listens there
        }
    }
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "not ready"
    assert body["checks"]["cache"]["state"] == "failing"
    assert body["checks"]["database"]["state"] == "ok"
    assert "127.0.0.1" not in response.content.decode()  # the kind of error, not its message


@pytest.mark.django_db
def test_readyz_names_the_storage_that_cannot_write(client: Any, settings: Any) -> None:
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": f"{__name__}.StorageThatCannotWrite"},
    }
    response = client.get("/readyz")
    assert response.status_code == 503
    checks = response.json()["checks"]
    assert checks["storage"] == {"state": "failing", "error": "PermissionError"}
    assert checks["cache"]["state"] == "ok"


@pytest.mark.django_db
def test_readyz_wants_a_worker_heartbeat(client: Any, worker_checked: Any) -> None:
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["worker"] == {"state": "failing", "error": "no heartbeat"}


@pytest.mark.django_db
def test_readyz_refuses_a_heartbeat_older_than_the_limit(client: Any, worker_checked: Any) -> None:
    caches["default"].set(HEARTBEAT_KEY, time.time() - 600)
    response = client.get("/readyz")
    assert response.status_code == 503
    worker = response.json()["checks"]["worker"]
    assert worker["state"] == "failing"
    assert worker["error"] == "heartbeat too old"
    assert worker["age_seconds"] >= 600


@pytest.mark.django_db
def test_readyz_skips_the_worker_without_a_shared_broker(client: Any, settings: Any) -> None:
    settings.READYZ_WORKER_CHECK = False
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["checks"]["worker"] == {"state": "skipped"}


@pytest.mark.django_db
def test_readyz_names_unapplied_migrations(client: Any, settings: Any) -> None:
    settings.READYZ_WORKER_CHECK = False
    latest = MigrationRecorder.Migration.objects.filter(app="licensing").latest("id")
    latest.delete()  # as if the code were newer than the database
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["migrations"] == {"state": "failing", "unapplied": 1}


@pytest.mark.django_db
def test_readyz_runs_only_the_checks_asked_for(client: Any, settings: Any) -> None:
    settings.READYZ_CHECKS = ["database", "migrations", "storage"]
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/14",
        }
    }
    response = client.get("/readyz")
    assert response.status_code == 200
    assert set(response.json()["checks"]) == {"database", "migrations", "storage"}


def test_probes_answer_get_only(client: Any) -> None:
    assert client.post("/healthz").status_code == 405
