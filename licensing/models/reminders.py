"""Reminders sent by the jobs (Art. 6.3(f)): one row per licence, term and threshold, written
before the e-mail is queued, so that a second run of the job, a second beat or a redelivered
task finds the row and sends nothing again."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from licensing.models.base import Record
from licensing.models.licences import Licence
from licensing.models.notifications import Notification


class ExpiryReminder(Record):
    """Art. 6.3(f): the holder (and the responsible officer) told that a term ends soon.

    A term is named by the day it ends: a renewal moves ``expires_on``, so the new term's
    reminders have new keys and the old term's rows stay as they were."""

    licence = models.ForeignKey(
        Licence,
        on_delete=models.PROTECT,
        related_name="expiry_reminders",
        verbose_name=_("licence"),
    )
    term_expires_on = models.DateField(_("term expires on"))
    threshold = models.PositiveSmallIntegerField(_("days before expiry"))
    holder_notification = models.ForeignKey(
        Notification,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("e-mail to the holder"),
    )
    officer_notification = models.ForeignKey(
        Notification,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("e-mail to the officer"),
    )

    class Meta:
        verbose_name = _("expiry reminder")
        verbose_name_plural = _("expiry reminders")
        ordering = ("-created_at",)
        constraints = [
            # In the order of the licences' expiry index, (expires_on, id): the reminder job
            # merges a window of reminders with the same window of licences.
            models.UniqueConstraint(
                fields=["term_expires_on", "licence", "threshold"],
                name="expiry_reminder_once_per_term_and_threshold",
            )
        ]
        indexes = [
            # The dashboard counts the reminders of the last days.
            models.Index(fields=["created_at"], name="expiry_reminder_created"),
        ]

    def __str__(self) -> str:
        return f"{self.licence_id}: {self.term_expires_on} -{self.threshold}d"
