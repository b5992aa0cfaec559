"""The register of manufacturing equipment (Art. 6.3(b)(iv)-(v), 6.3(h), 18): machines, any part
thereof (Art. 1.8(b)), and the machine's state machine (DESIGN.md)."""

from __future__ import annotations

import uuid
from typing import Any

from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin, transition

from equipment.serials import normalised_serial
from licensing.models.base import Record, choices_check, positive_check


class MachineKind(models.TextChoices):
    PRIMARY = "primary", _("primary processing machine")
    MAKER = "maker", _("cigarette or cigar making machine")
    FILTER = "filter", _("filter making machine")
    PACKER = "packer", _("packing machine")
    CUTTER = "cutter", _("tobacco cutting machine")
    OTHER = "other", _("other manufacturing equipment")


class MachineState(models.TextChoices):
    DECLARED = "declared", _("declared")
    REGISTERED = "registered", _("registered")
    DISPOSAL_NOTIFIED = "disposal_notified", _("disposal notified")
    TRANSFERRED = "transferred", _("transferred")
    DISPOSAL_REQUIRED = "disposal_required", _("disposal or destruction required")
    DESTRUCTION_REQUESTED = "destruction_requested", _("destruction requested")
    DESTRUCTION_SCHEDULED = "destruction_scheduled", _("destruction scheduled")
    SEIZED = "seized", _("seized")
    DESTROYED = "destroyed", _("destroyed")


# The states in which the holder keeps and uses the machine under its licence. A machine that
# came by a confirmed sale is "transferred" and is used like a registered one.
IN_USE = (MachineState.REGISTERED, MachineState.TRANSFERRED)
# Not yet destroyed and not with the authority: custody can still be notified.
HELD = (*IN_USE, MachineState.DISPOSAL_REQUIRED)


def perm(codename: str) -> Any:
    def check(machine: Any, user: Any) -> bool:
        return bool(user.has_perm(codename))

    check.__name__ = f"has_{codename.split('.')[-1]}"
    return check


def holder_or(codename: str) -> Any:
    """The holder's portal users (``act_for_party`` on the holder), or staff with ``codename``."""

    def check(machine: Any, user: Any) -> bool:
        return bool(
            user.has_perm(codename) or user.has_perm("licensing.act_for_party", machine.holder)
        )

    check.__name__ = f"holder_or_{codename.split('.')[-1]}"
    return check


def nobody(machine: Any, user: Any) -> bool:
    """Transitions that only the system runs (a licence ended, a countersigned order)."""
    return False


HS_CODE = RegexValidator(
    r"^\d{4}(\.?\d{2}){0,3}$",
    _("Enter an HS code of 4 to 10 digits, e.g. 8478 or 8478.10."),
)


