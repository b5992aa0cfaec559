"""Where the authority keeps confiscated items, and the custody chain of each item: who moved it
from where to where, and when. The chain has no gap: each move starts where the previous one
ended (``services.custody`` writes it under the item's row lock), and its ``sequence`` is
unique per item, so two officers moving the same item at once cannot both write move n."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from licensing.models.base import Record


class StorageLocation(Record):
    name = models.CharField(_("name"), max_length=120, unique=True)
    address = models.CharField(_("address"), max_length=300)
    region = models.CharField(_("region"), max_length=120, blank=True)
    country = CountryField(_("country"), default=settings.AUTHORITY_COUNTRY)
    active = models.BooleanField(_("in use"), default=True)

    class Meta:
        verbose_name = _("storage location")
        verbose_name_plural = _("storage locations")
        ordering = ("name",)

    def __str__(self) -> str:
        return self.name


class CustodyMove(Record):
    item = models.ForeignKey(
        "seizures.SeizedItem",
        on_delete=models.PROTECT,
        related_name="moves",
        verbose_name=_("item"),
    )
    sequence = models.PositiveIntegerField(_("step"))
    # None for the first step: the item taken into custody at the place of seizure.
    from_location = models.ForeignKey(
        StorageLocation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("from"),
    )
    to_location = models.ForeignKey(
        StorageLocation, on_delete=models.PROTECT, related_name="+", verbose_name=_("to")
    )
    moved_at = models.DateTimeField(_("moved at"))
    handed_over_by = models.CharField(_("handed over by"), max_length=200)
    received_by = models.CharField(_("received by"), max_length=200)
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )

    class Meta:
        verbose_name = _("custody move")
        verbose_name_plural = _("custody chain")
        ordering = ("item", "sequence")
        constraints = [
            models.UniqueConstraint(fields=["item", "sequence"], name="custody_move_sequence"),
            models.CheckConstraint(
                condition=models.Q(sequence=1, from_location__isnull=True)
                | models.Q(sequence__gt=1, from_location__isnull=False),
                name="custody_move_from",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item_id} #{self.sequence}: {self.from_location_id} -> {self.to_location_id}"
