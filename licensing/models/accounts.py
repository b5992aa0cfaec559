"""A portal user's account settings: the language of its pages and e-mails, and whether its
e-mail address has been confirmed (sign-up) or is being changed (a new address waiting for its
confirmation link)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class PortalProfile(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="portal_profile",
        verbose_name=_("user"),
    )
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    email_verified_at = models.DateTimeField(_("e-mail confirmed at"), null=True, blank=True)
    # A new address takes effect only once the link sent to it has been followed.
    pending_email = models.EmailField(_("new e-mail waiting for confirmation"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("portal profile")
        verbose_name_plural = _("portal profiles")

    def __str__(self) -> str:
        return str(self.user)

    @property
    def email_verified(self) -> bool:
        return self.email_verified_at is not None
