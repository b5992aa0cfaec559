"""The register of disclosures (Art. 5, 21, 22.2): one row for each party whose records left the
authority, each time they left, through an assistance case's answer, an export or the API:
to whom, under which article, for what purpose, on which day, and whether personal data went
with them. A row with no party records what left about no party of the register (a seizure
from an unknown party). Inserted once, never changed: the ORM refuses updates and deletes, a
PostgreSQL trigger refuses them (migration 0004) and the runtime role may only insert."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from licensing.models.audit import AppendOnly
from licensing.models.base import choices_check


class DisclosureChannel(models.TextChoices):
    CASE = "case", _("assistance case")
    EXPORT = "export", _("export")
    API = "api", _("API")


class Disclosure(AppendOnly):
    at = models.DateTimeField(_("disclosed at"), default=timezone.now)
    channel = models.CharField(_("channel"), max_length=8, choices=DisclosureChannel.choices)
    authority = models.ForeignKey(
        "cooperation.CompetentAuthority",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="disclosures",
        verbose_name=_("recipient"),
    )
    # The recipient as named when it is not in the directory (an export's addressee).
    recipient = models.CharField(_("recipient as named"), max_length=300, blank=True)
    country = CountryField(_("recipient's Party"), blank=True)
    article = models.CharField(_("shared under"), max_length=40)
    purpose = models.TextField(_("purpose"))
    party = models.ForeignKey(
        "licensing.Party",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="disclosures",
        verbose_name=_("party concerned"),
    )
    records = models.JSONField(_("records disclosed"), default=list)
    personal_data = models.BooleanField(_("personal data"), default=False)
    case = models.ForeignKey(
        "cooperation.AssistanceCase",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="disclosures",
        verbose_name=_("assistance case"),
    )
    document = models.ForeignKey(
        "licensing.IssuedDocument",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("document"),
    )
    # The export's audit event or the API call: where the rest of the trace is.
    source = models.CharField(_("trace"), max_length=80, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )

    class Meta:
        verbose_name = _("disclosure")
        verbose_name_plural = _("register of disclosures")
        ordering = ("-at", "-pk")
        permissions = [("export_disclosure", _("Can export the register of disclosures"))]
        indexes = [
            models.Index(fields=["party", "-at"], name="disclosure_party_at"),
            models.Index(fields=["-at"], name="disclosure_at"),
        ]
        constraints = [
            choices_check("channel", DisclosureChannel, "disclosure_channel_valid"),
            models.CheckConstraint(
                condition=models.Q(authority__isnull=False) | models.Q(recipient__gt=""),
                name="disclosure_recipient",
                violation_error_message=_("A disclosure names its recipient."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} {self.at:%Y-%m-%d} {self.recipient_label}"

    @property
    def recipient_label(self) -> str:
        return str(self.authority) if self.authority_id is not None else self.recipient
