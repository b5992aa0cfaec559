"""An import of a legacy licence register (Art. 9.2, 21.1(a)): an authority moving to this
system brings the licences it has already issued. The uploaded file is kept, with its SHA-256,
so that what was confirmed is exactly what was checked, and so that the import can be proved
later (Art. 9.5(a)).

A national register is checked and written by background jobs (``services.legacy_import``,
``tasks.check_legacy_import`` and ``tasks.write_legacy_import``):

    uploaded -> checking -> validated | refused
    validated -> writing -> imported | failed

``confirm`` is the officer's step (``import_records``); the others are the jobs'."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin, transition

from licensing.models.base import Record, choices_check

IMPORT_PERMISSION = "licensing.import_records"


def random_import_path(instance: LegacyImport, filename: str) -> str:
    # The client's file name is kept in ``original_name`` only; it never reaches the disk.
    return f"imports/{timezone.now():%Y/%m}/{uuid.uuid4().hex}"


class ImportFormat(models.TextChoices):
    CSV = "csv", _("CSV")
    XLSX = "xlsx", _("XLSX")


class ImportState(models.TextChoices):
    UPLOADED = "uploaded", _("uploaded, waiting to be checked")
    CHECKING = "checking", _("being checked")
    VALIDATED = "validated", _("checked, awaiting confirmation")
    REFUSED = "refused", _("refused by the checks")
    WRITING = "writing", _("being imported")
    IMPORTED = "imported", _("imported")
    FAILED = "failed", _("failed")


# A job of the import is running, or waiting for a worker: the page refreshes itself.
RUNNING_STATES = (ImportState.UPLOADED, ImportState.CHECKING, ImportState.WRITING)
FINISHED_STATES = (ImportState.REFUSED, ImportState.IMPORTED, ImportState.FAILED)


def may_import(import_: Any, user: Any) -> bool:
    return bool(user.is_active and user.has_perm(IMPORT_PERMISSION))


class LegacyImport(FSMModelMixin, Record):
    """One legacy register file: uploaded, checked by a job (``validated``, or ``refused`` with
    its report), then confirmed by an officer and written by a job in one transaction
    (``imported``, or ``failed`` with the report of why)."""

    # Non-guessable identifier for admin URLs of the import pages.
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    file = models.FileField(_("file"), upload_to=random_import_path, max_length=200)
    original_name = models.CharField(_("original file name"), max_length=200)
    # Known once the file has been checked.
    file_format = models.CharField(
        _("format"), max_length=8, choices=ImportFormat.choices, blank=True
    )
    size = models.PositiveBigIntegerField(_("size in bytes"))
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    row_count = models.PositiveIntegerField(_("rows"), default=0)
    # Lines of a CSV file counted while it was received, less the header: what the check's
    # progress is measured against until the rows are counted (none for XLSX).
    estimated_rows = models.PositiveIntegerField(_("rows expected"), null=True, blank=True)
    # The language of the officer who uploaded or confirmed: the jobs write the report in it.
    language = models.CharField(_("language"), max_length=16, blank=True)
    # Counts and the first rows, as the dry run showed them (no personal data beyond names).
    summary = models.JSONField(_("summary"), default=dict, blank=True)
    # The row-level errors that refused the file or stopped the import: [{row, column,
    # message}], the first ``IMPORT_MAX_KEPT_ERRORS``; ``error_count`` says how many in all.
    report = models.JSONField(_("error report"), default=list, blank=True)
    error_count = models.PositiveIntegerField(_("errors"), default=0)
    # Progress of the jobs. ``rows_checked`` moves while the check runs (it holds no
    # transaction); ``rows_written`` is set when the write commits, and while it runs the page
    # reads it from the cache (services.legacy_import.import_status).
    rows_checked = models.PositiveIntegerField(_("rows checked"), default=0)
    rows_written = models.PositiveIntegerField(_("rows written"), default=0)
    # Runs of the current job (check or write) started; a worker lost half way leaves the
    # import resumable until ``IMPORT_JOB_ATTEMPTS``, then refused or failed with the reason.
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("confirmed by"),
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    state = FSMField(
        _("state"),
        default=ImportState.UPLOADED,
        choices=ImportState.choices,
        protected=True,
    )

    class Meta:
        verbose_name = _("legacy register import")
        verbose_name_plural = _("legacy register imports")
        ordering = ("-created_at", "-pk")
        permissions = [
            # Senior officers only: an import creates licences without an application and
            # without the four-eyes path of a decision, so it is kept to the role that
            # confirms other officers' decisions.
            ("import_records", _("Can import a legacy licence register")),
        ]
        constraints = [choices_check("state", ImportState, "legacy_import_state_valid")]

    def __str__(self) -> str:
        return f"{self.original_name} ({self.created_at:%Y-%m-%d %H:%M})"

    @property
    def is_running(self) -> bool:
        return self.state in RUNNING_STATES

    @property
    def is_finished(self) -> bool:
        return self.state in FINISHED_STATES

    # The jobs' steps (``by=None``, the system).

    @transition(
        field=state,
        source=[ImportState.UPLOADED, ImportState.CHECKING],
        target=ImportState.CHECKING,
        custom={"admin": False},
    )
    def start_check(self) -> None:
        pass

    @transition(
        field=state,
        source=ImportState.CHECKING,
        target=ImportState.VALIDATED,
        custom={"admin": False},
    )
    def pass_check(self) -> None:
        pass

    @transition(
        field=state,
        source=ImportState.CHECKING,
        target=ImportState.REFUSED,
        custom={"admin": False},
    )
    def refuse(self) -> None:
        pass

    # The officer's step: the write is queued.

    @transition(
        field=state,
        source=ImportState.VALIDATED,
        target=ImportState.WRITING,
        permission=may_import,
        custom={"admin": False},
    )
    def confirm(self) -> None:
        pass

    @transition(
        field=state,
        source=ImportState.WRITING,
        target=ImportState.IMPORTED,
        custom={"admin": False},
    )
    def complete(self) -> None:
        pass

    @transition(
        field=state,
        source=ImportState.WRITING,
        target=ImportState.FAILED,
        custom={"admin": False},
    )
    def fail(self) -> None:
        pass