class Machine(FSMModelMixin, Record):
    """One machine of the register. Its serial number is unique per manufacturer across every
    holder (compared normalised), so a machine cannot be declared twice by two licensees."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # Issued by the authority, with a check character: ``M-2026-000012-X``.
    identifier = models.CharField(_("machine identifier"), max_length=32, unique=True)
    make = models.CharField(_("make (manufacturer)"), max_length=120)
    model = models.CharField(_("model"), max_length=120)
    serial_number = models.CharField(_("serial number"), max_length=80)
    make_key = models.CharField(max_length=120, editable=False)
    serial_key = models.CharField(max_length=80, editable=False, db_index=True)
    kind = models.CharField(_("kind"), max_length=16, choices=MachineKind.choices)
    # Art. 1.8, footnote: the HS heading of manufacturing equipment, e.g. 8478.
    hs_code = models.CharField(_("HS code"), max_length=13, validators=[HS_CODE])
    year = models.PositiveSmallIntegerField(
        _("year of manufacture"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1900), MaxValueValidator(2100)],
    )
    rated_capacity = models.PositiveBigIntegerField(
        _("rated capacity (units per hour)"), null=True, blank=True
    )
    holder = models.ForeignKey(
        "licensing.Party",
        on_delete=models.PROTECT,
        related_name="machines",
        verbose_name=_("holder"),
    )
    licence = models.ForeignKey(
        "licensing.Licence",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="machines",
        verbose_name=_("licence"),
    )
    site = models.ForeignKey(
        "licensing.Site",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="machines",
        verbose_name=_("site"),
    )
    # Set when the holder's licence ended: the day by which the machine is disposed of or
    # destroyed.
    disposal_deadline = models.DateField(_("dispose of or destroy by"), null=True, blank=True)
    state = FSMField(
        _("state"),
        default=MachineState.DECLARED,
        choices=MachineState.choices,
        protected=True,
        db_index=True,
    )

    class Meta:
        verbose_name = _("machine")
        verbose_name_plural = _("machines")
        ordering = ("make", "serial_number")
        permissions = [
            ("register_machine", _("Can register declared machines")),
            ("decide_custody", _("Can confirm or reject custody notices")),
            ("seize_machine", _("Can record a seizure (Art. 18)")),
            ("order_destruction", _("Can order and cancel destructions")),
            ("witness_destruction", _("Can record a witnessed destruction (inspector)")),
            ("countersign_destruction", _("Can countersign destructions (senior officer)")),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["make_key", "serial_key"], name="machine_serial_unique"
            ),
            choices_check("state", MachineState, "machine_state_valid"),
            positive_check("rated_capacity", "machine_capacity_positive", optional=True),
        ]

    def __str__(self) -> str:
        return f"{self.identifier} {self.make} {self.model} ({self.serial_number})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.make_key = normalised_serial(self.make)
        self.serial_key = normalised_serial(self.serial_number)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and {"make", "serial_number"} & set(update_fields):
            kwargs["update_fields"] = {*update_fields, "make_key", "serial_key"}
        super().save(*args, **kwargs)

    def validate_unique(self, exclude: Any = None) -> None:
        self.make_key = normalised_serial(self.make)
        self.serial_key = normalised_serial(self.serial_number)
        super().validate_unique(exclude=exclude)

    @transition(
        field=state,
        source=MachineState.DECLARED,
        target=MachineState.REGISTERED,
        permission=perm("equipment.register_machine"),
        custom={"label": _("Register")},
    )
    def register(self) -> None:
        pass

    # Art. 6.3(h): a disposal is notified before it happens.
    @transition(
        field=state,
        source=list(HELD),
        target=MachineState.DISPOSAL_NOTIFIED,
        permission=holder_or("equipment.decide_custody"),
    )
    def notify_disposal(self) -> None:
        pass

    @transition(
        field=state,
        source=MachineState.DISPOSAL_NOTIFIED,
        target=MachineState.REGISTERED,
        permission=perm("equipment.decide_custody"),
    )
    def keep(self) -> None:
        """A disposal notice rejected (or withdrawn): the machine stays with its holder."""

    @transition(
        field=state,
        source=MachineState.DISPOSAL_NOTIFIED,
        target=MachineState.TRANSFERRED,
        permission=nobody,
    )
    def transfer(self) -> None:
        """A sale confirmed on both sides: the machine now belongs to the buyer."""

    @transition(
        field=state,
        source=[*IN_USE, MachineState.DISPOSAL_NOTIFIED],
        target=MachineState.DISPOSAL_REQUIRED,
        permission=nobody,
    )
    def require_disposal(self) -> None:
        """The holder's licence was revoked, surrendered or expired without renewal."""

    # Art. 6.3(i): destruction only under the authority's supervision.
    @transition(
        field=state,
        source=list(HELD),
        target=MachineState.DESTRUCTION_REQUESTED,
        permission=holder_or("equipment.order_destruction"),
    )
    def request_destruction(self) -> None:
        pass

    @transition(
        field=state,
        source=MachineState.DESTRUCTION_REQUESTED,
        target=MachineState.DESTRUCTION_SCHEDULED,
        permission=nobody,
    )
    def schedule_destruction(self) -> None:
        """An inspector was assigned to the order."""

    @transition(
        field=state,
        source=[MachineState.DESTRUCTION_REQUESTED, MachineState.DESTRUCTION_SCHEDULED],
        target=MachineState.REGISTERED,
        permission=perm("equipment.order_destruction"),
    )
    def cancel_destruction(self) -> None:
        pass

    # Art. 18: seizure of equipment, from any state but the end.
    @transition(
        field=state,
        source=[s for s in MachineState.values if s not in ("destroyed", "seized")],
        target=MachineState.SEIZED,
        permission=perm("equipment.seize_machine"),
        custom={"label": _("Record seizure"), "reason": True},
    )
    def seize(self) -> None:
        pass

    @transition(
        field=state,
        source=MachineState.SEIZED,
        target=MachineState.REGISTERED,
        permission=nobody,
    )
    def release(self) -> None:
        """A court ordered the seized machine returned (``seizures.services.disposal``, where
        the officer's permission is checked)."""

    @transition(
        field=state,
        source=[MachineState.DESTRUCTION_SCHEDULED, MachineState.SEIZED],
        target=MachineState.DESTROYED,
        permission=perm("equipment.countersign_destruction"),
    )
    def destroy(self) -> None:
        """The senior officer countersigned the witnessed destruction."""


def random_part_identifier() -> str:
    return uuid.uuid4().hex[:12].upper()


class Part(Record):
    """Art. 1.8(b): "any part thereof", registered on its own, held by a party, and fitted to a
    machine or kept loose."""

    identifier = models.CharField(_("part identifier"), max_length=32, unique=True)
    description = models.CharField(_("description"), max_length=200)
    serial_number = models.CharField(_("serial number"), max_length=80, blank=True)
    holder = models.ForeignKey(
        "licensing.Party",
        on_delete=models.PROTECT,
        related_name="machine_parts",
        verbose_name=_("holder"),
    )
    machine = models.ForeignKey(
        Machine,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="parts",
        verbose_name=_("machine"),
    )
    destroyed_on = models.DateField(_("destroyed on"), null=True, blank=True)

    class Meta:
        verbose_name = _("part")
        verbose_name_plural = _("parts")
        ordering = ("identifier",)

    def __str__(self) -> str:
        return f"{self.identifier} {self.description}"
