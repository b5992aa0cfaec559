"""The legacy register import's background jobs (Art. 9.2, 21.1(a); docs/legacy-import.md):
the check (``check_import``, task ``check_legacy_import``) and the write (``write_import``, task
``write_legacy_import``) of an import that ``services.legacy_import`` received or confirmed,
their progress, and the sweep that resumes them (``stalled_imports``, task
``resume_legacy_imports``).

- The check reads the stored file as a stream and writes nothing but the import's own row:
  ``uploaded`` -> ``checking`` -> ``validated`` (with the preview) or ``refused`` (with the
  row-level report and an ``import_failed`` event), its messages in the officer's language.
- The write checks the stored file's SHA-256, then checks every row again against the database
  as it is now and writes the whole register in ONE transaction: ``writing`` -> ``imported``
  (with an ``imported`` event), or nothing and ``failed`` (with the report and an
  ``import_failed`` event).

Safe to run twice and to be killed half way (DESIGN.md, Jobs): each run first takes the
import's row and looks at its state, so a redelivered message finds the work done and does
nothing; the write holds that row locked for its whole transaction, so a second write job skips
it (``SKIP LOCKED``) rather than wait; a worker lost half way leaves nothing written and the
import in ``checking`` or ``writing``, which ``resume_legacy_imports`` queues again once it has
not moved for ``RESUME_AFTER``. Each run counts an attempt, committed before the work starts;
after ``IMPORT_JOB_ATTEMPTS`` the import is refused or failed with that reason, never stuck.

Progress (rows checked, rows written) goes to the cache, and the check's also to its column
(the check holds no transaction). The write is one transaction: a column updated inside it
stays invisible to the page until the commit, and an update through a second connection would
wait for the row lock the write holds. The cache (Redis in production, shared by web and
worker processes) is outside the transaction. On a laptop without Redis the cache is per
process, and the page shows the rows written when the write ends."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import time
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext, ngettext

from licensing.exchange.reading import RowError
from licensing.models import ImportState, LegacyImport, Verb
from licensing.services.common import locked, run_transition
from licensing.services.import_writing import (
    RegisterRefused,
    check_register_file,
    write_register_file,
)
from licensing.transitions import ensure_allowed

logger = logging.getLogger(__name__)

# A job that has not moved for this long lost its worker or its message: it is queued again.
RESUME_AFTER = dt.timedelta(minutes=10)
# How long the cache keeps a job's progress: longer than any job runs.
PROGRESS_SECONDS = 24 * 3600
READ_CHUNK = 1024 * 1024
# A job finding the import's row held tries again this often, this far apart (seconds).
LOCK_TRIES = 20
LOCK_PAUSE = 0.05


class _Refused(Exception):
    """Control flow inside this module: the import cannot go on; never shown as such."""

    def __init__(self, errors: list[RowError], error_count: int | None = None) -> None:
        super().__init__(f"{error_count or len(errors)} errors")
        self.errors = errors
        self.error_count = error_count if error_count is not None else len(errors)


def _language(legacy: LegacyImport) -> str:
    return legacy.language or settings.LANGUAGE_CODE


def max_attempts() -> int:
    return max(int(settings.IMPORT_JOB_ATTEMPTS), 1)


# What the jobs share.


def _progress_key(import_id: int) -> str:
    return f"licensing:legacy-import:{import_id}:progress"


def _report_progress(import_id: int, phase: str, rows: int) -> None:
    try:
        cache.set(
            _progress_key(import_id),
            {"phase": phase, "rows": rows, "at": time.time()},
            PROGRESS_SECONDS,
        )
    except Exception:  # the cache is a window on the job, never a reason to stop it
        logger.warning("legacy import %s: progress not cached", import_id, exc_info=True)


def _cached_progress(import_id: int) -> dict[str, Any] | None:
    try:
        value = cache.get(_progress_key(import_id))
    except Exception:
        logger.warning("legacy import %s: progress not read", import_id, exc_info=True)
        return None
    return value if isinstance(value, dict) else None


def _recently_alive(legacy: LegacyImport, now: dt.datetime) -> bool:
    """Whether a job on this import showed a sign of life within ``RESUME_AFTER``: its row
    written (the check's progress) or its progress cached (the write's)."""
    since = now - RESUME_AFTER
    if legacy.updated_at >= since:
        return True
    progress = _cached_progress(legacy.pk)
    return bool(progress and float(progress.get("at", 0)) >= since.timestamp())


def take_step(legacy: LegacyImport, name: str, *, fields: tuple[str, ...] = ()) -> None:
    """A job's step of the state machine: the job's progress, like a print batch's running
    state, and not an event of the trail (which has the upload, the refusal or failure, and
    the import)."""
    ensure_allowed(legacy, name, None)
    getattr(legacy, name)()
    legacy.save(update_fields=["state", "updated_at", *fields])


def _interrupted(legacy: LegacyImport) -> RowError:
    if legacy.state == ImportState.WRITING:
        message = ngettext(
            "The import was stopped %(count)d time before it was written (a lost worker or a "
            "technical error); nothing was written. Upload the file again, or tell the system "
            "administrator.",
            "The import was stopped %(count)d times before it was written (a lost worker or a "
            "technical error); nothing was written. Upload the file again, or tell the system "
            "administrator.",
            legacy.attempts,
        )
    else:
        message = ngettext(
            "The check was stopped %(count)d time before it ended (a lost worker or a technical "
            "error). Upload the file again, or tell the system administrator.",
            "The check was stopped %(count)d times before it ended (a lost worker or a technical "
            "error). Upload the file again, or tell the system administrator.",
            legacy.attempts,
        )
    return RowError(0, "", message % {"count": legacy.attempts})


def _lock_briefly_held(import_id: int) -> LegacyImport | None:
    """The import's row, locked; ``None`` while another job holds it. A confirmation click
    holds the row for a moment only, so a held row is tried again for about a second before
    the job leaves it to whoever holds it (a write holds it for minutes)."""
    for _ in range(LOCK_TRIES):
        legacy = (
            LegacyImport.objects.select_for_update(skip_locked=True).filter(pk=import_id).first()
        )
        if legacy is not None or not LegacyImport.objects.filter(pk=import_id).exists():
            return legacy
        time.sleep(LOCK_PAUSE)
    return None


@transaction.atomic
def _begin(import_id: int, states: tuple[str, ...], step: str = "") -> LegacyImport | None:
    """Take the import for one run of a job: ``None`` when it is not this job's to run (done,
    or another job holds it or moved it lately). The attempt is counted and committed before
    the work starts, so that a run that kills its worker still counts."""
    legacy = _lock_briefly_held(import_id)
    if legacy is None or legacy.state not in states:
        return None  # a write holds the row, or the work is done
    if legacy.attempts and _recently_alive(legacy, timezone.now()):
        return None  # a run started before may still be at work: the sweep looks again later
    with translation.override(_language(legacy)):
        if legacy.attempts >= max_attempts():
            _finish_refused(legacy, [_interrupted(legacy)])
            return None
    legacy.attempts += 1
    if step:
        take_step(legacy, step, fields=("attempts",))
    else:
        legacy.save(update_fields=["attempts", "updated_at"])
    return legacy


def _finish_refused(legacy: LegacyImport, errors: list[RowError], count: int = 0) -> None:
    """``checking`` -> ``refused`` or ``writing`` -> ``failed``, with the report; the caller
    holds the row lock."""
    legacy.report = [error.as_dict() for error in errors]
    legacy.error_count = max(count, len(errors))
    legacy.finished_at = timezone.now()
    name = "refuse" if legacy.state == ImportState.CHECKING else "fail"
    run_transition(
        legacy,
        name,
        by=None,
        actor=legacy.confirmed_by if name == "fail" else legacy.uploaded_by,
        verb=Verb.IMPORT_FAILED,
        extra_fields=("report", "error_count", "finished_at"),
        changes={"errors": legacy.error_count},
    )


def _verify_stored(legacy: LegacyImport) -> None:
    """The stored file is the file that was uploaded: its SHA-256, read in chunks."""
    sha256 = hashlib.sha256()
    with legacy.file.open("rb") as stored:
        while chunk := stored.read(READ_CHUNK):
            sha256.update(chunk)
    if sha256.hexdigest() != legacy.sha256:
        raise _Refused(
            [RowError(0, "", gettext("The stored file is not the file that was checked."))]
        )


# The check.


def check_import(*, import_id: int) -> LegacyImport:
    """The check job: ``uploaded`` -> ``checking`` -> ``validated`` | ``refused``. Reads the
    stored file as a stream and writes nothing but the import's own row; its messages are in
    the language of the officer who uploaded. Run twice, the second finds it done."""
    legacy = _begin(import_id, (ImportState.UPLOADED, ImportState.CHECKING), "start_check")
    if legacy is None:
        return LegacyImport.objects.get(pk=import_id)
    with translation.override(_language(legacy)):
        try:
            _verify_stored(legacy)
            with legacy.file.open("rb") as stored:
                checked = check_register_file(
                    stored,
                    legacy.original_name,
                    progress=lambda rows: _checked_so_far(import_id, rows),
                )
        except _Refused as refused:
            return _end_check(import_id, None, refused)
        return _end_check(import_id, checked, None)


def _checked_so_far(import_id: int, rows: int) -> None:
    # No transaction is open during the check: this update is seen at once, by the page and
    # by the sweep (updated_at: the job is alive).
    LegacyImport.objects.filter(pk=import_id, state=ImportState.CHECKING).update(
        rows_checked=rows, updated_at=timezone.now()
    )
    _report_progress(import_id, "check", rows)


@transaction.atomic
def _end_check(import_id: int, checked: Any, refused: _Refused | None) -> LegacyImport:
    legacy = locked(LegacyImport, import_id)
    if legacy.state != ImportState.CHECKING:
        return legacy  # another run of the check finished first
    if checked is not None:
        legacy.file_format = checked.file_format or ""
        legacy.row_count = checked.row_count
        legacy.rows_checked = checked.row_count
        legacy.summary = checked.summary() if checked.ok else {}
    fields = ("file_format", "row_count", "rows_checked", "summary")
    if refused is None and checked is not None and checked.ok:
        legacy.finished_at = timezone.now()
        take_step(legacy, "pass_check", fields=(*fields, "finished_at"))
        return legacy
    legacy.save(update_fields=[*fields, "updated_at"])
    if refused is None:
        refused = _Refused(list(checked.errors), checked.error_count)
    _finish_refused(legacy, refused.errors, refused.error_count)
    return legacy


def write_import(*, import_id: int) -> LegacyImport:
    """The write job: ``writing`` -> ``imported`` | ``failed``, in one transaction that holds
    the import's row locked. Any error, found by the checks or at write time, rolls every row
    back; the import is then ``failed`` with its report. Run twice, the second finds it done
    (or held by the first, and skips it)."""
    if _begin(import_id, (ImportState.WRITING,)) is None:
        return LegacyImport.objects.get(pk=import_id)
    with transaction.atomic():
        legacy = (
            LegacyImport.objects.select_for_update(skip_locked=True)
            .filter(pk=import_id, state=ImportState.WRITING)
            .first()
        )
        if legacy is None:
            return LegacyImport.objects.get(pk=import_id)
        with translation.override(_language(legacy)):
            try:
                _verify_stored(legacy)
                counts = _write(legacy)
            except _Refused as refused:
                _finish_refused(legacy, refused.errors, refused.error_count)
                return legacy
        legacy.rows_written = counts.get("licences", legacy.row_count)
        legacy.finished_at = timezone.now()
        run_transition(
            legacy,
            "complete",
            by=legacy.confirmed_by,
            verb=Verb.IMPORTED,
            extra_fields=("rows_written", "finished_at"),
            changes=counts,
        )
    _report_progress(import_id, "write", legacy.rows_written)
    return legacy


def _write(legacy: LegacyImport) -> dict[str, int]:
    """Every row, in a savepoint of the caller's transaction: on any error the rows roll back
    and the import's row stays locked for the failure to be recorded."""
    import_id = legacy.pk
    try:
        with transaction.atomic(), legacy.file.open("rb") as stored:
            return write_register_file(
                stored,
                legacy.original_name,
                legacy=legacy,
                by=legacy.confirmed_by,
                progress=lambda rows: _report_progress(import_id, "write", rows),
            )
    except RegisterRefused as refused:
        raise _Refused(list(refused.errors), refused.error_count) from refused
    except (IntegrityError, ValidationError) as exc:
        message = gettext("The import could not be written, and nothing was: %(error)s") % {
            "error": exc
        }
        raise _Refused([RowError(0, "", message)]) from exc


