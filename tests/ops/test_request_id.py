"""The request id: echoed when well-formed, made when absent or malformed, in every log line of
the request (JSON logs), and carried through Celery's message headers into the task's lines."""

from __future__ import annotations

import io
import json
import logging
import re
from collections.abc import Iterator
from typing import Any

import pytest
from celery import shared_task

from licensing.celery import app
from ops.logs import JsonFormatter, RequestIdFilter
from ops.request_id import current_request_id, reset_request_id, set_request_id

task_logger = logging.getLogger("tests.ops.task")


@shared_task(name="tests.ops.log_a_line")
def log_a_line(text: str) -> None:
    task_logger.warning("task says %s", text)


@pytest.fixture
def json_lines() -> Iterator[io.StringIO]:
    """A handler as the settings make it with LOG_FORMAT=json, on the root logger."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestIdFilter())
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield stream
    finally:
        root.removeHandler(handler)


def lines(stream: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stream.getvalue().splitlines() if line]


def test_a_well_formed_request_id_is_echoed(client: Any) -> None:
    response = client.get("/healthz", HTTP_X_REQUEST_ID="lb-7f3a9c2e-0001")
    assert response["X-Request-ID"] == "lb-7f3a9c2e-0001"


def test_a_request_without_an_id_gets_one(client: Any) -> None:
    first = client.get("/healthz")["X-Request-ID"]
    second = client.get("/healthz")["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", first)
    assert first != second


@pytest.mark.parametrize("given", ["short", "has space inside", "line\nbreak-12345", "x" * 200])
def test_a_malformed_request_id_is_replaced(client: Any, given: str) -> None:
    response = client.get("/healthz", HTTP_X_REQUEST_ID=given)
    assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-ID"])


@pytest.mark.django_db
def test_the_request_id_is_in_the_json_log_lines_of_the_request(
    client: Any, json_lines: io.StringIO
) -> None:
    response = client.get("/no-such-page/", HTTP_X_REQUEST_ID="req-0123456789")
    assert response.status_code == 404
    logged = [line for line in lines(json_lines) if line["logger"] == "django.request"]
    assert logged, json_lines.getvalue()
    assert logged[0]["request_id"] == "req-0123456789"
    assert logged[0]["level"] == "WARNING"
    assert logged[0]["status_code"] == 404
    assert "request" not in logged[0]  # the request object is not written out
    assert current_request_id() == ""  # not carried over to what runs after the request


def test_a_task_queued_in_a_request_carries_its_id_into_the_task_log(
    json_lines: io.StringIO,
) -> None:
    app.conf.task_always_eager = False  # published for real (to memory); restored by conftest
    with app.connection_for_write("memory://") as connection:
        queue = connection.SimpleQueue("celery")
        token = set_request_id("req-queued-42abc")  # as the middleware does in a request
        try:
            log_a_line.apply_async(("hello",), producer=connection.Producer())
        finally:
            reset_request_id(token)
        message = queue.get(timeout=5)
        message.ack()
        queue.close()
    assert message.headers["request_id"] == "req-queued-42abc"
    assert message.headers["task"] == "tests.ops.log_a_line"

    # The worker's side, outside any request: the id comes from the message's headers.
    assert current_request_id() == ""
    log_a_line.apply(("hello",), headers=message.headers)
    task_lines = [line for line in lines(json_lines) if line["logger"] == "tests.ops.task"]
    assert task_lines[0]["message"] == "task says hello"
    assert task_lines[0]["request_id"] == "req-queued-42abc"
    assert task_lines[0]["task_name"] == "tests.ops.log_a_line"
    assert current_request_id() == ""  # restored after the task
