"""Print batches: the registrar prints many licences at once (every licence of a site, or a
selection from the licence list). A batch is a list of items that a Celery job works through;
each item ends printed, skipped or failed, and the batch page shows the progress. Written only by
``services.batches``; like every record, never deleted (Art. 9.5(a))."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from licensing.models.base import Record, choices_check


class PrintBatchState(models.TextChoices):
    QUEUED = "queued", _("queued")
    RUNNING = "running", _("running")
    FINISHED = "finished", _("finished")
    FINISHED_WITH_FAILURES = "finished_with_failures", _("finished with failures")


class ReprintPolicy(models.TextChoices):
    NEW_ONLY = "new_only", _("Print only the licences never printed before")
    REPRINT = "reprint", _("Also reprint the licences printed before (a reason is required)")


class PrintBatchItemState(models.TextChoices):
    PENDING = "pending", _("pending")
    PRINTED = "printed", _("printed")
    SKIPPED = "skipped", _("skipped")
    FAILED = "failed", _("failed")


FINISHED_STATES = (PrintBatchState.FINISHED, PrintBatchState.FINISHED_WITH_FAILURES)


class PrintBatch(Record):
    """One request to print many licences. The state is the job's progress, not a decision
    on a record: it is set by the service that runs the job, and the audit trail keeps who
    started the batch (and who downloaded its PDF), while each printed licence has its own
    ``document issued`` event."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("requested by"),
    )
    # The sites whose licences were chosen, when the batch was started from the site list.
    sites = models.ManyToManyField(
        "licensing.Site", blank=True, related_name="+", verbose_name=_("sites")
    )
    policy = models.CharField(
        _("licences printed before"),
        max_length=16,
        choices=ReprintPolicy.choices,
        default=ReprintPolicy.NEW_ONLY,
    )
    reason = models.TextField(_("reason for the reprints"), blank=True)
    state = models.CharField(
        _("state"),
        max_length=24,
        choices=PrintBatchState.choices,
        default=PrintBatchState.QUEUED,
        db_index=True,
    )
    total = models.PositiveIntegerField(_("licences"), default=0)
    printed_count = models.PositiveIntegerField(_("printed"), default=0)
    skipped_count = models.PositiveIntegerField(_("skipped"), default=0)
    failed_count = models.PositiveIntegerField(_("failed"), default=0)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("print batch")
        verbose_name_plural = _("print batches")
        ordering = ("-created_at", "-pk")
        constraints = [choices_check("state", PrintBatchState, "print_batch_state_valid")]
        indexes = [
            # The job resuming stalled batches reads only the unfinished ones.
            models.Index(
                fields=["updated_at", "id"],
                condition=~models.Q(state__in=["finished", "finished_with_failures"]),
                name="print_batch_unfinished",
            ),
        ]

    def __str__(self) -> str:
        return ngettext(
            "Print batch of %(date)s (%(count)d licence)",
            "Print batch of %(date)s (%(count)d licences)",
            self.total,
        ) % {
            "date": f"{timezone.localtime(self.created_at):%Y-%m-%d %H:%M}"
            if self.created_at
            else "-",
            "count": self.total,
        }

    @property
    def done_count(self) -> int:
        return self.printed_count + self.skipped_count + self.failed_count

    @property
    def remaining(self) -> int:
        return max(self.total - self.done_count, 0)

    @property
    def is_finished(self) -> bool:
        return self.state in FINISHED_STATES

    @property
    def percent(self) -> int:
        return 100 if not self.total else self.done_count * 100 // self.total


class PrintBatchItem(Record):
    """One licence of a batch and what became of it."""

    batch = models.ForeignKey(
        PrintBatch, on_delete=models.PROTECT, related_name="items", verbose_name=_("print batch")
    )
    licence = models.ForeignKey(
        "licensing.Licence",
        on_delete=models.PROTECT,
        related_name="print_batch_items",
        verbose_name=_("licence"),
    )
    position = models.PositiveIntegerField(_("position"))
    state = models.CharField(
        _("state"),
        max_length=16,
        choices=PrintBatchItemState.choices,
        default=PrintBatchItemState.PENDING,
    )
    document = models.ForeignKey(
        "licensing.IssuedDocument",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("printed version"),
    )
    # The English source text of the message (a msgid of our catalogue), translated when it is
    # shown: the registrar who reads it later may use another language than the job did.
    message = models.TextField(_("message"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    processed_at = models.DateTimeField(_("processed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("print batch item")
        verbose_name_plural = _("print batch items")
        ordering = ("batch", "position")
        constraints = [
            models.UniqueConstraint(fields=["batch", "licence"], name="print_batch_licence_once"),
            choices_check("state", PrintBatchItemState, "print_batch_item_state_valid"),
        ]
        indexes = [models.Index(fields=["batch", "state", "position"])]

    def __str__(self) -> str:
        return f"{self.batch_id}/{self.position}"

    def message_display(self) -> str:
        return gettext(self.message) if self.message else ""
