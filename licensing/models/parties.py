"""Applicants and licensees, and what Art. 6.3(b)(i), (ii), (vi) and (vii) require of them."""

from __future__ import annotations

import uuid
from typing import Any, ClassVar

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Upper
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField
from schwifty import BIC, IBAN
from schwifty.exceptions import SchwiftyException

from licensing.models.base import EndableRecord, Record, ordered_check
from licensing.models.versions import (
    ApprovedEndableManager,
    ApprovedKeptManager,
    EndableManager,
    KeptManager,
    Regulated,
)


class PartyKind(models.TextChoices):
    NATURAL = "natural", _("natural person")
    LEGAL = "legal", _("legal person")


class Party(Record):
    """An applicant or licensee. Never deleted (Art. 9.5(a))."""

    # Art. 5: the audit trail records that these changed, never their values.
    personal_data_fields = (
        "date_of_birth",
        "nationality",
        "identity_document_type",
        "identity_document_number",
        "identity_document_country",
        "identity_document_expires_on",
    )

    # Non-guessable identifier for portal URLs (never the sequential primary key).
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(_("type of applicant"), max_length=8, choices=PartyKind.choices)
    # Art. 6.3(b)(i) full name / 6.3(b)(ii) full legal name.
    legal_name = models.CharField(_("full or legal name"), max_length=200, db_index=True)
    trade_name = models.CharField(_("trade name"), max_length=200, blank=True, db_index=True)
    registration_number = models.CharField(
        _("business registration number"), max_length=64, blank=True, db_index=True
    )
    country = CountryField(_("country of registration or residence"))
    # Art. 6.3(b)(ii): legal persons.
    date_of_incorporation = models.DateField(_("date of incorporation"), null=True, blank=True)
    place_of_incorporation = models.CharField(
        _("place of incorporation"), max_length=200, blank=True
    )
    headquarters_address = models.TextField(_("location of corporate headquarters"), blank=True)
    principal_place_of_business = models.TextField(_("principal place of business"), blank=True)
    # Art. 6.3(b)(i): "any other information to allow identification" of a natural person.
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)
    nationality = CountryField(_("nationality"), blank=True)
    identity_document_type = models.CharField(
        _("identity document type"), max_length=64, blank=True
    )
    identity_document_number = models.CharField(
        _("identity document number"), max_length=64, blank=True
    )
    identity_document_country = CountryField(_("identity document issued by"), blank=True)
    identity_document_expires_on = models.DateField(
        _("identity document expires on"), null=True, blank=True
    )
    address = models.TextField(_("postal address"), blank=True)
    email = models.EmailField(_("e-mail"))
    phone = models.CharField(_("telephone"), max_length=40, blank=True)
    preferred_language = models.CharField(
        _("preferred language"),
        max_length=8,
        choices=settings.LANGUAGES,
        default="en",
    )
    # Versions (licensing.models.versions): raised by one at each approved change. Empty
    # ``approved_at``: a party first filed through the portal, proposed until its first approval.
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    approved_at = models.DateTimeField(
        _("first approved at"), null=True, blank=True, editable=False
    )
    affiliates: models.ManyToManyField[Party, CorporateAffiliation] = models.ManyToManyField(
        "self",
        through="CorporateAffiliation",
        through_fields=("party", "affiliate"),
        symmetrical=False,
        related_name="affiliated_with",
        verbose_name=_("corporate affiliates"),
        blank=True,
    )

    class Meta:
        verbose_name = _("party")
        verbose_name_plural = _("parties")
        ordering = ("legal_name", "pk")
        # A search by a part of a name (``icontains``: UPPER(name) LIKE '%TERM%') through
        # trigram indexes, and a registration number (``iexact``) through its upper-case form:
        # PostgreSQL only, created by migration 0030 (pg_trgm), skipped on SQLite.
        indexes = [
            GinIndex(
                OpClass(Upper("legal_name"), name="gin_trgm_ops"), name="party_legal_name_trgm"
            ),
            GinIndex(
                OpClass(Upper("trade_name"), name="gin_trgm_ops"), name="party_trade_name_trgm"
            ),
            models.Index(Upper("registration_number"), name="party_registration_upper"),
        ]
        permissions = [
            ("act_for_party", _("Can act for this party (applicant)")),
            # Art. 21.1(a): records sent to another Party's authority.
            ("export_records", _("Can export licensing records")),
        ]

    def __str__(self) -> str:
        if self.trade_name and self.trade_name != self.legal_name:
            return f"{self.legal_name} ({self.trade_name})"
        return self.legal_name

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.kind == PartyKind.LEGAL:
            # Art. 6.3(b)(ii): required of a legal person.
            for name in (
                "registration_number",
                "date_of_incorporation",
                "place_of_incorporation",
                "headquarters_address",
                "principal_place_of_business",
            ):
                if not getattr(self, name):
                    errors[name] = str(_("Required for a legal person."))
        elif self.kind == PartyKind.NATURAL and not self.date_of_birth:
            errors["date_of_birth"] = str(_("Required for a natural person."))
        if errors:
            raise ValidationError(errors)


