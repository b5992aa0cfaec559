"""The report has no table of its own: it is computed from the other apps' records. This model
only carries its permission (a Django permission needs a content type) and names the kind of
record in the audit events of its downloads."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class PartyReport(models.Model):
    class Meta:
        managed = False
        default_permissions = ()
        # Art. 20.3: confidential by default: senior officers and auditors (reports 0002).
        permissions = [("view_party_report", _("Can read the Party's aggregate report"))]
        verbose_name = _("Party's aggregate report")
        verbose_name_plural = _("Party's aggregate reports")

    def __str__(self) -> str:
        return str(self._meta.verbose_name)


class CaseFlow(models.Model):
    """One month of one kind of application, summed for the management pages (issue 22):
    the pages read these rows, never the applications. Derived data, rebuilt by
    ``reports.case_flow.refresh_month`` (idempotent: a month refreshed twice holds the same
    figures), never edited by hand."""

    month = models.DateField(_("month"), help_text=_("Its first day."))
    kind = models.CharField(_("kind of application"), max_length=16)
    submitted = models.PositiveIntegerField(_("submitted"), default=0)
    approved = models.PositiveIntegerField(_("approved"), default=0)
    refused = models.PositiveIntegerField(_("refused"), default=0)
    withdrawn = models.PositiveIntegerField(_("withdrawn"), default=0)
    open_at_end = models.PositiveIntegerField(_("open at the month's end"), default=0)
    over_deadline = models.PositiveIntegerField(_("decided after the deadline"), default=0)
    # Days from submission to decision of the month's decisions: {"days": count}. Exact
    # medians and percentiles by day, however many decisions, in a few hundred numbers.
    decision_days = models.JSONField(_("days to decision"), default=dict)
    refreshed_at = models.DateTimeField(_("refreshed at"))

    class Meta:
        verbose_name = _("month of case flow")
        verbose_name_plural = _("months of case flow")
        default_permissions = ("view",)
        permissions = [
            ("view_management_information", _("Can read the management information pages"))
        ]
        constraints = [
            models.UniqueConstraint(fields=["month", "kind"], name="case_flow_month_kind_once")
        ]
        ordering = ("month", "kind")

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.kind}"


class GlanceCount(models.Model):
    """One dashboard figure (``licensing.glance``) over the whole register on one day, kept so
    that a tile can show its trend. Written by the hourly job for today (the day's last run
    stands), never edited by hand."""

    day = models.DateField(_("day"))
    key = models.CharField(_("figure"), max_length=40)
    count = models.PositiveIntegerField(_("count"))
    refreshed_at = models.DateTimeField(_("refreshed at"))

    class Meta:
        verbose_name = _("dashboard figure of a day")
        verbose_name_plural = _("dashboard figures by day")
        default_permissions = ()
        constraints = [models.UniqueConstraint(fields=["day", "key"], name="glance_day_key_once")]

    def __str__(self) -> str:
        return f"{self.day} {self.key}"


class MonthlyFigure(models.Model):
    """One month of one series of a management page (``reports.figures``): decisions,
    inspections, returns, fees. ``activity`` and ``region`` are empty on the row that counts
    every activity or region; a record counts once in it, and once under each of its own
    activities and regions, and once under its officer, so that each filter reads its own rows.
    Derived data, rebuilt by ``reports.figures.refresh_month`` (idempotent), never edited by
    hand."""

    month = models.DateField(_("month"), help_text=_("Its first day."))
    figure = models.CharField(_("page"), max_length=24)
    series = models.CharField(_("series"), max_length=40)
    activity = models.CharField(_("activity"), max_length=24, blank=True)
    region = models.CharField(_("region"), max_length=100, blank=True)
    # The officer who decided, inspected or recorded (a user's id), on rows of every activity
    # and region; 0 on the rows of every officer.
    officer = models.BigIntegerField(_("officer"), default=0)
    value = models.DecimalField(_("value"), max_digits=18, decimal_places=2)
    refreshed_at = models.DateTimeField(_("refreshed at"))

    class Meta:
        verbose_name = _("month of a management figure")
        verbose_name_plural = _("months of management figures")
        default_permissions = ()
        constraints = [
            models.UniqueConstraint(
                fields=["figure", "month", "series", "activity", "region", "officer"],
                name="monthly_figure_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.figure} {self.month:%Y-%m} {self.series}"