# Reading the progress, and the sweep.


def import_status(legacy: LegacyImport) -> dict[str, Any]:
    """The progress as the import page and its script read it. While the write runs, the
    rows written come from the cache (the module's docstring says why)."""
    rows_checked, rows_written = legacy.rows_checked, legacy.rows_written
    progress = _cached_progress(legacy.pk) if legacy.is_running else None
    if progress and legacy.state == ImportState.CHECKING and progress.get("phase") == "check":
        rows_checked = max(rows_checked, int(progress.get("rows", 0)))
    if progress and legacy.state == ImportState.WRITING and progress.get("phase") == "write":
        rows_written = int(progress.get("rows", 0))
    writing = legacy.state in (ImportState.WRITING, ImportState.IMPORTED, ImportState.FAILED)
    if writing:
        total: int | None = legacy.row_count
        done = rows_written
    else:
        total = legacy.row_count if legacy.state != ImportState.CHECKING else None
        total = total or legacy.estimated_rows
        done = rows_checked
    percent = min(done * 100 // total, 100) if total else None
    if legacy.state in (ImportState.VALIDATED, ImportState.IMPORTED):
        percent = 100
    return {
        "state": legacy.state,
        "state_label": str(legacy.get_state_display()),
        "running": legacy.is_running,
        "phase": "write" if writing else "check",
        "rows_checked": rows_checked,
        "rows_written": rows_written,
        "total": total,
        "done": done,
        "percent": percent,
        "errors": legacy.error_count,
    }


def stalled_imports(now: dt.datetime | None = None) -> list[tuple[int, str]]:
    """Imports whose job has not moved for ``RESUME_AFTER`` (a lost message or worker), with
    their state. A write still at work holds its row; its job skips it when queued again."""
    now = now or timezone.now()
    running = LegacyImport.objects.filter(
        state__in=(ImportState.UPLOADED, ImportState.CHECKING, ImportState.WRITING),
        updated_at__lt=now - RESUME_AFTER,
    ).order_by("pk")
    return [
        (legacy.pk, legacy.state)
        for legacy in running.only("pk", "state", "updated_at")
        if not _recently_alive(legacy, now)
    ]
