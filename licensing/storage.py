"""Where stored files live (issue 21): Django's storage API only, the local filesystem under
``MEDIA_ROOT`` by default, a private S3-compatible bucket when ``STORAGE_S3_BUCKET`` is set
(licensing/settings.py). Every model's ``FileField`` uses the default storage; downloads are
streamed from it by the permission-checked views, never served by URL.

A store that cannot be reached (the bucket's endpoint down, a full disk, refused credentials)
is a ``StorageUnavailable``: a domain error with a message the user can read, raised inside the
service's transaction, so that the rows of the step roll back with the file that was not
written. A file written before the failure and named by no row is removed by the retention job
(licensing/services/retention.py)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.utils.translation import gettext_lazy as _

from licensing.exceptions import DomainError

logger = logging.getLogger(__name__)

try:  # django-storages' S3 backend, installed with the project (boto3)
    from botocore.exceptions import BotoCoreError, ClientError

    _STORE_ERRORS: tuple[type[BaseException], ...] = (OSError, BotoCoreError, ClientError)
except ImportError:  # pragma: no cover - a filesystem-only installation
    _STORE_ERRORS = (OSError,)


class StorageUnavailable(DomainError):
    default_message = _(
        "The document store cannot be reached at the moment, so nothing was saved. "
        "Please try again in a few minutes."
    )


class StorageUnreadable(StorageUnavailable):
    default_message = _(
        "The document store cannot be reached at the moment, so the file cannot be opened. "
        "Please try again in a few minutes."
    )


def open_stored(field_file: Any) -> Any:
    """A stored file opened for reading (a download, a merged batch); the store down,
    ``StorageUnreadable``, which licensing.middleware answers with 503 and the message."""
    try:
        return field_file.open("rb")
    except FileNotFoundError:
        raise  # not an outage: a record whose file is gone, an error for the operator
    except _STORE_ERRORS as error:
        logger.error("the storage refused a read: %s: %s", type(error).__name__, error)
        raise StorageUnreadable() from error


@contextmanager
def storage_errors(what: str = "file") -> Iterator[None]:
    """Around a write to the storage (``field_file.save``): a failure of the store becomes
    ``StorageUnavailable``; the cause is logged for the operator."""
    try:
        yield
    except _STORE_ERRORS as error:
        logger.error("the storage refused a %s: %s: %s", what, type(error).__name__, error)
        raise StorageUnavailable() from error
