"""Partner authorities (Art. 21.1): the competent authorities of other Parties this authority
shares records with, each one OAuth2 client of the API."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from api.scopes import SCOPES
from licensing.models.base import Record


def validate_scopes(value: Any) -> None:
    if not isinstance(value, list) or not all(isinstance(s, str) for s in value):
        raise ValidationError(_("Scopes are a list of names."))
    unknown = sorted(set(value) - set(SCOPES))
    if unknown:
        raise ValidationError(_("Unknown scopes: %(scopes)s.") % {"scopes": ", ".join(unknown)})


class PartnerClient(Record):
    """One partner authority, one client: its OAuth2 application (client credentials, the
    secret kept hashed), its service account (what the trail names when it reports a seizure),
    the scopes a senior officer granted it, until when, and whether it was revoked."""

    # Art. 22.1: the client of one authority of the directory, not a second list of them.
    authority = models.ForeignKey(
        "cooperation.CompetentAuthority",
        on_delete=models.PROTECT,
        related_name="api_clients",
        verbose_name=_("authority"),
    )
    contact_email = models.EmailField(
        _("technical contact e-mail"),
        help_text=_("Who looks after this client's credentials at the authority."),
    )
    scopes = models.JSONField(_("scopes"), default=list, validators=[validate_scopes])
    expires_on = models.DateField(
        _("credentials expire on"),
        help_text=_("No token is accepted after this day."),
    )
    rate = models.CharField(
        _("request limit"),
        max_length=16,
        blank=True,
        help_text=_("E.g. 600/min; empty: the default."),
    )
    application = models.OneToOneField(
        settings.OAUTH2_PROVIDER_APPLICATION_MODEL,
        on_delete=models.PROTECT,
        related_name="partner",
        verbose_name=_("OAuth2 client"),
    )
    account = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="partner_client",
        verbose_name=_("service account"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("registered by"),
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("revoked by"),
    )
    revocation_reason = models.TextField(_("reason for revocation"), blank=True)

    class Meta:
        verbose_name = _("partner authority")
        verbose_name_plural = _("partner authorities")
        ordering = ("authority__name", "pk")
        permissions = [
            ("manage_partners", _("Can register partner authorities and revoke their access")),
        ]

    def __str__(self) -> str:
        return str(self.authority)

    @property
    def name(self) -> str:
        return str(self.authority.name)

    @property
    def country(self) -> Any:
        """The authority's Party (a django-countries ``Country``)."""
        return self.authority.country

    def is_usable(self, today: dt.date | None = None) -> bool:
        today = today or timezone.localdate()
        return self.revoked_at is None and today <= self.expires_on

    def holds(self, scope: str) -> bool:
        return scope in self.scopes
