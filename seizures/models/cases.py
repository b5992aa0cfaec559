"""A seizure case (Art. 18, 21.1(e)): who seized what, when, where, from whom, and the persons
involved. A case recorded by this authority has ``origin`` "own"; one received from another
Party's authority (Art. 21) keeps that Party's country and reference, in the same model, so the
exchange needs no second one (``seizures.exchange``)."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField
from django_fsm import FSMField, FSMModelMixin, transition

from licensing.models.base import Record, choices_check


class PartyKind(models.TextChoices):
    LICENSED = "licensed", _("a party of the register")
    UNLICENSED = "unlicensed", _("a known party without a licence")
    UNKNOWN = "unknown", _("unknown")


class CaseOrigin(models.TextChoices):
    OWN = "own", _("recorded by this authority")
    PARTNER = "partner", _("received from another Party (Art. 21)")


class CaseState(models.TextChoices):
    OPEN = "open", _("open")
    CLOSED = "closed", _("closed")


def may_close(case: Any, user: Any) -> bool:
    return bool(user.has_perm("seizures.change_seizurecase"))


class SeizureCase(FSMModelMixin, Record):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # The authority's own number, ``SZ-2026-000012``; set when the case is recorded.
    reference = models.CharField(
        _("reference"), max_length=32, unique=True, null=True, blank=True, editable=False
    )
    agency = models.CharField(
        _("seizing agency"),
        max_length=120,
        help_text=_("For example customs, police, tax administration or this authority."),
    )
    agency_reference = models.CharField(_("agency's case reference"), max_length=80, blank=True)
    seized_on = models.DateField(_("date of seizure"), db_index=True)
    place = models.CharField(_("place of seizure"), max_length=300)
    country = CountryField(_("country"), default=settings.AUTHORITY_COUNTRY)
    latitude = models.DecimalField(
        _("latitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(-90)), MaxValueValidator(Decimal(90))],
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(-180)), MaxValueValidator(Decimal(180))],
    )
    officers = models.TextField(_("seizing officers"), blank=True)
    # From whom: a party of the register, a known party without a licence, or nobody known.
    party_kind = models.CharField(_("seized from"), max_length=12, choices=PartyKind.choices)
    party = models.ForeignKey(
        "licensing.Party",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="seizure_cases",
        verbose_name=_("party of the register"),
    )
    party_name = models.CharField(_("name of the party"), max_length=200, blank=True)
    party_registration_number = models.CharField(
        _("its registration number"), max_length=64, blank=True
    )
    party_tax_number = models.CharField(_("its tax number"), max_length=64, blank=True)
    party_address = models.CharField(_("its address"), max_length=300, blank=True)
    party_country = CountryField(_("its country"), blank=True)
    summary = models.TextField(_("summary"), blank=True)
    # Art. 21.1(e): the modi operandi.
    transport = models.CharField(_("means of transport"), max_length=200, blank=True)
    concealment = models.CharField(_("concealment"), max_length=200, blank=True)
    routing = models.CharField(_("routing"), max_length=300, blank=True)
    detection = models.CharField(_("how it was detected"), max_length=200, blank=True)
    # Art. 21: whose record this is.
    origin = models.CharField(
        _("origin"), max_length=8, choices=CaseOrigin.choices, default=CaseOrigin.OWN
    )
    reporting_country = CountryField(
        _("reporting Party"), default=settings.AUTHORITY_COUNTRY, db_index=True
    )
    external_reference = models.CharField(
        _("reporting Party's reference"), max_length=80, blank=True
    )
    # Art. 21.2: the reporting Party may forbid passing the record on without its agreement.
    onward_restricted = models.BooleanField(
        _("not to be passed on without the reporting Party's agreement"), default=False
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    state = FSMField(
        _("state"),
        default=CaseState.OPEN,
        choices=CaseState.choices,
        protected=True,
        db_index=True,
    )

    class Meta:
        verbose_name = _("seizure case")
        verbose_name_plural = _("seizure cases")
        ordering = ("-seized_on", "-pk")
        constraints = [
            choices_check("state", CaseState, "seizure_case_state_valid"),
            choices_check("party_kind", PartyKind, "seizure_case_party_kind_valid"),
            choices_check("origin", CaseOrigin, "seizure_case_origin_valid"),
            # A licensed party is a record of the register; an unknown one has no name.
            models.CheckConstraint(
                condition=models.Q(party_kind=PartyKind.LICENSED, party__isnull=False)
                | models.Q(party_kind=PartyKind.UNLICENSED, party__isnull=True, party_name__gt="")
                | models.Q(party_kind=PartyKind.UNKNOWN, party__isnull=True, party_name=""),
                name="seizure_case_party",
                violation_error_message=_(
                    "Who the items were seized from does not match the party given."
                ),
            ),
            # A partner's record is known by its Party and its own reference, once.
            models.UniqueConstraint(
                fields=["reporting_country", "external_reference"],
                condition=models.Q(origin=CaseOrigin.PARTNER),
                name="seizure_case_partner_reference",
            ),
        ]

    def __str__(self) -> str:
        return self.reference or str(_("new seizure case"))

    @property
    def party_label(self) -> str:
        if self.party_id is not None and self.party is not None:
            return self.party.legal_name
        return self.party_name or str(PartyKind.UNKNOWN.label)

    @transition(
        field=state,
        source=CaseState.OPEN,
        target=CaseState.CLOSED,
        permission=may_close,
        custom={"label": _("Close")},
    )
    def close(self) -> None:
        """Every item released or destroyed (``services.cases.close_case`` checks it)."""


class PersonRole(models.TextChoices):
    OWNER = "owner", _("owner or person in charge")
    OPERATOR = "operator", _("operator of the equipment")
    DRIVER = "driver", _("driver or carrier")
    EMPLOYEE = "employee", _("employee")
    OTHER = "other", _("other")


class SeizurePerson(Record):
    """A person involved (Art. 5: personal data, shown to those who need it; its identity
    becomes an adverse screening key of due diligence)."""

    personal_data_fields = ("date_of_birth", "id_document_number", "id_document_country")

    case = models.ForeignKey(
        SeizureCase, on_delete=models.PROTECT, related_name="persons", verbose_name=_("case")
    )
    full_name = models.CharField(_("full name"), max_length=200)
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)
    nationality = CountryField(_("nationality"), blank=True)
    id_document_country = CountryField(_("country of the identity document"), blank=True)
    id_document_number = models.CharField(_("identity document number"), max_length=64, blank=True)
    role = models.CharField(_("role"), max_length=12, choices=PersonRole.choices)

    class Meta:
        verbose_name = _("person involved")
        verbose_name_plural = _("persons involved")
        ordering = ("case", "pk")
        constraints = [choices_check("role", PersonRole, "seizure_person_role_valid")]

    def __str__(self) -> str:
        return self.full_name
