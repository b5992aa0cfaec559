"""Removing uploads that never became records.

``store_document`` writes the file inside the caller's transaction; when that transaction rolls
back (a later upload in the same portal step is refused, the database fails), the row goes and
the file stays, named by nothing. Such a file was never a record, so Art. 9.5(a) does not keep
it; it is personal data with no purpose, and the daily job removes it.

What is removed is decided by the storage and the database only: a file under ``documents/``,
``issued/`` (printed documents, whose print can roll back too), ``imports/`` (staged legacy
registers, whose dry run can roll back) or the photo folders, that no ``FileField`` of any
model names and that has not changed for ``older_than``.

On the local filesystem (the default storage, under ``MEDIA_ROOT``) the walk opens every
directory relative to its parent without following symbolic links, and removes a file by its
name in that directory, so neither a link nor a directory swapped for one leads it out of those
folders. Links are left alone. In an object store (``STORAGE_S3_BUCKET``, issue 21) there are
no links: the walk lists each folder through the storage API, checks the names against the
database, and asks the age of the unreferenced ones only."""

from __future__ import annotations

import errno
import logging
import os
import stat
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.files.storage import FileSystemStorage, Storage, storages
from django.db import models
from django.utils import timezone

logger = logging.getLogger(__name__)

# The folders files are stored under: uploads (random_document_path, models/documents.py) and
# printed documents (random_issued_path, models/issued.py). A print whose transaction rolls
# back leaves its PDF like a refused step leaves an upload. A staged legacy register
# (random_import_path, models/imports.py) is named by its LegacyImport for good. The photos of
# destructions, inspections and seized items are written inside their services' transactions.
UPLOAD_DIRS = ("documents", "issued", "imports", "destruction", "inspections", "seizures")
# Names per ``IN (...)`` query: well under every database's limit on query parameters.
BATCH_SIZE = 500

_DIR_FLAGS = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_NOFOLLOW", 0)


def default_orphan_age() -> timedelta:
    """How long an unreferenced upload is left alone: ``UPLOAD_ORPHAN_HOURS``."""
    return timedelta(hours=settings.UPLOAD_ORPHAN_HOURS)


@dataclass
class _Walk:
    cutoff: float
    dry_run: bool
    file_fields: list[tuple[type[models.Model], str]]
    removed: list[str] = field(default_factory=list)
    kept: int = 0


def purge_unreferenced_uploads(*, older_than: timedelta, dry_run: bool = False) -> list[str]:
    """Remove the stored files under ``documents/``, ``issued/``, ``imports/`` and the photo
    folders that no record names and that have not changed for ``older_than``; return their
    names in the storage (with ``dry_run``, the names it would remove, removing nothing). Called by
    the daily task and the ``purge_uploads`` command; safe to run twice or alongside itself.

    A file's age is the later of its modification and status-change times, so a file just
    restored from a backup, with an old modification time, waits ``older_than`` too (in an
    object store, the time it was written)."""
    if older_than <= timedelta(0):
        # A younger file may belong to an upload whose transaction has not committed yet.
        raise ValueError("older_than must be positive")
    storage = storages["default"]  # every FileField's storage
    local = isinstance(storage, FileSystemStorage)
    if local and not (os.unlink in os.supports_dir_fd and os.scandir in os.supports_fd):
        raise NotImplementedError("purging uploads needs directory file descriptors (POSIX)")
    walk = _Walk(
        cutoff=timezone.now().timestamp() - older_than.total_seconds(),
        dry_run=dry_run,
        file_fields=_file_fields(),
    )
    for folder in UPLOAD_DIRS:
        if isinstance(storage, FileSystemStorage):
            _purge_root(Path(storage.location), folder, walk)
        else:
            _purge_stored(storage, folder, walk)
    logger.info(
        "unreferenced uploads older than %s: %d %s, %d referenced files kept",
        older_than,
        len(walk.removed),
        "would be removed (dry run)" if dry_run else "removed",
        walk.kept,
    )
    return walk.removed


