"""Blocked customers (Art. 7.4): those with whom licensees may not deal, and whom screening
treats as adverse."""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from licensing.models.base import KeptQuerySet, Record, ordered_check


class BlockedCustomerQuerySet(KeptQuerySet):
    def in_force(self, on: dt.date | None = None) -> BlockedCustomerQuerySet:
        day = on or timezone.localdate()
        return self.filter(Q(until__isnull=True) | Q(until__gte=day), blocked_from__lte=day)


BlockedCustomerManager = models.Manager.from_queryset(BlockedCustomerQuerySet)


class BlockedCustomer(Record):
    """Art. 7.4: a party or person blocked as a customer, or an identity known only by its
    name and numbers (no party in the register). Never deleted (Art. 9.5(a)): a block that no
    longer applies gets its ``until`` date."""

    # Art. 5: the audit trail records that these changed, never their values.
    personal_data_fields = ("date_of_birth", "identity_document_number", "iban")

    party = models.ForeignKey(
        "licensing.Party",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("party"),
    )
    person = models.ForeignKey(
        "licensing.Person",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("person"),
    )
    # A free identity: who is blocked when they are not in the register.
    name = models.CharField(_("name"), max_length=200, blank=True)
    country = CountryField(_("country"), blank=True)
    registration_number = models.CharField(_("registration number"), max_length=64, blank=True)
    tax_number = models.CharField(_("tax registration number"), max_length=64, blank=True)
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)
    identity_document_number = models.CharField(
        _("identity document number"), max_length=64, blank=True
    )
    iban = models.CharField(_("IBAN"), max_length=34, blank=True)
    address = models.TextField(_("address"), blank=True)
    reason = models.TextField(_("reason"))
    decision_reference = models.CharField(_("decision reference"), max_length=100)
    blocked_from = models.DateField(_("blocked from"))
    until = models.DateField(_("blocked until"), null=True, blank=True)

    objects: ClassVar[BlockedCustomerManager] = BlockedCustomerManager()

    class Meta:
        verbose_name = _("blocked customer")
        verbose_name_plural = _("blocked customers")
        ordering = ("-blocked_from", "-pk")
        constraints = [
            ordered_check("blocked_from", "until", "blocked_dates_in_order", open_end=True)
        ]

    def __str__(self) -> str:
        if self.party_id and self.party:
            return str(self.party)
        if self.person_id and self.person:
            return self.person.full_name
        return self.name

    def clean(self) -> None:
        if not (self.party_id or self.person_id or self.name.strip()):
            raise ValidationError(_("Name the party, the person or the blocked identity."))
        if self.until and self.until < self.blocked_from:
            raise ValidationError({"until": _("The block cannot end before it starts.")})
