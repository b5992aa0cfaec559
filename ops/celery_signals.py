"""Celery's side of the request id and of the task metrics, connected in ``OpsConfig.ready``.

A task queued while a web request runs carries the request's id in its message headers
(``before_task_publish``); the worker restores it before the task runs (``task_prerun``), so
that the task's log lines name the request that caused them. A task that beat queued has none;
its lines carry the task's id and name instead."""

from __future__ import annotations

import os
import time
from contextvars import ContextVar, Token
from typing import Any

from celery.signals import (
    before_task_publish,
    task_postrun,
    task_prerun,
    worker_process_shutdown,
)

from ops import metrics
from ops.request_id import TASK_HEADER, current_request_id, reset_request_id, set_request_id

_task: ContextVar[tuple[str, str]] = ContextVar("celery_task", default=("", ""))
# task id -> (start, tokens to restore): what task_postrun needs of task_prerun.
_running: dict[str, tuple[float, Token[str], Token[tuple[str, str]]]] = {}


def current_task_ids() -> tuple[str, str]:
    """The (id, name) of the task running in this context, ("", "") outside one."""
    return _task.get()


@before_task_publish.connect
def put_request_id_in_headers(headers: dict[str, Any] | None = None, **kwargs: Any) -> None:
    request_id = current_request_id()
    if request_id and headers is not None:
        headers.setdefault(TASK_HEADER, request_id)


def _request_id_of(task: Any) -> str:
    request = task.request
    # A worker puts the message's headers on the request; ``apply(headers=...)`` nests them.
    return str(
        request.get(TASK_HEADER) or (getattr(request, "headers", None) or {}).get(TASK_HEADER, "")
    )


@task_prerun.connect
def start_task(task_id: str = "", task: Any = None, **kwargs: Any) -> None:
    if task is None:
        return
    # Run eagerly inside a request, a task keeps the request's id.
    request_id = _request_id_of(task) or current_request_id()
    _running[task_id] = (
        time.monotonic(),
        set_request_id(request_id),
        _task.set((task_id, task.name)),
    )


@task_postrun.connect
def finish_task(
    task_id: str = "", task: Any = None, retval: Any = None, state: str = "", **kwargs: Any
) -> None:
    started = _running.pop(task_id, None)
    seconds = None
    if started is not None:
        start, request_token, task_token = started
        seconds = time.monotonic() - start
        try:
            reset_request_id(request_token)
            _task.reset(task_token)
        except ValueError:  # set in another context: nothing of ours to restore there
            pass
    if task is not None:
        metrics.record_task(name=task.name, state=state, seconds=seconds, retval=retval)


@worker_process_shutdown.connect
def forget_live_metrics(pid: int | None = None, **kwargs: Any) -> None:
    """A pool process that ended: its live gauges leave the multi-process metrics folder, as
    gunicorn's workers' do (ops/gunicorn_conf.py)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(pid or os.getpid())
