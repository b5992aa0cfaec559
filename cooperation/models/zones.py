"""Free zones (Art. 12.1, 12.2): the zones of the territory where goods are regarded as outside
the customs territory (Art. 1.5), each with its boundary given as addresses or as coordinates;
and the sites of the register that lie inside one, each marking kept with its days (a site
that leaves a zone keeps the record that it was in it). A licence with a site in a free zone
gets the controls the authority sets for free zones (``cooperation.controls``)."""

from __future__ import annotations

import unicodedata
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Upper
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from licensing.models.base import Record, ordered_check


def validate_coordinates(value: Any) -> None:
    """A list of [latitude, longitude] points: the corners of the zone's boundary."""
    if not isinstance(value, list):
        raise ValidationError(_("Give the boundary as a list of points."))
    for point in value:
        if not (
            isinstance(point, list)
            and len(point) == 2
            # bool is an int to Python, not a coordinate
            and all(isinstance(x, int | float) and not isinstance(x, bool) for x in point)
            and -90 <= point[0] <= 90
            and -180 <= point[1] <= 180
        ):
            raise ValidationError(
                _("Each point is a latitude (-90 to 90) and a longitude (-180 to 180).")
            )


class FreeZone(Record):
    country = CountryField(_("country"), default=settings.AUTHORITY_COUNTRY)
    name = models.CharField(_("name"), max_length=200)
    # Unique whatever the case of its letters (stored in upper case, compared so too).
    code = models.CharField(_("code"), max_length=32)
    addresses = models.TextField(
        _("boundary: addresses"),
        blank=True,
        help_text=_("The streets, quays or plots that bound the zone, one per line."),
    )
    coordinates = models.JSONField(
        _("boundary: coordinates"),
        default=list,
        blank=True,
        validators=[validate_coordinates],
        help_text=_("The corners, e.g. [[59.9, 10.7], [59.91, 10.72], [59.89, 10.73]]."),
    )
    designated_on = models.DateField(_("designated on"), null=True, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)

    class Meta:
        verbose_name = _("free zone")
        verbose_name_plural = _("free zones")
        ordering = ("country", "name")
        constraints = [
            models.UniqueConstraint(
                Upper("code"),
                name="free_zone_code_unique",
                violation_error_message=_("A free zone with this code exists."),
            ),
            ordered_check(
                "designated_on",
                "closed_on",
                "free_zone_closed_after",
                open_start=True,
                open_end=True,
            ),
            models.CheckConstraint(
                condition=~models.Q(addresses="") | ~models.Q(coordinates=[]),
                name="free_zone_boundary",
                violation_error_message=_("Give the zone's boundary as addresses or coordinates."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    def clean(self) -> None:
        super().clean()
        # One code however it is typed: full-width letters, spaces around, either case.
        self.code = unicodedata.normalize("NFKC", self.code or "").strip().upper()
        # An empty value ({}, "", null) never reaches the field's validators: refused here.
        if not isinstance(self.coordinates, list):
            raise ValidationError({"coordinates": _("Give the boundary as a list of points.")})

    @property
    def open(self) -> bool:
        # Designated and closed from their days, including days decided ahead.
        today = timezone.localdate()
        designated = self.designated_on is None or self.designated_on <= today
        return designated and (self.closed_on is None or self.closed_on > today)


def open_zone_q(prefix: str = "") -> models.Q:
    """The zones open today (``FreeZone.open``), reached through ``prefix`` ("zone__")."""
    today = timezone.localdate()
    return (
        models.Q(**{f"{prefix}designated_on__isnull": True})
        | models.Q(**{f"{prefix}designated_on__lte": today})
    ) & (
        models.Q(**{f"{prefix}closed_on__isnull": True})
        | models.Q(**{f"{prefix}closed_on__gt": today})
    )


class FreeZoneSite(Record):
    """One site inside one zone, from a day until a day (open: it is still inside)."""

    site = models.ForeignKey(
        "licensing.Site",
        on_delete=models.PROTECT,
        related_name="free_zone_marks",
        verbose_name=_("site"),
    )
    zone = models.ForeignKey(
        FreeZone, on_delete=models.PROTECT, related_name="sites", verbose_name=_("free zone")
    )
    since = models.DateField(_("in the zone since"))
    until = models.DateField(_("left the zone on"), null=True, blank=True)
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("marked by"),
    )

    class Meta:
        verbose_name = _("site in a free zone")
        verbose_name_plural = _("sites in free zones")
        ordering = ("zone", "site")
        constraints = [
            ordered_check("since", "until", "free_zone_site_period", open_end=True),
            models.UniqueConstraint(
                fields=["site"],
                condition=models.Q(until__isnull=True),
                name="site_in_one_free_zone",
                violation_error_message=_("This site is already marked in a free zone."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.site} / {self.zone}"
