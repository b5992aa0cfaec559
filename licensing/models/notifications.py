"""Outgoing e-mail as rows: written in the transaction that decides, sent after commit by a
task, re-sent by a sweeper if the message to the worker was lost. A unique key makes each
notification exist once, and sending marks it sent, so a retry never sends twice."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from licensing.models.base import Record, choices_check


class NotificationStatus(models.TextChoices):
    QUEUED = "queued", _("queued")
    SENT = "sent", _("sent")
    FAILED = "failed", _("failed")


# A notification that failed this many times is left for an officer, not swept again.
SEND_ATTEMPTS = 10


class Notification(Record):
    key = models.CharField(_("key"), max_length=200, unique=True)
    template = models.CharField(_("template"), max_length=100)
    recipient = models.EmailField(_("recipient"))
    language = models.CharField(_("language"), max_length=8)
    context = models.JSONField(_("context"), default=dict)
    status = models.CharField(
        _("status"),
        max_length=8,
        choices=NotificationStatus.choices,
        default=NotificationStatus.QUEUED,
        db_index=True,
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    event = models.ForeignKey(
        "licensing.AuditEvent",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("audit event"),
    )

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ("-created_at",)
        constraints = [choices_check("status", NotificationStatus, "notification_status_valid")]
        indexes = [
            # The sweeper reads only the rows still to send, oldest first: a short index of
            # the few queued or failed rows, whatever the number sent.
            models.Index(
                fields=["updated_at", "id"],
                condition=models.Q(status__in=["queued", "failed"], attempts__lt=SEND_ATTEMPTS),
                name="notification_unsent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.template} -> {self.recipient} ({self.status})"


class Sequence(models.Model):
    """Counters for human-readable numbers (licences, applications, invoices), incremented
    under a row lock so two transactions never draw the same number."""

    name = models.CharField(max_length=64, primary_key=True)
    value = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name = _("number sequence")
        verbose_name_plural = _("number sequences")

    def __str__(self) -> str:
        return f"{self.name}={self.value}"
