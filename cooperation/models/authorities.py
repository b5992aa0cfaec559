"""The competent authorities of other Parties (Art. 22.1): each Party designates the national
authorities to which the data of Articles 20, 21 and 24 are supplied and notifies the Parties
through the Convention Secretariat. The directory says who they are, how to reach them, under
which agreements, and whether what is sent to them may include personal data (Art. 5, 22.2).
An authority is never deleted: a designation withdrawn keeps its record, with the day."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from licensing.models.base import Record, ordered_check


class AuthorityKind(models.TextChoices):
    LICENSING = "licensing", _("licensing authority")
    CUSTOMS = "customs", _("customs")
    TAX = "tax", _("tax administration")
    POLICE = "police", _("police or prosecution")
    HEALTH = "health", _("health authority")
    OTHER = "other", _("other")


class Channel(models.TextChoices):
    EMAIL = "email", _("e-mail")
    API = "api", _("the authority's API (Art. 21)")
    SECURE = "secure", _("secure exchange platform")
    LIAISON = "liaison", _("liaison officer")
    POST = "post", _("post")


def validate_channels(value: Any) -> None:
    if not isinstance(value, list) or not all(isinstance(c, str) for c in value):
        raise ValidationError(_("Channels are a list of names."))
    unknown = sorted(set(value) - set(Channel.values))
    if unknown:
        raise ValidationError(
            _("Unknown channels: %(channels)s.") % {"channels": ", ".join(unknown)}
        )


class CompetentAuthority(Record):
    country = CountryField(_("Party"))
    name = models.CharField(_("authority"), max_length=200)
    kind = models.CharField(
        _("kind"), max_length=16, choices=AuthorityKind.choices, default=AuthorityKind.CUSTOMS
    )
    email = models.EmailField(_("contact e-mail"))
    phone = models.CharField(_("telephone"), max_length=40, blank=True)
    address = models.TextField(_("postal address"), blank=True)
    channels = models.JSONField(
        _("channels"),
        default=list,
        blank=True,
        validators=[validate_channels],
        help_text=_("How requests and answers are exchanged with this authority."),
    )
    agreements = models.TextField(
        _("agreements in force"),
        blank=True,
        help_text=_("E.g. a bilateral memorandum, a customs mutual assistance agreement."),
    )
    # Art. 5, 22.2: sending personal data needs an agreement or national law that allows it.
    personal_data_allowed = models.BooleanField(
        _("may receive personal data"),
        default=False,
        help_text=_(
            "Art. 5, 22.2: only where an agreement in force or national law allows it. "
            "Without it, what is sent to this authority holds no personal data."
        ),
    )
    designated_on = models.DateField(
        _("designated on"),
        null=True,
        blank=True,
        help_text=_("The day the designation was notified (Art. 22.1)."),
    )
    withdrawn_on = models.DateField(
        _("designation withdrawn on"),
        null=True,
        blank=True,
        help_text=_("The authority is kept in the directory, and no longer offered."),
    )

    class Meta:
        verbose_name = _("competent authority")
        verbose_name_plural = _("competent authorities")
        ordering = ("country", "name", "pk")
        constraints = [
            models.UniqueConstraint(
                "country",
                Lower("name"),
                name="one_authority_per_name_and_country",
                violation_error_message=_("This Party already has an authority of this name."),
            ),
            ordered_check(
                "designated_on",
                "withdrawn_on",
                "authority_withdrawn_after_designation",
                open_start=True,
                open_end=True,
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.country.code})"

    @property
    def in_force(self) -> bool:
        # Designated and withdrawn from their days, including days notified ahead.
        today = timezone.localdate()
        designated = self.designated_on is None or self.designated_on <= today
        return designated and (self.withdrawn_on is None or self.withdrawn_on > today)


def in_force_q() -> models.Q:
    """The authorities whose designation is in force today (``CompetentAuthority.in_force``)."""
    today = timezone.localdate()
    return (models.Q(designated_on__isnull=True) | models.Q(designated_on__lte=today)) & (
        models.Q(withdrawn_on__isnull=True) | models.Q(withdrawn_on__gt=today)
    )
