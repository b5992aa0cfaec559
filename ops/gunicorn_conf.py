"""gunicorn's settings that are code: ``scripts/serve web`` passes ``--config
python:ops.gunicorn_conf``; the rest of its settings are on that command line."""

from __future__ import annotations

import os
from typing import Any


def child_exit(server: Any, worker: Any) -> None:
    """A worker that ended (recycled after WEB_MAX_REQUESTS, killed, timed out): its live
    gauges leave the multi-process metrics folder, or ``/metrics`` would add a dead process's
    values for ever (prometheus_client's rule for gunicorn; ops/metrics.py)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
