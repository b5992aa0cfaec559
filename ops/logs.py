"""Log lines that a log shipper can read: ``LOG_FORMAT=json`` writes one JSON object a line
(time, level, logger, message, request id, and the task's name and id in a worker). The plain
format stays the default, so that ``make run`` prints what it always printed.

The request id reaches every record through a filter on the handler (``RequestIdFilter``), not
through the loggers: records of third-party loggers (Django's, Celery's) carry it too."""

from __future__ import annotations

import datetime as dt
import json
import logging
from typing import Any

from ops.request_id import current_request_id

# Attributes every LogRecord has; anything else was passed with ``extra=`` and is kept.
_STANDARD = frozenset(
    vars(logging.LogRecord("", 0, "", 0, "", None, None)).keys()
    | {"message", "asctime", "request_id", "task_id", "task_name"}
)


class RequestIdFilter(logging.Filter):
    """Sets ``record.request_id`` (and the task's id and name in a worker); never drops."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", ""):
            record.request_id = current_request_id()
        if not hasattr(record, "task_id"):
            from ops.celery_signals import current_task_ids

            task_id, task_name = current_task_ids()
            record.task_id, record.task_name = task_id, task_name
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": dt.datetime.fromtimestamp(record.created, tz=dt.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", "") or current_request_id(),
        }
        for key in ("task_id", "task_name"):
            if getattr(record, key, ""):
                line[key] = getattr(record, key)
        # Plain values passed with ``extra=`` (a status code, an id); objects such as Django's
        # ``request`` are left out: their repr says little and may say too much.
        for key, value in vars(record).items():
            if key in _STANDARD or key.startswith("_"):
                continue
            if value is None or isinstance(value, str | int | float | bool):
                line[key] = value
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            line["stack"] = self.formatStack(record.stack_info)
        return json.dumps(line, ensure_ascii=False, default=str)
