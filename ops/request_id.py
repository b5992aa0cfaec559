"""The request id: one short token per web request, in the response's ``X-Request-ID`` header,
in every log line written while the request runs and in the Celery tasks it queues, so that an
operator can follow one officer's click from the load balancer's log through the web node to
the worker that sent the mail.

A context variable, not a thread-local: it is right under threads (gunicorn's gthread), under
ASGI, and in a Celery task, where ``ops.celery_signals`` sets it from the task's headers."""

from __future__ import annotations

import re
import uuid
from contextvars import ContextVar, Token
from typing import Any

# Celery message header that carries it from the web request to the task.
TASK_HEADER = "request_id"

# What a proxy sends (nginx's $request_id, a UUID, an AWS trace id's characters): no spaces,
# quotes or line breaks, so an id read from a client can neither forge nor break a log line.
WELL_FORMED = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:=+-]{7,127}")

_current: ContextVar[str] = ContextVar("request_id", default="")


def new_request_id() -> str:
    return uuid.uuid4().hex


def well_formed(value: str | None) -> bool:
    return bool(value) and WELL_FORMED.fullmatch(value or "") is not None


def current_request_id() -> str:
    """The id of the request (or task) running in this context, "" outside one."""
    return _current.get()


def set_request_id(value: str) -> Token[str]:
    return _current.set(value)


def reset_request_id(token: Token[str]) -> None:
    _current.reset(token)


def clear_request_id(**kwargs: Any) -> None:
    """Also the receiver of ``request_finished``: Django logs a 4xx or 5xx response after the
    middleware has returned, so the id stays set until the response is closed."""
    _current.set("")
