"""What was seized (Art. 18): machines (as read from the plate, matched against the register or
found to carry a cloned serial), parts, tobacco and tobacco products by quantity, cash and other
evidence, with their photos, and the state of each on its way out: held in store, ordered for
destruction, destroyed, or released by a court order."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin, transition

from equipment.models.machines import nobody, perm
from equipment.serials import normalised_serial
from licensing.models.base import Record, choices_check, positive_check
from licensing.models.sites import ProductType


class ItemKind(models.TextChoices):
    MACHINE = "machine", _("machine")
    PART = "part", _("part of a machine")
    TOBACCO = "tobacco", _("tobacco")
    PRODUCT = "product", _("tobacco products")
    CASH = "cash", _("cash")
    OTHER = "other", _("other evidence")


class Unit(models.TextChoices):
    # The units of a destruction order's lines (``equipment.QuantityUnit``), and money.
    PIECE = "piece", _("pieces")
    KG = "kg", _("kg")
    G = "g", _("g")
    TONNE = "t", _("tonnes")
    STICK = "stick", _("sticks")
    PACK = "pack", _("packs")
    CARTON = "carton", _("cartons")
    LITRE = "l", _("litres")
    MONEY = "money", _("amount of money")


# The units that make sense for each kind: a machine is counted, tobacco weighed.
UNITS: dict[str, tuple[str, ...]] = {
    ItemKind.MACHINE: (Unit.PIECE,),
    ItemKind.PART: (Unit.PIECE, Unit.KG),
    ItemKind.TOBACCO: (Unit.KG, Unit.G, Unit.TONNE),
    ItemKind.PRODUCT: (Unit.STICK, Unit.PACK, Unit.CARTON, Unit.PIECE, Unit.KG, Unit.G, Unit.LITRE),
    ItemKind.CASH: (Unit.MONEY,),
    ItemKind.OTHER: tuple(u for u in Unit if u != Unit.MONEY),
}


class TobaccoForm(models.TextChoices):
    LEAF = "leaf", _("leaf")
    STRIPS = "strips", _("strips")
    CUT = "cut", _("cut tobacco")
    STEMS = "stems", _("stems")
    SCRAPS = "scraps", _("scraps and dust")
    RECONSTITUTED = "reconstituted", _("reconstituted or homogenised")


class ItemStatus(models.TextChoices):
    HELD = "held", _("held in store")
    DESTRUCTION_ORDERED = "destruction_ordered", _("destruction ordered")
    DESTROYED = "destroyed", _("destroyed")
    RELEASED = "released", _("released by court order")


# Items still with the authority: counted as stock.
IN_STORE = (ItemStatus.HELD, ItemStatus.DESTRUCTION_ORDERED)

CURRENCY = RegexValidator(r"^[A-Z]{3}$", _("Enter an ISO 4217 currency code, e.g. EUR or NOK."))


class SeizedItem(FSMModelMixin, Record):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey(
        "seizures.SeizureCase",
        on_delete=models.PROTECT,
        related_name="items",
        verbose_name=_("case"),
    )
    number = models.PositiveIntegerField(_("item number"), editable=False)
    kind = models.CharField(_("kind"), max_length=12, choices=ItemKind.choices, db_index=True)
    description = models.CharField(_("description"), max_length=300, blank=True)
    # Machines and parts, as read from the plate.
    make = models.CharField(_("make (manufacturer)"), max_length=120, blank=True)
    model = models.CharField(_("model"), max_length=120, blank=True)
    serial_number = models.CharField(_("serial number"), max_length=80, blank=True)
    make_key = models.CharField(max_length=120, blank=True, editable=False)
    serial_key = models.CharField(max_length=80, blank=True, editable=False, db_index=True)
    # The register's machine of the same make and serial: this machine itself (seized from the
    # register), or when ``cloned`` another physical machine that carries the same serial.
    register_machine = models.ForeignKey(
        "equipment.Machine",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="seized_items",
        verbose_name=_("register entry"),
        editable=False,
    )
    cloned = models.BooleanField(
        _("cloned serial"),
        default=False,
        help_text=_(
            "The register holds another physical machine with the same make and serial number."
        ),
    )
    # Tobacco and products.
    product_type = models.CharField(
        _("product type"), max_length=16, choices=ProductType.choices, blank=True
    )
    tobacco_form = models.CharField(
        _("form of the tobacco"), max_length=16, choices=TobaccoForm.choices, blank=True
    )
    brand = models.CharField(_("brand"), max_length=120, blank=True)
    markings = models.TextField(
        _("packaging markings"),
        blank=True,
        help_text=_("Tax stamps, health warnings, unique identifiers, language of the packs."),
    )
    quantity = models.DecimalField(_("quantity"), max_digits=16, decimal_places=3)
    unit = models.CharField(_("unit"), max_length=8, choices=Unit.choices)
    # Art. 21.1(e): the value of the seizure, and the date and place of manufacture.
    value = models.DecimalField(
        _("estimated value"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    currency = models.CharField(
        _("currency"),
        max_length=3,
        blank=True,
        validators=[CURRENCY],
        help_text=_("Of the cash, or of the estimated value."),
    )
    manufactured_in = models.CharField(_("place of manufacture"), max_length=200, blank=True)
    manufactured_on = models.DateField(_("date of manufacture"), null=True, blank=True)
    location = models.ForeignKey(
        "seizures.StorageLocation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="items",
        verbose_name=_("kept at"),
        editable=False,
    )
    state = FSMField(
        _("status"),
        default=ItemStatus.HELD,
        choices=ItemStatus.choices,
        protected=True,
        db_index=True,
    )
    released_on = models.DateField(_("released on"), null=True, blank=True, editable=False)
    release_order_reference = models.CharField(
        _("court order reference"), max_length=120, blank=True, editable=False
    )
    released_to = models.CharField(_("released to"), max_length=200, blank=True, editable=False)
    destruction_order = models.ForeignKey(
        "equipment.DestructionOrder",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="seized_items",
        verbose_name=_("destruction order"),
        editable=False,
    )
    destruction_line = models.OneToOneField(
        "equipment.DestructionLine",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="seized_item",
        editable=False,
    )

    class Meta:
        verbose_name = _("seized item")
        verbose_name_plural = _("seized items")
        ordering = ("case", "number")
        permissions = [
            ("move_item", _("Can record a move of a seized item (custody chain)")),
            ("release_item", _("Can release a seized item by court order")),
            ("export_seizures", _("Can export seizure records (Art. 21.1(e))")),
        ]
        constraints = [
            models.UniqueConstraint(fields=["case", "number"], name="seized_item_number"),
            choices_check("state", ItemStatus, "seized_item_state_valid"),
            choices_check("kind", ItemKind, "seized_item_kind_valid"),
            choices_check("unit", Unit, "seized_item_unit_valid"),
            positive_check("quantity", "seized_item_quantity_positive"),
            positive_check("value", "seized_item_value_positive", allow_zero=True, optional=True),
            models.CheckConstraint(
                condition=models.Q(cloned=False) | models.Q(register_machine__isnull=False),
                name="seized_item_cloned_has_register_entry",
                violation_error_message=_(
                    "The register holds no machine of this make and serial number: it cannot "
                    "be a clone."
                ),
            ),
            models.CheckConstraint(
                condition=~models.Q(kind=ItemKind.MACHINE) | models.Q(serial_key__gt=""),
                name="seized_machine_has_serial",
                violation_error_message=_("Enter the serial number of the machine."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.label}: {self.what}"

    @property
    def label(self) -> str:
        return f"{self.case.reference}/{self.number}"

    @property
    def what(self) -> str:
        """The item in a few words, for lists, the certificate and the exchange."""
        if self.kind in (ItemKind.MACHINE, ItemKind.PART):
            words = " ".join(w for w in (self.make, self.model, self.description) if w)
            return f"{words} ({self.serial_number})" if self.serial_number else words
        extra = self.get_tobacco_form_display() or self.get_product_type_display()
        words = ", ".join(w for w in (extra, self.brand, self.description) if w)
        return words or str(self.get_kind_display())

    def clean(self) -> None:
        """What the form and the exchange refuse, each with its message (nothing is saved)."""
        errors: dict[str, Any] = {}
        # The keys the constraints check, as ``save`` makes them.
        self.make_key = normalised_serial(self.make)
        self.serial_key = normalised_serial(self.serial_number)
        if self.serial_number and not normalised_serial(self.serial_number):
            errors["serial_number"] = _(
                "This serial number has no letters or digits. Type it as the plate reads."
            )
        if self.kind == ItemKind.MACHINE:
            if not self.make.strip():
                errors["make"] = _("Enter the make of the machine.")
            if not self.serial_number.strip():
                errors.setdefault("serial_number", _("Enter the serial number of the machine."))
        if self.kind and self.unit and self.unit not in UNITS.get(self.kind, ()):
            allowed = ", ".join(str(Unit(u).label) for u in UNITS.get(self.kind, ()))
            errors["unit"] = _("This unit does not fit the kind of item. Use: %(units)s.") % {
                "units": allowed
            }
        if (self.kind == ItemKind.CASH or self.value is not None) and not self.currency:
            errors["currency"] = _("Enter the currency of the cash or of the value.")
        if self.value is not None and self.value < 0:
            errors["value"] = _("The value cannot be negative.")
        if self.quantity is not None and self.quantity <= 0:
            errors["quantity"] = _("Enter a quantity of more than zero.")
        if self.cloned and self.register_machine_id is None:
            errors["cloned"] = _(
                "The register holds no machine of this make and serial number: it cannot be "
                "a clone."
            )
        if errors:
            raise ValidationError(errors)

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.make_key = normalised_serial(self.make)
        self.serial_key = normalised_serial(self.serial_number)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and {"make", "serial_number"} & set(update_fields):
            kwargs["update_fields"] = {*update_fields, "make_key", "serial_key"}
        super().save(*args, **kwargs)

    @transition(
        field=state,
        source=ItemStatus.HELD,
        target=ItemStatus.DESTRUCTION_ORDERED,
        permission=perm("equipment.order_destruction"),
    )
    def order_destruction(self) -> None:
        pass

    @transition(
        field=state,
        source=ItemStatus.DESTRUCTION_ORDERED,
        target=ItemStatus.HELD,
        permission=nobody,
    )
    def return_to_store(self) -> None:
        """The destruction order was cancelled."""

    @transition(
        field=state,
        source=ItemStatus.DESTRUCTION_ORDERED,
        target=ItemStatus.DESTROYED,
        permission=nobody,
    )
    def destroy(self) -> None:
        """The destruction order was countersigned."""

    @transition(
        field=state,
        source=ItemStatus.HELD,
        target=ItemStatus.RELEASED,
        permission=perm("seizures.release_item"),
        custom={"label": _("Release by court order"), "reason": True},
    )
    def release(self) -> None:
        pass


def random_photo_path(instance: SeizurePhoto, filename: str) -> str:
    # The client's file name never reaches the disk.
    return f"seizures/{timezone.now():%Y/%m}/{uuid.uuid4().hex}"


class SeizurePhoto(Record):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    item = models.ForeignKey(
        SeizedItem, on_delete=models.PROTECT, related_name="photos", verbose_name=_("item")
    )
    file = models.FileField(_("file"), upload_to=random_photo_path, max_length=200)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveIntegerField(_("size in bytes"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("uploaded by"),
    )

    class Meta:
        verbose_name = _("photo")
        verbose_name_plural = _("photos")

    def __str__(self) -> str:
        return str(self.public_id)
