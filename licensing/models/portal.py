"""Records the portal needs: invitations to act for a party, and the manufacturing equipment an
applicant declares (Art. 6.3(b)(iv)-(v)) before the equipment register takes it over."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from licensing.models.base import Record


class Invitation(Record):
    """A user who acts for a party invites another person (by e-mail) to act for it too. Only a
    hash of the token is stored; the token travels in the e-mail only."""

    party = models.ForeignKey(
        "licensing.Party", on_delete=models.PROTECT, related_name="invitations"
    )
    email = models.EmailField(_("e-mail"))
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    expires_at = models.DateTimeField(_("expires at"))
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ("-created_at",)

    def __str__(self) -> str:
        return f"{self.email} → {self.party}"

    @property
    def is_open(self) -> bool:
        return self.accepted_at is None and self.expires_at > timezone.now()


class DeclaredMachine(Record):
    """Art. 6.3(b)(iv): make, model and serial number of the manufacturing equipment covered by
    the application; Art. 6.3(b)(v): where it will be installed and used."""

    application = models.ForeignKey(
        "licensing.Application",
        on_delete=models.PROTECT,
        related_name="declared_machines",
        verbose_name=_("application"),
    )
    make = models.CharField(_("make"), max_length=100)
    model = models.CharField(_("model"), max_length=100)
    serial_number = models.CharField(_("serial number"), max_length=100, db_index=True)
    year = models.PositiveSmallIntegerField(_("year of manufacture"), null=True, blank=True)
    site = models.ForeignKey(
        "licensing.Site",
        on_delete=models.PROTECT,
        related_name="declared_machines",
        verbose_name=_("installed at"),
    )
    use = models.CharField(_("how it will be used"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("declared machine")
        verbose_name_plural = _("declared machines")
        constraints = [
            models.UniqueConstraint(
                fields=["application", "make", "serial_number"],
                name="one_declaration_per_machine",
            )
        ]

    def __str__(self) -> str:
        return f"{self.make} {self.model} #{self.serial_number}"
