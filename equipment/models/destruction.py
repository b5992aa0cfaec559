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
from equipment.serials import normalised_serial
from licensing.models.base import Record, choices_check, positive_check


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
    # A holder's machines are destroyed at their site under their licence; seized stock
    # (Art. 18), which may have no licence or holder, where the authority keeps it (``place``).
    licence = models.ForeignKey(
        "licensing.Licence",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="destruction_orders",
        verbose_name=_("licence"),
    )
    site = models.ForeignKey(
        "licensing.Site",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("site"),
    )
    place = models.CharField(_("place of destruction"), max_length=300, blank=True)
    # The region of ``place``, for the choice of the supervising inspector.
    region = models.CharField(_("region"), max_length=120, blank=True)
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
        constraints = [
            choices_check("state", OrderState, "destruction_order_state_valid"),
            # A holder's order names its licence and site; only an officer orders the
            # destruction of seized stock, at a place it names.
            models.CheckConstraint(
                condition=models.Q(licence__isnull=False, site__isnull=False)
                | models.Q(origin=OrderOrigin.OFFICER, licence__isnull=True, place__gt=""),
                name="destruction_order_subject",
            ),
        ]

    def __str__(self) -> str:
        return _("Destruction %(id)s on %(date)s") % {"id": self.pk, "date": self.planned_on}

    @property
    def holder(self) -> Any:
        return self.licence.holder if self.licence is not None else None

    @property
    def where(self) -> str:
        """The site, or for seized stock the place the authority keeps it."""
        if self.site is not None:
            site = self.site
            return f"{site.name}, {site.street_address}, {site.postal_code} {site.municipality}"
        return self.place

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


class LineKind(models.TextChoices):
    MACHINE = "machine", _("machine")
    PART = "part", _("part")
    TOBACCO = "tobacco", _("tobacco")
    PRODUCT = "product", _("tobacco products")
    OTHER = "other", _("other")


class QuantityUnit(models.TextChoices):
    PIECE = "piece", _("pieces")
    KG = "kg", _("kg")
    G = "g", _("g")
    TONNE = "t", _("tonnes")
    STICK = "stick", _("sticks")
    PACK = "pack", _("packs")
    CARTON = "carton", _("cartons")
    LITRE = "l", _("litres")


class DestructionLine(Record):
    """An item of an order that is not a machine or part of the register (Art. 18): a seized
    machine whose serial the register does not hold (or holds for another machine), seized
    parts, tobacco and tobacco products by quantity. ``reference`` names where it comes from
    (the seizure case and item); the certificate lists each line."""

    order = models.ForeignKey(
        DestructionOrder, on_delete=models.PROTECT, related_name="lines", verbose_name=_("order")
    )
    kind = models.CharField(_("kind"), max_length=12, choices=LineKind.choices)
    description = models.CharField(_("description"), max_length=300)
    serial_number = models.CharField(_("serial number"), max_length=80, blank=True)
    serial_key = models.CharField(max_length=80, blank=True, editable=False)
    quantity = models.DecimalField(_("quantity"), max_digits=16, decimal_places=3)
    unit = models.CharField(_("unit"), max_length=8, choices=QuantityUnit.choices)
    reference = models.CharField(_("reference"), max_length=80)

    class Meta:
        verbose_name = _("other item")
        verbose_name_plural = _("other items")
        ordering = ("order", "pk")
        constraints = [
            positive_check("quantity", "destruction_line_quantity_positive"),
            choices_check("kind", LineKind, "destruction_line_kind_valid"),
            choices_check("unit", QuantityUnit, "destruction_line_unit_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.description}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.serial_key = normalised_serial(self.serial_number)
        super().save(*args, **kwargs)


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
