"""Checklist templates (Art. 6.3(e)): one series of versions per activity group. An inspection
keeps the version it was started with; a new version is a new row, so old answers never change
meaning."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from licensing.models.activities import Activity
from licensing.models.base import Record


class ActivityGroup(models.TextChoices):
    MANUFACTURING = "manufacturing", _("manufacturing")
    IMPORT_EXPORT = "import_export", _("import and export")
    WHOLESALE = "wholesale", _("wholesale and warehousing")
    RETAIL = "retail", _("retail")


# The group whose checklist an inspection of a licence uses: the first that any of its
# activities falls in, manufacturing first (the widest checks).
GROUP_OF_ACTIVITY = {
    Activity.MANUFACTURE_PRODUCTS: ActivityGroup.MANUFACTURING,
    Activity.MANUFACTURE_EQUIPMENT: ActivityGroup.MANUFACTURING,
    Activity.IMPORT: ActivityGroup.IMPORT_EXPORT,
    Activity.EXPORT: ActivityGroup.IMPORT_EXPORT,
    Activity.WHOLESALE: ActivityGroup.WHOLESALE,
    Activity.WAREHOUSING: ActivityGroup.WHOLESALE,
    Activity.DISTRIBUTION: ActivityGroup.WHOLESALE,
    Activity.BROKERING: ActivityGroup.WHOLESALE,
    Activity.TRANSPORT: ActivityGroup.WHOLESALE,
    Activity.GROWING: ActivityGroup.WHOLESALE,
    Activity.RETAIL: ActivityGroup.RETAIL,
}
GROUP_ORDER = list(ActivityGroup)


def group_for(activities: list[str]) -> ActivityGroup:
    groups = {GROUP_OF_ACTIVITY[Activity(a)] for a in activities if a in Activity.values}
    return next((g for g in GROUP_ORDER if g in groups), ActivityGroup.RETAIL)


class AnswerType(models.TextChoices):
    YES_NO = "yes_no", _("yes / no / not applicable")
    NUMBER = "number", _("number")
    TEXT = "text", _("text")
    PHOTO = "photo", _("photo")


class ChecklistTemplate(Record):
    group = models.CharField(_("activity group"), max_length=16, choices=ActivityGroup.choices)
    version = models.PositiveIntegerField(_("version"))
    title = models.CharField(_("title"), max_length=200)

    class Meta:
        verbose_name = _("checklist template")
        verbose_name_plural = _("checklist templates")
        ordering = ("group", "-version")
        constraints = [
            models.UniqueConstraint(fields=["group", "version"], name="checklist_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.title} v{self.version}"

    @property
    def in_use(self) -> bool:
        return self.inspections.exists()


class Question(Record):
    template = models.ForeignKey(
        ChecklistTemplate,
        on_delete=models.PROTECT,
        related_name="questions",
        verbose_name=_("checklist template"),
    )
    position = models.PositiveIntegerField(_("position"))
    text = models.CharField(_("question"), max_length=300)
    article = models.CharField(_("article"), max_length=40, blank=True)
    answer_type = models.CharField(_("answer type"), max_length=8, choices=AnswerType.choices)
    mandatory = models.BooleanField(_("mandatory"), default=True)

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ("template", "position")
        constraints = [
            models.UniqueConstraint(
                fields=["template", "position"], name="checklist_question_position"
            )
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.text}"