class TaxRegistration(Regulated, EndableRecord):
    """Art. 6.3(b)(i)-(ii): applicable tax registration numbers, one current per country. One
    that is no longer in use is ended, never deleted (Art. 9.5(a)), and may be replaced."""

    party = models.ForeignKey(
        Party, on_delete=models.PROTECT, related_name="tax_registrations", verbose_name=_("party")
    )
    country = CountryField(_("country"))
    number = models.CharField(_("tax registration number"), max_length=64, db_index=True)

    objects: ClassVar[Any] = ApprovedEndableManager()
    with_proposals: ClassVar[Any] = EndableManager()

    class Meta:
        verbose_name = _("tax registration")
        verbose_name_plural = _("tax registrations")
        constraints = [
            models.UniqueConstraint(
                fields=["party", "country"],
                condition=models.Q(ended_at__isnull=True, proposed_in__isnull=True),
                name="one_tax_number_per_country",
                violation_error_message=_(
                    "There is already a tax registration number for this country."
                ),
            )
        ]

    def __str__(self) -> str:
        return f"{self.country}: {self.number}"


class CorporateAffiliation(Regulated, EndableRecord):
    """Art. 6.3(b)(ii): the legal person's corporate affiliates. An affiliation that no longer
    holds is ended, never deleted (Art. 9.5(a))."""

    party = models.ForeignKey(
        Party, on_delete=models.PROTECT, related_name="affiliations", verbose_name=_("party")
    )
    affiliate = models.ForeignKey(
        Party, on_delete=models.PROTECT, related_name="+", verbose_name=_("affiliate")
    )
    relationship = models.CharField(
        _("relationship"), max_length=100, help_text=_("For example parent, subsidiary, sister.")
    )

    objects: ClassVar[Any] = ApprovedEndableManager()
    with_proposals: ClassVar[Any] = EndableManager()

    class Meta:
        verbose_name = _("corporate affiliation")
        verbose_name_plural = _("corporate affiliations")
        constraints = [
            models.UniqueConstraint(
                fields=["party", "affiliate"],
                condition=models.Q(ended_at__isnull=True, proposed_in__isnull=True),
                name="one_affiliation_per_pair",
                violation_error_message=_("This company is already named as an affiliate."),
            ),
            models.CheckConstraint(
                condition=~models.Q(party=models.F("affiliate")), name="affiliate_is_another_party"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.affiliate} ({self.relationship})"


class PersonRole(models.TextChoices):
    DIRECTOR = "director", _("director")
    LEGAL_REPRESENTATIVE = "legal_representative", _("legal representative")
    BENEFICIAL_OWNER = "beneficial_owner", _("beneficial owner")


class Person(Regulated, Record):
    """A natural person in a role for a Party (Art. 6.3(b)(ii): directors and designated legal
    representatives; beneficial owners for due diligence, Art. 7.2(c)). Personal data (Art. 5):
    shown only to officers and to the party's own users."""

    # Art. 5: the audit trail records that these changed, never their values.
    personal_data_fields = (
        "date_of_birth",
        "nationality",
        "identity_document_type",
        "identity_document_number",
        "identity_document_country",
        "identity_document_expires_on",
    )

    party = models.ForeignKey(
        Party, on_delete=models.PROTECT, related_name="persons", verbose_name=_("party")
    )
    role = models.CharField(_("role"), max_length=24, choices=PersonRole.choices)
    full_name = models.CharField(_("full name"), max_length=200, db_index=True)
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)
    nationality = CountryField(_("nationality"), blank=True)
    identity_document_type = models.CharField(_("identity document type"), max_length=64)
    identity_document_number = models.CharField(_("identity document number"), max_length=64)
    identity_document_country = CountryField(_("identity document issued by"))
    identity_document_expires_on = models.DateField(
        _("identity document expires on"), null=True, blank=True
    )
    active_from = models.DateField(_("in role from"), null=True, blank=True)
    active_until = models.DateField(_("in role until"), null=True, blank=True)

    objects: ClassVar[Any] = ApprovedKeptManager()
    with_proposals: ClassVar[Any] = KeptManager()

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("persons")
        ordering = ("party", "role", "full_name")
        constraints = [
            ordered_check(
                "active_from",
                "active_until",
                "person_role_dates_in_order",
                open_start=True,
                open_end=True,
            )
        ]

    def __str__(self) -> str:
        return f"{self.full_name} ({self.get_role_display()})"


