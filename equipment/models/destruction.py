"""Supervised destruction (Art. 6.3(i), 18): the order, the inspector's record of what was
witnessed, and its photos."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin, transition

from equipment.models.machines import perm
from licensing.models.base import Record, choices_check


class DestructionMethod(models.TextChoices):
    SHREDDING = "shredding", _("shredding")
    CRUSHING = "crushing", _("crushing")
    CUTTING = "cutting", _("cutting up")
    SMELTING = "smelting", _("smelting")
    OTHER = "other", _("other method")


class OrderState(models.TextChoices):
    REQUESTED = "requested", _("requested")
    SCHEDULED = "scheduled", _("scheduled")
    WITNESSED = "witnessed", _("witnessed")
    CERTIFIED = "certified", _("certified")
    CANCELLED = "cancelled", _("cancelled")


class OrderOrigin(models.TextChoices):
    HOLDER = "holder", _("requested by the holder")
    OFFICER = "officer", _("ordered by an officer")


def nobody(order: Any, user: Any) -> bool:
    return False


def assigned_inspector(order: Any, user: Any) -> bool:
    """Object level: only the inspector the order names records what was witnessed."""
    return bool(user.has_perm("equipment.witness_destruction") and order.inspector_id == user.pk)


class DestructionOrder(FSMModelMixin, Record):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    origin = models.CharField(_("origin"), max_length=8, choices=OrderOrigin.choices)
    licence = models.ForeignKey(
        "licensing.Licence",
        on_delete=models.PROTECT,
        related_name="destruction_orders",
        verbose_name=_("licence"),
    )
    site = models.ForeignKey(
        "licensing.Site", on_delete=models.PROTECT, related_name="+", verbose_name=_("site")
    )
    machines = models.ManyToManyField(
        "equipment.Machine", related_name="destruction_orders", verbose_name=_("machines")
    )
    parts = models.ManyToManyField(
        "equipment.Part", blank=True, related_name="destruction_orders", verbose_name=_("parts")
    )
    method = models.CharField(_("method"), max_length=12, choices=DestructionMethod.choices)
    planned_on = models.DateField(_("planned date"), db_index=True)
    reason = models.TextField(_("reason"), blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("requested by"),
    )
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="destruction_orders",
        verbose_name=_("supervising inspector"),
    )
    # The inspector's record (Art. 6.3(i)).
    witnessed_at = models.DateTimeField(_("destroyed at"), null=True, blank=True)
    witnessed_method = models.CharField(
        _("method used"), max_length=12, choices=DestructionMethod.choices, blank=True
    )
    witnesses = models.TextField(_("witnesses present"), blank=True)
    serials_seen = models.JSONField(_("serial numbers seen"), default=list, blank=True)
    # A serial typed on site that matches no machine of the order: recorded, not refused.
    findings = models.JSONField(_("findings"), default=list, blank=True)
    countersigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("countersigned by"),
    )
    countersigned_at = models.DateTimeField(_("countersigned at"), null=True, blank=True)
    certificate = models.ForeignKey(
        "licensing.IssuedDocument",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("destruction certificate"),
    )
    state = FSMField(
        _("state"),
        default=OrderState.REQUESTED,
        choices=OrderState.choices,
        protected=True,
        db_index=True,
    )

    class Meta:
        verbose_name = _("destruction order")
        verbose_name_plural = _("destruction orders")
        ordering = ("planned_on", "pk")
        constraints = [choices_check("state", OrderState, "destruction_order_state_valid")]

    def __str__(self) -> str:
        return _("Destruction %(id)s on %(date)s") % {"id": self.pk, "date": self.planned_on}

    @transition(
        field=state, source=OrderState.REQUESTED, target=OrderState.SCHEDULED, permission=nobody
    )
    def schedule(self) -> None:
        """An inspector was assigned (the assignment job)."""

    @transition(
        field=state,
        source=OrderState.SCHEDULED,
        target=OrderState.WITNESSED,
        permission=assigned_inspector,
    )
    def witness(self) -> None:
        pass

    @transition(
        field=state,
        source=OrderState.WITNESSED,
        target=OrderState.CERTIFIED,
        permission=perm("equipment.countersign_destruction"),
        custom={"label": _("Countersign")},
    )
    def certify(self) -> None:
        pass

    @transition(
        field=state,
        source=[OrderState.REQUESTED, OrderState.SCHEDULED],
        target=OrderState.CANCELLED,
        permission=perm("equipment.order_destruction"),
        custom={"label": _("Cancel"), "reason": True},
    )
    def cancel(self) -> None:
        pass

    def is_overdue(self, today: Any = None) -> bool:
        today = today or timezone.localdate()
        return self.state == OrderState.SCHEDULED and self.planned_on < today


def random_photo_path(instance: DestructionPhoto, filename: str) -> str:
    # The client's file name never reaches the disk (as for documents, models/documents.py).
    return f"destruction/{timezone.now():%Y/%m}/{uuid.uuid4().hex}"


class DestructionPhoto(Record):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    order = models.ForeignKey(
        DestructionOrder, on_delete=models.PROTECT, related_name="photos", verbose_name=_("order")
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
