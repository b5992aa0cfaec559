"""Changes of custody (Art. 6.3(h), 14.1(g)) and moves between sites (Art. 6.3(g)), notified by
the holder through the portal and confirmed or rejected by an officer."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField
from django_fsm import FSMField, FSMModelMixin, transition

from equipment.models.machines import perm
from licensing.models.base import Record, choices_check


class NoticeKind(models.TextChoices):
    ACQUISITION = "acquisition", _("acquisition")
    DISPOSAL = "disposal", _("disposal")
    MOVE = "move", _("move to another site")


class NoticeStatus(models.TextChoices):
    NOTIFIED = "notified", _("notified")
    CONFIRMED = "confirmed", _("confirmed")
    REJECTED = "rejected", _("rejected")


class CustodyNotice(FSMModelMixin, Record):
    """One side's notice. A sale between two licensees has two: the seller's disposal and the
    buyer's acquisition; the machine moves once an officer has confirmed both."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=12, choices=NoticeKind.choices)
    machine = models.ForeignKey(
        "equipment.Machine",
        on_delete=models.PROTECT,
        related_name="custody_notices",
        verbose_name=_("machine"),
    )
    # The party that notifies, and the licence it acts under.
    party = models.ForeignKey(
        "licensing.Party", on_delete=models.PROTECT, related_name="+", verbose_name=_("notified by")
    )
    licence = models.ForeignKey(
        "licensing.Licence", on_delete=models.PROTECT, related_name="+", verbose_name=_("licence")
    )
    # The other side: a licence (seller or buyer), or a declared foreign manufacturer or
    # exporter (an acquisition from abroad).
    counterparty_licence = models.ForeignKey(
        "licensing.Licence",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("other party's licence"),
    )
    foreign_supplier = models.CharField(
        _("foreign manufacturer or exporter"), max_length=200, blank=True
    )
    foreign_country = CountryField(_("country of the supplier"), blank=True)
    to_site = models.ForeignKey(
        "licensing.Site",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("site"),
    )
    planned_on = models.DateField(_("planned date"))
    state = FSMField(
        _("status"),
        default=NoticeStatus.NOTIFIED,
        choices=NoticeStatus.choices,
        protected=True,
        db_index=True,
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    # The notice of the other side of the same sale, once both exist.
    counterpart = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("other side's notice"),
    )

    class Meta:
        verbose_name = _("custody notice")
        verbose_name_plural = _("custody notices")
        ordering = ("-created_at",)
        constraints = [choices_check("state", NoticeStatus, "custody_notice_state_valid")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.machine.identifier}"

    @transition(
        field=state,
        source=NoticeStatus.NOTIFIED,
        target=NoticeStatus.CONFIRMED,
        permission=perm("equipment.decide_custody"),
    )
    def confirm(self) -> None:
        pass

    @transition(
        field=state,
        source=NoticeStatus.NOTIFIED,
        target=NoticeStatus.REJECTED,
        permission=perm("equipment.decide_custody"),
    )
    def reject(self) -> None:
        pass


class TaskKind(models.TextChoices):
    LICENCE_ENDED = "licence_ended", _("licence ended: machines to dispose of or destroy")
    DESTRUCTION_OVERDUE = "destruction_overdue", _("destruction date passed without a record")
    CERTIFICATE_MISSING = "certificate_missing", _("witnessed destruction not countersigned")


class OfficerTask(Record):
    """A line in the officers' equipment queue. The key makes each task exist once, however
    often the job or the signal that opens it runs."""

    key = models.CharField(max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=24, choices=TaskKind.choices)
    licence = models.ForeignKey(
        "licensing.Licence",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("licence"),
    )
    order = models.ForeignKey(
        "equipment.DestructionOrder",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tasks",
        verbose_name=_("destruction order"),
    )
    # The role that should act: licence officers or senior officers.
    for_group = models.CharField(_("for"), max_length=40)
    due_on = models.DateField(_("due on"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("closed by"),
    )

    class Meta:
        verbose_name = _("equipment task")
        verbose_name_plural = _("equipment tasks")
        ordering = ("closed_at", "due_on", "pk")

    def __str__(self) -> str:
        return str(self.get_kind_display())
