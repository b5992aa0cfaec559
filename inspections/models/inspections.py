"""An inspection or periodic audit of a licensee (Art. 6.3(e)), its answers, photos and
findings. States: planned -> in_progress -> submitted -> reviewed; submitted or reviewed ->
reopened -> submitted. Transitions run through ``inspections.services`` only."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin, transition

from licensing.models.base import Record, choices_check


class InspectionKind(models.TextChoices):
    PERIODIC = "periodic", _("periodic audit")
    AD_HOC = "ad_hoc", _("ad hoc inspection")
    FOLLOW_UP = "follow_up", _("follow-up inspection")


class InspectionState(models.TextChoices):
    PLANNED = "planned", _("planned")
    IN_PROGRESS = "in_progress", _("in progress")
    SUBMITTED = "submitted", _("submitted")
    REVIEWED = "reviewed", _("reviewed")
    REOPENED = "reopened", _("reopened")


class Outcome(models.TextChoices):
    COMPLIANT = "compliant", _("compliant")
    REMEDY = "remedy", _("compliant once remedied")
    NON_COMPLIANT = "non_compliant", _("non-compliant")


OPEN_STATES = (InspectionState.PLANNED, InspectionState.IN_PROGRESS, InspectionState.REOPENED)


def assigned_inspector(inspection: Any, user: Any) -> bool:
    """Object level: only the inspector the inspection names carries it out."""
    return bool(
        user.has_perm("inspections.carry_out_inspection") and inspection.inspector_id == user.pk
    )


def reviewer(inspection: Any, user: Any) -> bool:
    return bool(user.has_perm("inspections.review_inspection"))


class Inspection(FSMModelMixin, Record):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    licence = models.ForeignKey(
        "licensing.Licence",
        on_delete=models.PROTECT,
        related_name="inspections",
        verbose_name=_("licence"),
    )
    site = models.ForeignKey(
        "licensing.Site", on_delete=models.PROTECT, related_name="+", verbose_name=_("site")
    )
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="inspections",
        verbose_name=_("inspector"),
    )
    kind = models.CharField(_("kind"), max_length=10, choices=InspectionKind.choices)
    planned_on = models.DateField(_("planned date"), db_index=True)
    # A periodic audit's period (its planned month, "2026-12"): one per licence and period.
    period = models.CharField(_("period"), max_length=7, blank=True)
    follow_up_of = models.ForeignKey(
        "inspections.Finding",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="follow_ups",
        verbose_name=_("follow-up of finding"),
    )
    # The checklist version answered; set when the inspection starts and never changed.
    template = models.ForeignKey(
        "inspections.ChecklistTemplate",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="inspections",
        verbose_name=_("checklist"),
    )
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    serials_seen = models.JSONField(_("serial numbers seen"), default=list, blank=True)
    licensed_capacity = models.PositiveBigIntegerField(
        _("licensed capacity (units a year)"), null=True, blank=True
    )
    observed_capacity = models.PositiveBigIntegerField(
        _("observed capacity (units a year)"), null=True, blank=True
    )
    persons_present = models.TextField(_("persons present"), blank=True)
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices, blank=True)
    summary = models.TextField(_("summary"), blank=True)
    report = models.ForeignKey(
        "licensing.IssuedDocument",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("inspection report"),
    )
    state = FSMField(
        _("state"),
        default=InspectionState.PLANNED,
        choices=InspectionState.choices,
        protected=True,
        db_index=True,
    )

    class Meta:
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")
        ordering = ("planned_on", "pk")
        permissions = [
            ("carry_out_inspection", _("Can carry out the inspections assigned to them")),
            ("review_inspection", _("Can review and reopen inspections")),
        ]
        constraints = [
            # The planning job's idempotence: one periodic audit per licence and period,
            # whatever runs at once.
            models.UniqueConstraint(
                fields=["licence", "period"],
                condition=models.Q(kind="periodic"),
                name="inspection_one_per_licence_period",
            ),
            models.CheckConstraint(
                condition=~models.Q(kind="periodic") | ~models.Q(period=""),
                name="inspection_periodic_has_period",
            ),
            choices_check("state", InspectionState, "inspection_state_valid"),
            # Empty until the inspection is submitted.
            choices_check("outcome", Outcome, "inspection_outcome_valid", blank=True),
        ]

    def __str__(self) -> str:
        return _("Inspection %(id)s of %(licence)s on %(date)s") % {
            "id": self.pk,
            "licence": self.licence.number,
            "date": self.planned_on,
        }

    def is_overdue(self, today: Any = None) -> bool:
        today = today or timezone.localdate()
        return self.state in OPEN_STATES and self.planned_on < today

    @transition(
        field=state,
        source=InspectionState.PLANNED,
        target=InspectionState.IN_PROGRESS,
        permission=assigned_inspector,
    )
    def start(self) -> None:
        pass

    @transition(
        field=state,
        source=[InspectionState.IN_PROGRESS, InspectionState.REOPENED],
        target=InspectionState.SUBMITTED,
        permission=assigned_inspector,
    )
    def submit(self) -> None:
        pass

    @transition(
        field=state,
        source=InspectionState.SUBMITTED,
        target=InspectionState.REVIEWED,
        permission=reviewer,
        custom={"label": _("Review")},
    )
    def review(self) -> None:
        pass

    @transition(
        field=state,
        source=[InspectionState.SUBMITTED, InspectionState.REVIEWED],
        target=InspectionState.REOPENED,
        permission=reviewer,
        custom={"label": _("Reopen"), "reason": True},
    )
    def reopen(self) -> None:
        pass


class Answer(Record):
    inspection = models.ForeignKey(
        Inspection, on_delete=models.PROTECT, related_name="answers", verbose_name=_("inspection")
    )
    question = models.ForeignKey(
        "inspections.Question",
        on_delete=models.PROTECT,
        related_name="answers",
        verbose_name=_("question"),
    )
    value = models.TextField(_("answer"), blank=True)

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [
            models.UniqueConstraint(fields=["inspection", "question"], name="answer_unique")
        ]

    def __str__(self) -> str:
        return self.value[:80]


def random_photo_path(instance: InspectionPhoto, filename: str) -> str:
    # The client's file name never reaches the disk (as for documents and destruction photos).
    return f"inspections/{timezone.now():%Y/%m}/{uuid.uuid4().hex}"


class InspectionPhoto(Record):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    inspection = models.ForeignKey(
        Inspection, on_delete=models.PROTECT, related_name="photos", verbose_name=_("inspection")
    )
    question = models.ForeignKey(
        "inspections.Question",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("question"),
    )
    file = models.FileField(_("file"), upload_to=random_photo_path, max_length=200)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveIntegerField(_("size in bytes"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)

    class Meta:
        verbose_name = _("photo")
        verbose_name_plural = _("photos")

    def __str__(self) -> str:
        return str(self.public_id)


class Severity(models.TextChoices):
    OBSERVATION = "observation", _("observation")
    MINOR = "minor", _("minor")
    MAJOR = "major", _("major")
    CRITICAL = "critical", _("critical")


SERIOUS = (Severity.MAJOR, Severity.CRITICAL)


class FindingKind(models.TextChoices):
    CHECKLIST = "checklist", _("checklist item")
    UNKNOWN_MACHINE = "unknown_machine", _("machine not in the register")
    MISSING_MACHINE = "missing_machine", _("registered machine not found")
    MISMATCH = "mismatch", _("machine does not match the register")
    CAPACITY = "capacity", _("capacity above the licensed capacity")
    OTHER = "other", _("other")


class Finding(Record):
    inspection = models.ForeignKey(
        Inspection, on_delete=models.PROTECT, related_name="findings", verbose_name=_("inspection")
    )
    kind = models.CharField(_("kind"), max_length=16, choices=FindingKind.choices)
    severity = models.CharField(_("severity"), max_length=12, choices=Severity.choices)
    description = models.TextField(_("description"))
    # A finding the system words (a machine check): its message and values, so that each reader
    # reads it in their own language (the holder's report, the inspector's page); empty for a
    # finding an inspector writes, which is shown as written.
    wording = models.JSONField(_("wording"), default=dict, blank=True, editable=False)
    remedy_by = models.DateField(_("remedy by"), null=True, blank=True)
    serial = models.CharField(_("serial number"), max_length=80, blank=True)
    machine = models.ForeignKey(
        "equipment.Machine",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("machine"),
    )
    # Art. 18: the seizure case opened from this finding (``services.seizures``).
    seizure_case = models.ForeignKey(
        "seizures.SeizureCase",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("seizure case"),
        editable=False,
    )

    class Meta:
        verbose_name = _("finding")
        verbose_name_plural = _("findings")
        ordering = ("inspection", "pk")

    def __str__(self) -> str:
        return f"{self.get_severity_display()}: {self.description[:80]}"

    @property
    def text(self) -> str:
        """The finding in the active language."""
        if self.wording.get("msgid"):
            return gettext(self.wording["msgid"]) % self.wording.get("params", {})
        return self.description
