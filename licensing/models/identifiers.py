"""Identifier codes of the EU tracking-and-tracing system, which Art. 8 of the Protocol points
to: Commission Implementing Regulation (EU) 2018/574, Chapter III. The authority is the ID
issuer: it gives each licensed economic operator (a ``Party``) and each of its licensed
facilities (a ``Site``) a code, and keeps the registry of Art. 15(3) and 17(3) as an
append-only log of messages in the fields of Annex II, Chapter II, Section 1. Machine codes
(Art. 19) live in ``equipment``, which may import this module; this one imports no upper app.
docs/identifiers.md."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from licensing.models.audit import AppendOnly
from licensing.models.base import Record
from licensing.models.parties import Party
from licensing.models.sites import Site


class MessageType(models.TextChoices):
    """Reg. 2018/574 Annex II, Chapter II, Section 1: the registry's message types."""

    EO_REGISTRATION = "1-1", _("1-1 economic operator: request for a code")
    EO_CORRECTION = "1-2", _("1-2 economic operator: correction")
    EO_DEREGISTRATION = "1-3", _("1-3 economic operator: deregistration")
    F_REGISTRATION = "1-4", _("1-4 facility: request for a code")
    F_CORRECTION = "1-5", _("1-5 facility: correction")
    F_DEREGISTRATION = "1-6", _("1-6 facility: deregistration")
    M_REGISTRATION = "1-7", _("1-7 machine: request for a code")
    M_CORRECTION = "1-8", _("1-8 machine: correction")
    M_DEREGISTRATION = "1-9", _("1-9 machine: deregistration")


class CodeKind(models.TextChoices):
    """The letter after the issuer's prefix: which pool a code is drawn from."""

    OPERATOR = "E", _("economic operator")
    FACILITY = "F", _("facility")
    MACHINE = "M", _("machine")


class IdentifierCode(Record):
    """What every identifier code has: the code, when it was issued, and whether it is still
    active. A code is never reused nor reactivated (Art. 15(1)(b): unique in the issuer's
    pool); a deactivated one stays, with when and why (Art. 15(4), 17(4), 19(4))."""

    code = models.CharField(_("identifier code"), max_length=40, unique=True)
    issued_at = models.DateTimeField(_("issued at"), default=timezone.now)
    active = models.BooleanField(_("active"), default=True)
    deactivated_at = models.DateTimeField(_("deactivated at"), null=True, blank=True)
    deactivation_reason = models.CharField(_("why deactivated"), max_length=300, blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.code

    @property
    def state_label(self) -> Any:
        return _("active") if self.active else _("deactivated")


def _active_matches_date(name: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=models.Q(active=True, deactivated_at__isnull=True)
        | models.Q(active=False, deactivated_at__isnull=False),
        name=name,
        violation_error_message=_("A deactivated code needs a deactivation time."),
    )


class OperatorCode(IdentifierCode):
    """Art. 14, 15: the economic operator identifier code (EO_ID) of a licensed party."""

    party = models.ForeignKey(
        Party, on_delete=models.PROTECT, related_name="operator_codes", verbose_name=_("party")
    )

    class Meta:
        verbose_name = _("economic operator identifier code")
        verbose_name_plural = _("economic operator identifier codes")
        ordering = ("-issued_at", "-pk")
        constraints = [
            models.UniqueConstraint(
                fields=["party"],
                condition=models.Q(active=True),
                name="one_active_operator_code",
            ),
            _active_matches_date("operator_code_deactivated_at"),
        ]


class FacilityCode(IdentifierCode):
    """Art. 16, 17: the facility identifier code (F_ID) of a licensed site, under the operator
    code of the party that holds the licence covering it."""

    site = models.ForeignKey(
        Site, on_delete=models.PROTECT, related_name="facility_codes", verbose_name=_("site")
    )
    operator = models.ForeignKey(
        OperatorCode,
        on_delete=models.PROTECT,
        related_name="facility_codes",
        verbose_name=_("economic operator code"),
    )

    class Meta:
        verbose_name = _("facility identifier code")
        verbose_name_plural = _("facility identifier codes")
        ordering = ("-issued_at", "-pk")
        constraints = [
            models.UniqueConstraint(
                fields=["site"], condition=models.Q(active=True), name="one_active_facility_code"
            ),
            _active_matches_date("facility_code_deactivated_at"),
        ]


class RegistryMessage(AppendOnly):
    """One message of the registry (Art. 15(3), 17(3), 19(3)), written when a code is issued,
    corrected or deactivated, in the registry's own field names (``payload``), so that it can
    be exported as the Annex II messages. Only ever inserted."""

    message_type = models.CharField(
        _("message type"), max_length=3, choices=MessageType.choices, db_index=True
    )
    # The code the message is about (EO_ID, F_ID or M_ID) and the operator's (EO_ID), so that
    # an officer can filter every message of one operator.
    subject_code = models.CharField(_("identifier code"), max_length=40, db_index=True)
    operator_code = models.CharField(_("economic operator code"), max_length=40, db_index=True)
    payload = models.JSONField(_("fields"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("registry message")
        verbose_name_plural = _("registry messages")
        ordering = ("-created_at", "-pk")
        permissions = [
            ("export_registry_messages", _("Can export the identifier registry's messages")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(message_type__in=MessageType.values),
                name="registry_message_type_known",
                violation_error_message=_("The message type is not one of the registry's."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.message_type} {self.subject_code}"
