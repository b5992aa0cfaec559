"""/metrics: absent without a token, refused with a wrong one, and with the right one the
request counters of django-prometheus and the task metrics of ops/metrics.py."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
import redis

from licensing.tasks import send_expiry_reminders

TOKEN = "a-long-random-scrape-token"


@pytest.fixture
def token(settings: Any) -> str:
    settings.METRICS_TOKEN = TOKEN
    return TOKEN


def test_metrics_do_not_exist_without_a_token(client: Any, settings: Any) -> None:
    settings.METRICS_TOKEN = ""
    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer ").status_code == 404


def test_metrics_want_the_bearer_token(client: Any, token: str) -> None:
    missing = client.get("/metrics")
    assert missing.status_code == 401
    assert missing["WWW-Authenticate"].startswith("Bearer")
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 403
    assert client.get("/metrics", HTTP_AUTHORIZATION=f"Basic {token}").status_code == 401
    assert not missing.cookies


@pytest.mark.django_db
def test_metrics_count_requests_queries_and_tasks(client: Any, token: str) -> None:
    client.get("/register/")  # a page that reads the database
    send_expiry_reminders.delay()
    response = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    text = response.content.decode()
    assert "django_http_requests_before_middlewares_total" in text
    assert "django_http_responses_total_by_status_view_method_total" in text
    assert "django_db_execute_total" in text
    assert (
        'celery_tasks_total{outcome="success",task="licensing.tasks.send_expiry_reminders"}' in text
    )
    assert (
        'celery_task_duration_seconds_count{task="licensing.tasks.send_expiry_reminders"}' in text
    )


def test_metrics_give_the_depth_of_redis_queues(client: Any, token: str, settings: Any) -> None:
    url = "redis://127.0.0.1:6379/14"
    server = redis.Redis.from_url(url)
    try:
        server.ping()
    except redis.ConnectionError:
        pytest.skip("needs Redis on 127.0.0.1:6379")
    settings.CELERY_BROKER_URL = url
    # This run's own queue: CI runs the suite on PostgreSQL and on SQLite at once, on one Redis.
    queue = f"ops-test-queue-{uuid.uuid4().hex[:8]}"
    settings.METRICS_CELERY_QUEUES = [queue]
    server.rpush(queue, "one", "two")
    try:
        text = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {token}").content.decode()
    finally:
        server.delete(queue)
    assert f'celery_queue_length{{queue="{queue}"}} 2.0' in text
    assert "celery_broker_up 1.0" in text


def test_metrics_report_a_broker_that_does_not_answer(
    client: Any, token: str, settings: Any
) -> None:
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/14"
    response = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200
    assert "celery_broker_up 0.0" in response.content.decode()


def test_a_web_worker_that_ended_leaves_no_live_gauge_behind(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """gunicorn's child_exit hook (scripts/serve web loads ops/gunicorn_conf.py): the live
    gauges of a recycled or killed worker are dropped, its counters are kept for the sums."""
    from types import SimpleNamespace

    from ops.gunicorn_conf import child_exit

    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    for name in ("gauge_livesum_4242.db", "gauge_liveall_4242.db", "counter_4242.db"):
        (tmp_path / name).write_bytes(b"")
    (tmp_path / "gauge_livesum_4343.db").write_bytes(b"")  # a worker still alive
    child_exit(None, SimpleNamespace(pid=4242))
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "counter_4242.db",
        "gauge_livesum_4343.db",
    ]
