"""pyHanko's synchronous calls (signing, validating) run their own asyncio loop with
``asyncio.run``, which refuses to start inside a thread whose loop is already running (an ASGI
view, or a test process where a browser driver left its loop set). There they run in a short
worker thread of their own; everywhere else (WSGI, Celery), in the caller's thread."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")


def outside_event_loop(call: Callable[[], T]) -> T:
    try:
        asyncio.get_running_loop()
    except RuntimeError:  # no loop running here: the common case
        return call()
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="pyhanko") as pool:
        return pool.submit(call).result()
