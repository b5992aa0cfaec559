"""Import of a legacy licence register (Art. 9.2, 21.1(a)): an authority moving to this system
brings the licences it has already issued, every row or none, a national register included.

The officer's steps, each a service; the long work runs as Celery jobs (``import_jobs``):

- ``receive_upload``: the file is streamed to private storage (random name) and hashed chunk
  by chunk, never held in memory; a ``LegacyImport`` is stored in state ``uploaded`` with its
  SHA-256 and a ``created`` audit event, and its check is queued (``validated`` or
  ``refused``).
- ``confirm_import``: ``validated`` -> ``writing``, the write queued (``imported`` or
  ``failed``, every row or none).
- ``stage_import``: the upload and its check at once, in this process (a shell, tests).

Only holders of ``licensing.import_records`` (senior officers, migration 0014) upload and
confirm."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from licensing.exceptions import DomainError, PermissionDenied
from licensing.exchange.reading import RowError, UnreadableFile, check_size
from licensing.jobs import enqueue
from licensing.models import ImportState, LegacyImport, Verb
from licensing.models.imports import may_import
from licensing.services.audit import record_event
from licensing.services.import_jobs import check_import, take_step
from licensing.storage import storage_errors
from licensing.transitions import ensure_allowed


class ImportNotPending(DomainError):
    # A second click on "Confirm import", or a confirmation of a refused or running import.
    default_message = _("This import has already been confirmed or refused.")


@dataclass
class DryRun:
    """``stage_import``'s answer: the import as checked (``None`` when the upload itself was
    refused, too large or empty) and the errors found."""

    errors: list[RowError] = field(default_factory=list)
    legacy_import: LegacyImport | None = None

    @property
    def ok(self) -> bool:
        return self.legacy_import is not None and self.legacy_import.state == (
            ImportState.VALIDATED
        )


def _require_permission(by: Any) -> None:
    if not may_import(None, by):
        raise PermissionDenied()


# The upload.


def _digest(upload: UploadedFile) -> tuple[str, int]:
    """SHA-256 and newlines of the upload, a chunk at a time (Django keeps a large upload in a
    temporary file, TemporaryFileUploadHandler)."""
    sha256 = hashlib.sha256()
    newlines = 0
    last = b""
    upload.seek(0)
    for chunk in upload.chunks():
        sha256.update(chunk)
        newlines += chunk.count(b"\n")
        last = chunk[-1:] or last
    upload.seek(0)
    lines = newlines + (1 if last and last != b"\n" else 0)
    return sha256.hexdigest(), lines


def receive_upload(*, upload: UploadedFile, by: Any, queue_check: bool = True) -> LegacyImport:
    """Keep the upload as an import in state ``uploaded`` and queue its check. Holders of
    ``import_records``. A file over ``IMPORT_MAX_BYTES`` or empty raises ``UnreadableFile``
    before a byte of it is read, and nothing is stored.

    The file is hashed as it is read in chunks, then handed to the storage, which moves a
    temporary upload into place (FileSystemStorage) or streams it (object stores)."""
    _require_permission(by)
    check_size(upload.size or 0)
    name = (upload.name or "register")[-200:]
    sha256, lines = _digest(upload)
    with transaction.atomic():
        legacy = LegacyImport(
            original_name=name,
            size=upload.size or 0,
            sha256=sha256,
            estimated_rows=max(lines - 1, 0) if name.lower().endswith((".csv", ".txt")) else None,
            language=translation.get_language() or "",
            uploaded_by=by,
        )
        # A random name under imports/ (random_import_path); the client's name never reaches
        # the disk.
        with storage_errors("legacy register"):
            legacy.file.save("register", upload, save=False)
        legacy.save()
        _record_created(legacy, by)
        if queue_check:
            from licensing.tasks import check_legacy_import

            import_id = legacy.pk
            transaction.on_commit(lambda: enqueue(check_legacy_import, import_id))
    return legacy


def _record_created(legacy: LegacyImport, by: Any) -> None:
    record_event(
        legacy,
        verb=Verb.CREATED,
        by=by,
        to_state=legacy.state,
        changes={"file": legacy.original_name, "sha256": legacy.sha256, "size": legacy.size},
    )


def stage_import(*, upload: UploadedFile, by: Any) -> DryRun:
    """The upload and its check at once, in this process (a shell, the benchmark, tests): the
    same steps as the admin's upload and its job."""
    try:
        legacy = receive_upload(upload=upload, by=by, queue_check=False)
    except UnreadableFile as exc:
        return DryRun(errors=[RowError(0, "", str(exc))])
    legacy = check_import(import_id=legacy.pk)
    return DryRun(errors=report_of(legacy), legacy_import=legacy)


def report_of(legacy: LegacyImport) -> list[RowError]:
    return [
        RowError(int(e.get("row", 0)), str(e.get("column", "")), str(e.get("message", "")))
        for e in legacy.report
    ]


# The confirmation.


def confirm_import(*, import_id: int, by: Any) -> LegacyImport:
    """The confirmation. Holders of ``import_records``. ``validated`` -> ``writing`` and the
    write queued once committed. A second confirmation, of this import in any other state,
    raises ``ImportNotPending``: whoever takes the row lock first confirms; a click that finds
    the row held (by another confirmation, or by the write) or the import no longer
    ``validated`` is refused at once, without waiting for a write of many minutes."""
    _require_permission(by)
    with transaction.atomic():
        # Only a row still ``validated`` is locked: a late click on a confirmed import must
        # not hold the row the write job is about to take (it skips a locked row).
        legacy = (
            LegacyImport.objects.select_for_update(skip_locked=True)
            .filter(pk=import_id, state=ImportState.VALIDATED)
            .first()
        )
        if legacy is None:
            raise ImportNotPending()
        ensure_allowed(legacy, "confirm", by)
        legacy.confirmed_by = by
        legacy.confirmed_at = timezone.now()
        legacy.attempts = 0
        legacy.finished_at = None
        # The write's report is in the language of the officer who confirmed.
        legacy.language = translation.get_language() or legacy.language
        take_step(
            legacy,
            "confirm",
            fields=("confirmed_by", "confirmed_at", "attempts", "finished_at", "language"),
        )
        from licensing.tasks import write_legacy_import

        transaction.on_commit(lambda: enqueue(write_legacy_import, import_id))
    return legacy