def validate_iban(value: str) -> None:
    try:
        IBAN(value)
    except SchwiftyException as exc:
        raise ValidationError(_("Enter a valid IBAN.")) from exc


def validate_bic(value: str) -> None:
    try:
        BIC(value)
    except SchwiftyException as exc:
        raise ValidationError(_("Enter a valid BIC.")) from exc


class BankAccount(Regulated, EndableRecord):
    """Art. 6.3(b)(vii): bank accounts intended to be used in the relevant transactions. One no
    longer used is ended, never deleted (Art. 9.5(a))."""

    # Art. 5: the audit trail records that these changed, never their values.
    personal_data_fields = ("iban", "account_number")

    party = models.ForeignKey(
        Party, on_delete=models.PROTECT, related_name="bank_accounts", verbose_name=_("party")
    )
    iban = models.CharField(
        _("IBAN"), max_length=34, blank=True, db_index=True, validators=[validate_iban]
    )
    account_number = models.CharField(
        _("account number"),
        max_length=64,
        blank=True,
        help_text=_("Where the account has no IBAN."),
    )
    bic = models.CharField(_("BIC"), max_length=11, blank=True, validators=[validate_bic])
    bank_name = models.CharField(_("bank name"), max_length=200)
    bank_country = CountryField(_("bank country"))
    holder_name = models.CharField(_("account holder"), max_length=200)
    intended_use = models.CharField(_("intended use"), max_length=200, blank=True)

    objects: ClassVar[Any] = ApprovedEndableManager()
    with_proposals: ClassVar[Any] = EndableManager()

    class Meta:
        verbose_name = _("bank account")
        verbose_name_plural = _("bank accounts")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(iban="", account_number=""), name="iban_or_account_number"
            )
        ]

    def __str__(self) -> str:
        # Art. 5, ASVS V16.2.5: the last four characters only, so that the number does not spread
        # through the pages, selects and audit trail that name the account.
        number = (self.iban or self.account_number).replace(" ", "")
        return f"{self.bank_name} •••• {number[-4:]}" if len(number) > 8 else self.bank_name

    def save(self, *args: object, **kwargs: object) -> None:
        self.iban = self.iban.replace(" ", "").upper()
        self.bic = self.bic.replace(" ", "").upper()
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def clean(self) -> None:
        if not self.iban and not self.account_number:
            raise ValidationError({"iban": _("Enter an IBAN or an account number.")})


class CriminalRecordDeclaration(Record):
    """Art. 6.3(b)(vi): documentation or a declaration regarding any criminal records, for the
    party and for each director and legal representative, reviewed by an officer."""

    # Art. 5: the audit trail records that these changed, never their values.
    personal_data_fields = ("has_convictions", "details", "review_note")

    party = models.ForeignKey(
        Party,
        on_delete=models.PROTECT,
        related_name="criminal_record_declarations",
        verbose_name=_("party"),
    )
    person = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="criminal_record_declarations",
        verbose_name=_("person"),
        help_text=_("Empty when the declaration is the party's own."),
    )
    has_convictions = models.BooleanField(_("declares convictions"), default=False)
    details = models.TextField(_("details of convictions"), blank=True)
    declared_on = models.DateField(_("declared on"))
    document = models.ForeignKey(
        "licensing.Document",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("supporting document"),
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    review_note = models.TextField(_("officer's review"), blank=True)

    class Meta:
        verbose_name = _("criminal-record declaration")
        verbose_name_plural = _("criminal-record declarations")

    def __str__(self) -> str:
        subject = self.person.full_name if self.person_id and self.person else str(self.party)
        return str(_("Declaration of %(subject)s") % {"subject": subject})

    def clean(self) -> None:
        if self.has_convictions and not self.details.strip():
            raise ValidationError({"details": _("Describe the declared convictions.")})
        if self.person_id and self.person and self.person.party_id != self.party_id:
            raise ValidationError({"person": _("The person must belong to this party.")})
