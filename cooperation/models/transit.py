"""Transit and transhipment notices (Art. 12.3): a licensed transporter or broker notifies the
authority of tobacco products or manufacturing equipment passing through the territory (the
consignment, its quantities, route, means of transport and seals, the days it enters and must
have left). Goods removed from a free zone carry the declaration of Art. 12.2 that no tobacco
product travels with other goods in the same container. Officers acknowledge a notice or flag
it; the goods' exit is confirmed; a notice whose goods have not left by the last day is chased.

States: notified -> acknowledged | flagged -> left. Every change goes through
``cooperation.services.transit``."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField
from django_fsm import FSMField, FSMModelMixin, transition

from licensing.models.base import Record, choices_check, ordered_check, positive_check
from licensing.models.licences import perm

HANDLE_TRANSIT = "cooperation.handle_transitnotice"


def may_confirm_exit(notice: Any, user: Any) -> bool:
    """The holder's users, or an officer who handles transit notices."""
    return bool(
        user.has_perm(HANDLE_TRANSIT) or user.has_perm("licensing.act_for_party", notice.party)
    )


class TransitKind(models.TextChoices):
    TRANSIT = "transit", _("transit")
    TRANSHIPMENT = "transhipment", _("transhipment")


class Goods(models.TextChoices):
    PRODUCTS = "products", _("tobacco products")
    TOBACCO = "tobacco", _("raw or processed tobacco")
    EQUIPMENT = "equipment", _("manufacturing equipment")


class TransitUnit(models.TextChoices):
    STICKS = "sticks", _("sticks")
    KG = "kg", _("kg")
    CARTONS = "cartons", _("cartons")
    PIECES = "pieces", _("pieces")


class Transport(models.TextChoices):
    ROAD = "road", _("road")
    RAIL = "rail", _("rail")
    SEA = "sea", _("sea")
    AIR = "air", _("air")


class TransitState(models.TextChoices):
    NOTIFIED = "notified", _("notified")
    ACKNOWLEDGED = "acknowledged", _("acknowledged")
    FLAGGED = "flagged", _("flagged")
    LEFT = "left", _("left the territory")


OPEN_TRANSIT = (TransitState.NOTIFIED, TransitState.ACKNOWLEDGED, TransitState.FLAGGED)


class TransitNotice(FSMModelMixin, Record):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    reference = models.CharField(
        _("reference"), max_length=32, unique=True, null=True, blank=True, editable=False
    )
    party = models.ForeignKey(
        "licensing.Party",
        on_delete=models.PROTECT,
        related_name="transit_notices",
        verbose_name=_("notified by"),
    )
    licence = models.ForeignKey(
        "licensing.Licence",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("licence"),
    )
    kind = models.CharField(_("kind"), max_length=16, choices=TransitKind.choices)
    goods = models.CharField(_("goods"), max_length=12, choices=Goods.choices)
    description = models.CharField(_("description of the goods"), max_length=300)
    quantity = models.DecimalField(
        _("quantity"),
        max_digits=16,
        decimal_places=3,
        validators=[MinValueValidator(Decimal("0.001"))],
    )
    unit = models.CharField(_("unit"), max_length=8, choices=TransitUnit.choices)
    consignment = models.CharField(
        _("consignment"),
        max_length=200,
        help_text=_("Container or trailer number, transport document."),
    )
    origin_country = CountryField(_("coming from"))
    destination_country = CountryField(_("going to"))
    entry_point = models.CharField(_("entry point"), max_length=200)
    exit_point = models.CharField(_("exit point"), max_length=200)
    route = models.TextField(_("route"), blank=True)
    transport = models.CharField(_("means of transport"), max_length=8, choices=Transport.choices)
    vehicle = models.CharField(
        _("vehicle or vessel"), max_length=120, help_text=_("Registration, vessel or flight.")
    )
    seals = models.CharField(_("seals"), max_length=200, blank=True)
    enters_on = models.DateField(_("enters the territory on"))
    leaves_by = models.DateField(_("leaves the territory by"))
    # Art. 12.2: removed from a free zone, with the declaration against intermingling.
    from_free_zone = models.ForeignKey(
        "cooperation.FreeZone",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("removed from the free zone"),
    )
    no_intermingling_declared = models.BooleanField(
        _("no tobacco product travels with other goods in the same container (Art. 12.2)"),
        default=False,
    )
    state = FSMField(
        _("state"), default=TransitState.NOTIFIED, choices=TransitState.choices, protected=True
    )
    notified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("filed by"),
    )
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("acknowledged or flagged by"),
    )
    left_on = models.DateField(_("left on"), null=True, blank=True)
    left_at_point = models.CharField(_("left at"), max_length=200, blank=True)
    chased_on = models.DateField(_("chased on"), null=True, blank=True)

    class Meta:
        verbose_name = _("transit notice")
        verbose_name_plural = _("transit notices")
        ordering = ("-enters_on", "-pk")
        permissions = [("handle_transitnotice", _("Can acknowledge and flag transit notices"))]
        indexes = [models.Index(fields=["state", "leaves_by"], name="transit_state_leaves")]
        constraints = [
            choices_check("state", TransitState, "transit_state_valid"),
            choices_check("kind", TransitKind, "transit_kind_valid"),
            choices_check("goods", Goods, "transit_goods_valid"),
            positive_check("quantity", "transit_quantity_positive"),
            ordered_check("enters_on", "leaves_by", "transit_window"),
            models.CheckConstraint(
                condition=models.Q(from_free_zone__isnull=True)
                | models.Q(no_intermingling_declared=True),
                name="transit_free_zone_declared",
                violation_error_message=_(
                    "Goods removed from a free zone need the declaration of Art. 12.2."
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.reference or str(_("new transit notice"))

    @transition(
        field=state,
        source=TransitState.NOTIFIED,
        target=TransitState.ACKNOWLEDGED,
        permission=perm(HANDLE_TRANSIT),
        custom={"label": _("Acknowledge")},
    )
    def acknowledge(self) -> None:
        pass

    @transition(
        field=state,
        source=(TransitState.NOTIFIED, TransitState.ACKNOWLEDGED),
        target=TransitState.FLAGGED,
        permission=perm(HANDLE_TRANSIT),
        custom={"label": _("Flag"), "reason": True},
    )
    def flag(self) -> None:
        pass

    @transition(
        field=state,
        source=OPEN_TRANSIT,
        target=TransitState.LEFT,
        permission=may_confirm_exit,
        custom={"label": _("Confirm the goods left")},
    )
    def leave(self) -> None:
        """The holder (in the portal) or an officer confirms the exit."""
