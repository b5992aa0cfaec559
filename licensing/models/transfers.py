"""A licensee's request to transfer its licence to a proposed new licensee (Art. 6.4).

The holder names the proposed licensee by e-mail; the link in that e-mail carries a token of
which only the hash is stored. Accepting starts the proposed licensee's own transfer
application, which the authority approves only with its full Art. 6.3(b) information."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from licensing.models.base import Record, choices_check


class TransferRequestState(models.TextChoices):
    REQUESTED = "requested", _("requested")
    ACCEPTED = "accepted", _("accepted")
    CANCELLED = "cancelled", _("cancelled")


class TransferRequest(Record):
    # Non-guessable identifier for portal URLs (never the sequential primary key).
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    licence = models.ForeignKey(
        "licensing.Licence",
        on_delete=models.PROTECT,
        related_name="transfer_requests",
        verbose_name=_("licence"),
    )
    proposed_email = models.EmailField(_("e-mail of the proposed licensee"))
    token_hash = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField(_("expires at"))
    state = models.CharField(
        _("state"),
        max_length=10,
        choices=TransferRequestState.choices,
        default=TransferRequestState.REQUESTED,
        db_index=True,
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("requested by"),
    )
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("accepted by"),
    )
    application = models.OneToOneField(
        "licensing.Application",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="transfer_request",
        verbose_name=_("transfer application"),
    )
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)

    class Meta:
        verbose_name = _("transfer request")
        verbose_name_plural = _("transfer requests")
        ordering = ("-created_at",)
        constraints = [choices_check("state", TransferRequestState, "transfer_request_state_valid")]

    def __str__(self) -> str:
        return f"{self.licence} → {self.proposed_email}"

    @property
    def is_open(self) -> bool:
        """Requested, and its link still valid."""
        return self.state == TransferRequestState.REQUESTED and self.expires_at > timezone.now()
