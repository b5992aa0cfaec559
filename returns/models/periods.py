"""What a licence owes after it is issued (Art. 9.1, 9.2): a return for each period, due some
days after the period ends; the reminders and chasers sent about it, once each; the officer's
task when it is overdue."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from licensing.models.base import Record, choices_check, ordered_check


class Frequency(models.TextChoices):
    MONTHLY = "monthly", _("monthly")
    QUARTERLY = "quarterly", _("quarterly")


class PeriodStatus(models.TextChoices):
    """What the queue and the portal show; computed, never stored."""

    UPCOMING = "upcoming", _("not yet due")
    DUE = "due", _("due")
    OVERDUE = "overdue", _("overdue")
    FILED = "filed", _("filed")
    FILED_LATE = "filed_late", _("filed late")


def filed_late(filed_at: dt.datetime, due_on: dt.date) -> bool:
    """Art. 9.1: filed after the day the return was due (the authority's local day)."""
    return timezone.localdate(filed_at) > due_on


class ReturnPeriod(Record):
    """Art. 9.1, 9.2: one return owed by one licence for one period. Opened by the job
    (``returns.services.periods.open_periods``), once per licence and start date."""

    licence = models.ForeignKey(
        "licensing.Licence",
        on_delete=models.PROTECT,
        related_name="return_periods",
        verbose_name=_("licence"),
    )
    # The holder when the period was opened: the return is the holder's, the licence may be
    # transferred later.
    party = models.ForeignKey(
        "licensing.Party",
        on_delete=models.PROTECT,
        related_name="return_periods",
        verbose_name=_("licensee"),
    )
    frequency = models.CharField(_("frequency"), max_length=16, choices=Frequency.choices)
    starts_on = models.DateField(_("period starts on"))
    ends_on = models.DateField(_("period ends on"))
    due_on = models.DateField(_("due on"), db_index=True)
    # The first version's filing time: set once, by the filing service.
    filed_at = models.DateTimeField(_("filed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("return period")
        verbose_name_plural = _("return periods")
        ordering = ("-starts_on", "pk")
        constraints = [
            models.UniqueConstraint(
                fields=["licence", "starts_on"], name="return_period_once_per_licence"
            ),
            ordered_check("starts_on", "ends_on", "return_period_ordered"),
            ordered_check("ends_on", "due_on", "return_period_due_after_end"),
            choices_check("frequency", Frequency, "return_period_frequency_valid"),
        ]
        indexes = [
            # The chaser job reads the unfiled periods by due date.
            models.Index(
                fields=["due_on", "id"],
                name="return_period_unfiled",
                condition=models.Q(filed_at__isnull=True),
            ),
            models.Index(fields=["party", "starts_on"], name="return_period_party"),
        ]

    def __str__(self) -> str:
        return str(
            _("%(start)s to %(end)s")
            % {"start": f"{self.starts_on:%Y-%m-%d}", "end": f"{self.ends_on:%Y-%m-%d}"}
        )

    def status(self, today: dt.date | None = None) -> str:
        today = today or timezone.localdate()
        if self.filed_at is not None:
            late = filed_late(self.filed_at, self.due_on)
            return PeriodStatus.FILED_LATE if late else PeriodStatus.FILED
        if today > self.due_on:
            return PeriodStatus.OVERDUE
        if today > self.ends_on:
            return PeriodStatus.DUE
        return PeriodStatus.UPCOMING

    def status_label(self) -> str:
        return str(PeriodStatus(self.status()).label)


class ReminderKind(models.TextChoices):
    BEFORE = "before", _("reminder before the due date")
    AFTER = "after", _("chaser after the due date")


class ReturnReminder(Record):
    """One reminder or chaser about one period, written before the e-mail is queued, so that
    a second run of the job finds the row and sends nothing again (as ``ExpiryReminder``)."""

    period = models.ForeignKey(
        ReturnPeriod, on_delete=models.PROTECT, related_name="reminders", verbose_name=_("period")
    )
    kind = models.CharField(_("kind"), max_length=8, choices=ReminderKind.choices)
    days = models.PositiveSmallIntegerField(_("days from the due date"))
    notification = models.ForeignKey(
        "licensing.Notification",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("e-mail to the holder"),
    )

    class Meta:
        verbose_name = _("return reminder")
        verbose_name_plural = _("return reminders")
        ordering = ("-created_at",)
        constraints = [
            models.UniqueConstraint(
                fields=["period", "kind", "days"], name="return_reminder_once_per_threshold"
            ),
            choices_check("kind", ReminderKind, "return_reminder_kind_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.period_id}: {self.kind} {self.days}d"


class ReturnTask(Record):
    """A line in the officers' returns queue: a return not filed by its due date. Opened once
    per period by the chaser job; closed when the return is filed or by an officer."""

    period = models.OneToOneField(
        ReturnPeriod, on_delete=models.PROTECT, related_name="task", verbose_name=_("period")
    )
    opened_on = models.DateField(_("opened on"))
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("closed by"),
    )
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("overdue return task")
        verbose_name_plural = _("overdue return tasks")
        ordering = ("closed_at", "opened_on", "pk")

    def __str__(self) -> str:
        return str(_("Return overdue since %(date)s") % {"date": self.period.due_on})