def _purge_stored(storage: Storage, folder: str, walk: _Walk) -> None:
    """One folder of an object store, then its subfolders: the listed names are checked
    against the database in batches, and only the unreferenced ones are asked their age (one
    request each), so a daily run costs about one listing per thousand stored files."""
    try:
        directories, files = storage.listdir(folder)
    except FileNotFoundError:
        return  # nothing stored there yet
    names = [f"{folder}/{name}" for name in files]
    referenced = _referenced(names, walk) if names else set()
    walk.kept += len(referenced)
    for path in names:
        if path in referenced:
            continue
        try:
            modified = storage.get_modified_time(path).timestamp()
        except Exception as exc:  # removed meanwhile (a 404), or a store that fails
            logger.warning("could not read the age of %s: %s", path, exc)
            continue
        if modified >= walk.cutoff:
            continue
        if walk.dry_run:
            logger.info("would remove unreferenced upload %s", path)
            walk.removed.append(path)
            continue
        try:
            storage.delete(path)
        except Exception as exc:
            logger.warning("could not remove unreferenced upload %s: %s", path, exc)
            continue
        logger.info("removed unreferenced upload %s", path)
        walk.removed.append(path)
    for name in directories:
        _purge_stored(storage, f"{folder}/{name}", walk)


def _purge_root(media: Path, folder: str, walk: _Walk) -> None:
    root = media / folder
    try:
        root_fd = os.open(root, _DIR_FLAGS)
    except FileNotFoundError:
        return  # nothing stored there yet
    except OSError as exc:
        if exc.errno in (errno.ELOOP, errno.ENOTDIR):
            raise ImproperlyConfigured(
                f"{root} is not a directory (a symbolic link?): point DJANGO_MEDIA_ROOT at the "
                "real folder; unreferenced files are not purged through a link"
            ) from exc
        raise
    try:
        _purge_directory(root_fd, folder, walk)
    finally:
        os.close(root_fd)


def _file_fields() -> list[tuple[type[models.Model], str]]:
    """Every file field of every model: today only ``Document.file``, but a file that any
    record names is never taken for an orphan."""
    return [
        (model, model_field.name)
        for model in apps.get_models()
        for model_field in model._meta.concrete_fields
        if isinstance(model_field, models.FileField)
    ]


def _referenced(names: list[str], walk: _Walk) -> set[str]:
    found: set[str] = set()
    for start in range(0, len(names), BATCH_SIZE):
        chunk = names[start : start + BATCH_SIZE]
        for model, name in walk.file_fields:
            rows = model._base_manager.filter(**{f"{name}__in": chunk}).values_list(name, flat=True)
            found.update(str(row) for row in rows)
    return found


def _purge_directory(dir_fd: int, relative: str, walk: _Walk) -> None:
    """One directory's old files are checked against the database in one batch, then its
    subdirectories are walked, each opened relative to this one."""
    old_files: list[str] = []
    subdirectories: list[str] = []
    with os.scandir(dir_fd) as entries:
        for entry in entries:
            path = f"{relative}/{entry.name}"
            try:
                info = entry.stat(follow_symlinks=False)
            except FileNotFoundError:
                continue  # removed meanwhile
            if stat.S_ISLNK(info.st_mode):
                logger.warning("not following the symbolic link %s", path)
            elif stat.S_ISDIR(info.st_mode):
                subdirectories.append(entry.name)
            elif stat.S_ISREG(info.st_mode) and max(info.st_mtime, info.st_ctime) < walk.cutoff:
                old_files.append(entry.name)
    if old_files:
        referenced = _referenced([f"{relative}/{name}" for name in old_files], walk)
        for name in old_files:
            path = f"{relative}/{name}"
            if path in referenced:
                walk.kept += 1
            elif walk.dry_run:
                logger.info("would remove unreferenced upload %s", path)
                walk.removed.append(path)
            else:
                _remove(dir_fd, name, path, walk)
    for name in subdirectories:
        try:
            child_fd = os.open(name, _DIR_FLAGS, dir_fd=dir_fd)
        except OSError as exc:  # removed, or swapped for a link, since it was listed
            logger.warning("not walking %s/%s: %s", relative, name, exc)
            continue
        try:
            _purge_directory(child_fd, f"{relative}/{name}", walk)
        finally:
            os.close(child_fd)


def _remove(dir_fd: int, name: str, path: str, walk: _Walk) -> None:
    try:
        # By its name in the open directory: a link put there meanwhile is unlinked itself,
        # never its target.
        os.unlink(name, dir_fd=dir_fd)
    except FileNotFoundError:
        return  # another run removed it first
    except OSError as exc:
        logger.warning("could not remove unreferenced upload %s: %s", path, exc)
        return
    logger.info("removed unreferenced upload %s", path)
    walk.removed.append(path)
