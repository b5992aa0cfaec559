"""The second factor's own records: a request to reset another user's factor, kept for ever
(never hard-deleted; a reset of someone who may reset factors themselves needs a second,
different senior officer: four eyes, ASVS V6.4.4), and the recovery codes, kept hashed."""

from __future__ import annotations

import re
import secrets

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_otp.models import Device, ThrottlingMixin, TimestampMixin


class FactorReset(models.Model):
    class State(models.TextChoices):
        REQUESTED = "requested", _("requested")
        APPROVED = "approved", _("approved")
        REFUSED = "refused", _("refused")

    target = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="factor_resets",
        verbose_name=_("user whose factors are reset"),
    )
    state = models.CharField(
        _("state"), max_length=16, choices=State.choices, default=State.REQUESTED
    )
    reason = models.TextField(_("reason"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("requested by"),
    )
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)

    class Meta:
        verbose_name = _("second-factor reset")
        verbose_name_plural = _("second-factor resets")
        ordering = ["-requested_at", "-pk"]
        permissions = [("reset_second_factor", _("Can reset another user's second factor"))]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(state__in=["requested", "approved", "refused"]),
                name="twofactor_factorreset_state_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(state="requested") | models.Q(decided_at__isnull=False),
                name="twofactor_factorreset_decided_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.target} ({self.get_state_display()})"


class RecoveryCodeDevice(TimestampMixin, ThrottlingMixin, Device):
    """One-time recovery codes, stored only as password hashes (ASVS V6.5.2: lookup secrets of
    less than 112 bits are kept with an approved password-storage hash), each accepted once
    (V6.5.1), with django-otp's doubling wait after a wrong code (V6.3.1). Replaces django-otp's
    StaticDevice, which keeps its tokens in clear."""

    class Meta:
        verbose_name = _("recovery codes")
        verbose_name_plural = _("recovery codes")

    def get_throttle_factor(self) -> int:
        return int(getattr(settings, "OTP_STATIC_THROTTLE_FACTOR", 1))

    def unused_codes(self) -> models.QuerySet[RecoveryCode]:
        return self.codes.filter(used_at__isnull=True)

    def verify_token(self, token: object) -> bool:
        """True once per code. A wrong code, or one used already, counts against the throttle.
        Only what looks like a recovery code is hashed: a six-digit app code costs nothing."""
        if not self.verify_is_allowed()[0]:
            return False
        candidate = normalise_recovery_code(str(token))
        match = None
        if RECOVERY_CODE_FORMAT.fullmatch(candidate):
            for code in self.unused_codes().select_for_update().order_by("pk"):
                if check_password(candidate, code.code_hash):
                    match = code
                    break
        if match is None:
            self.throttle_increment()
            return False
        match.used_at = timezone.now()
        match.save(update_fields=["used_at"])
        self.throttle_reset(commit=False)
        self.set_last_used_timestamp(commit=False)
        self.save()
        return True


class RecoveryCode(models.Model):
    device = models.ForeignKey(
        RecoveryCodeDevice,
        on_delete=models.CASCADE,
        related_name="codes",
        verbose_name=_("recovery codes"),
    )
    code_hash = models.CharField(_("code (hashed)"), max_length=256)
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("recovery code")
        verbose_name_plural = _("recovery codes")

    def __str__(self) -> str:
        return f"{self.device} #{self.pk}"


# Ten characters of base32 (50 bits), shown as two groups of five: typed with or without the
# dash or spaces, in either case.
RECOVERY_CODE_ALPHABET = "abcdefghijklmnopqrstuvwxyz234567"
RECOVERY_CODE_FORMAT = re.compile(r"[a-z2-7]{10}")


def new_recovery_code() -> str:
    """A fresh code as shown to the user, e.g. ``k7dq2-xmf4a``."""
    raw = "".join(secrets.choice(RECOVERY_CODE_ALPHABET) for _n in range(10))
    return f"{raw[:5]}-{raw[5:]}"


def normalise_recovery_code(code: str) -> str:
    return "".join(code.split()).replace("-", "").lower()[:32]


def hash_recovery_code(code: str) -> str:
    """The project's password hasher (PASSWORD_HASHERS), as for passwords."""
    return make_password(normalise_recovery_code(code))
