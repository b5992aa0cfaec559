"""The screening-key index: normalised identifiers of every party, person, account, address and
machine, so that screening one application against every party is a few index lookups
(``kind = ... AND value IN (...)``), never a scan of the parties (issue: scale)."""

from __future__ import annotations

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _


class KeyKind(models.TextChoices):
    NAME = "name", _("name")
    REGISTRATION = "registration", _("registration number")
    TAX = "tax", _("tax registration number")
    IBAN = "iban", _("IBAN")
    ACCOUNT = "account", _("account number")
    ADDRESS = "address", _("address")
    PERSON = "person", _("person (name and date of birth)")
    ID_DOCUMENT = "id_document", _("identity document")
    SERIAL = "serial", _("machine serial number")


class ScreeningKey(models.Model):
    """One normalised key and where it came from. Derived data: rebuilt from the records by
    ``duediligence.services.indexing`` (never edited), so unlike the records it may be replaced."""

    kind = models.CharField(_("kind"), max_length=16, choices=KeyKind.choices)
    value = models.CharField(_("value"), max_length=255)
    party = models.ForeignKey(
        "licensing.Party",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("party"),
    )
    person = models.ForeignKey(
        "licensing.Person",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("person"),
    )
    source_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    source_id = models.PositiveBigIntegerField()
    source = GenericForeignKey("source_type", "source_id")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("screening key")
        verbose_name_plural = _("screening keys")
        indexes = [
            models.Index(fields=["kind", "value"], name="screening_key_lookup"),
            models.Index(fields=["source_type", "source_id"], name="screening_key_source"),
        ]

    def __str__(self) -> str:
        return f"{self.kind}: {self.value}"
