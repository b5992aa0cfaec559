"""Where the business is run and what it makes: Art. 6.3(b)(iii), (iv) and (viii)."""

from __future__ import annotations

from typing import Any, ClassVar

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from licensing.models.base import Record, positive_check
from licensing.models.parties import Party
from licensing.models.versions import ApprovedKeptManager, KeptManager, Regulated


class ProductType(models.TextChoices):
    CIGARETTES = "cigarettes", _("cigarettes")
    CIGARS = "cigars", _("cigars and cigarillos")
    ROLL_YOUR_OWN = "roll_your_own", _("fine-cut tobacco for rolling")
    PIPE_TOBACCO = "pipe_tobacco", _("pipe tobacco")
    HEATED_TOBACCO = "heated_tobacco", _("heated tobacco products")
    SMOKELESS = "smokeless", _("smokeless tobacco")
    RAW_TOBACCO = "raw_tobacco", _("raw tobacco")
    OTHER = "other", _("other tobacco products")


class SiteKind(models.TextChoices):
    MANUFACTURING = "manufacturing", _("manufacturing unit")
    WAREHOUSE = "warehouse", _("warehouse")
    RETAIL = "retail", _("retail outlet")
    OFFICE = "office", _("office")
    OTHER = "other", _("other business location")


class Site(Regulated, Record):
    """Art. 6.3(b)(iii): a precise business location; Art. 6.3(g): a change is notified."""

    party = models.ForeignKey(
        Party, on_delete=models.PROTECT, related_name="sites", verbose_name=_("party")
    )
    kind = models.CharField(_("kind of site"), max_length=16, choices=SiteKind.choices)
    name = models.CharField(_("name"), max_length=200)
    street_address = models.CharField(_("street address"), max_length=200)
    postal_code = models.CharField(_("postal code"), max_length=16)
    municipality = models.CharField(_("municipality"), max_length=100, db_index=True)
    region = models.CharField(_("region"), max_length=100, blank=True)
    country = CountryField(_("country"))
    latitude = models.DecimalField(
        _("latitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )

    objects: ClassVar[Any] = ApprovedKeptManager()
    with_proposals: ClassVar[Any] = KeptManager()

    class Meta:
        verbose_name = _("site")
        verbose_name_plural = _("sites")
        ordering = ("party", "name")

    def __str__(self) -> str:
        return f"{self.name}, {self.municipality}"


class ProductionCapacity(Regulated, Record):
    """Art. 6.3(b)(iii): production capacity of the site, by product type."""

    site = models.ForeignKey(
        Site, on_delete=models.PROTECT, related_name="capacities", verbose_name=_("site")
    )
    product_type = models.CharField(_("product type"), max_length=16, choices=ProductType.choices)
    units_per_year = models.PositiveBigIntegerField(_("units per year"))

    objects: ClassVar[Any] = ApprovedKeptManager()
    with_proposals: ClassVar[Any] = KeptManager()

    class Meta:
        verbose_name = _("production capacity")
        verbose_name_plural = _("production capacities")
        constraints = [
            models.UniqueConstraint(
                fields=["site", "product_type"],
                condition=models.Q(proposed_in__isnull=True),
                name="one_capacity_per_type",
            ),
            positive_check("units_per_year", "capacity_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.get_product_type_display()}: {self.units_per_year}"


class Product(Regulated, Record):
    """Art. 6.3(b)(iv): the tobacco products covered by the application."""

    party = models.ForeignKey(
        Party, on_delete=models.PROTECT, related_name="products", verbose_name=_("party")
    )
    product_type = models.CharField(_("product type"), max_length=16, choices=ProductType.choices)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("product description"))
    brand = models.CharField(_("brand"), max_length=200, blank=True)
    trade_mark = models.CharField(_("registered trade mark"), max_length=200, blank=True)
    design = models.CharField(_("design"), max_length=200, blank=True)

    objects: ClassVar[Any] = ApprovedKeptManager()
    with_proposals: ClassVar[Any] = KeptManager()

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ("party", "name")

    def __str__(self) -> str:
        return self.name
