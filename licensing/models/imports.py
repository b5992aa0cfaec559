"""An import of a legacy licence register (Art. 9.2, 21.1(a)): an authority moving to this
system brings the licences it has already issued. The uploaded file is kept, with its SHA-256,
so that what was confirmed is exactly what was checked, and so that the import can be proved
later (Art. 9.5(a))."""

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
    VALIDATED = "validated", _("checked, awaiting confirmation")
    IMPORTED = "imported", _("imported")
    FAILED = "failed", _("failed")


def may_import(import_: Any, user: Any) -> bool:
    return bool(user.is_active and user.has_perm(IMPORT_PERMISSION))


class LegacyImport(FSMModelMixin, Record):
    """One legacy register file: staged by a dry run that found no error, then confirmed
    (``imported``) or refused on confirmation (``failed``, with the report of why)."""

    # Non-guessable identifier for admin URLs of the import pages.
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    file = models.FileField(_("file"), upload_to=random_import_path, max_length=200)
    original_name = models.CharField(_("original file name"), max_length=200)
    file_format = models.CharField(_("format"), max_length=8, choices=ImportFormat.choices)
    size = models.PositiveIntegerField(_("size in bytes"))
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    row_count = models.PositiveIntegerField(_("rows"))
    # Counts and the first rows, as the dry run showed them (no personal data beyond names).
    summary = models.JSONField(_("summary"), default=dict, blank=True)
    # The row-level errors that stopped the import on confirmation: [{row, column, message}].
    report = models.JSONField(_("error report"), default=list, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("checked by"),
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
        default=ImportState.VALIDATED,
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

    @transition(
        field=state,
        source=ImportState.VALIDATED,
        target=ImportState.IMPORTED,
        permission=may_import,
        custom={"admin": False},
    )
    def complete(self) -> None:
        pass

    @transition(
        field=state,
        source=ImportState.VALIDATED,
        target=ImportState.FAILED,
        permission=may_import,
        custom={"admin": False},
    )
    def fail(self) -> None:
        pass
