"""Licensees' reports to the authority (Art. 7.1 to 7.3, 7.1(c), 10.1(a)): a customer's
due-diligence record, evidence that a customer contravenes the Protocol, and a suspicious
transaction or a cross-border movement of cash or payment in kind.

One table for the three kinds: each names a counterparty (the customer) by the same identity
fields, lands in one officer queue and goes through one state machine. A report is a record of
what a licensee told the authority: never deleted (Art. 9.5(a)), never edited after filing.
The FSM methods state the graph only; ``duediligence.services.reports`` is the one door."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField
from django_fsm import FSMField, FSMModelMixin, transition

from licensing.models.base import Record, choices_check, positive_check


class ReportKind(models.TextChoices):
    # Art. 7.1-7.3: who the customer is and what the licensee checked.
    CUSTOMER_RECORD = "customer_record", _("customer due-diligence record")
    # Art. 7.1(c): evidence that the customer is engaged in activities in contravention.
    CONTRAVENTION = "contravention", _("evidence of a contravention by a customer")
    # Art. 10.1(a): a suspicious transaction, cross-border cash or payment in kind.
    TRANSACTION = "transaction", _("suspicious transaction or cross-border cash")


# The kinds that say something against the counterparty: their identities feed screening once
# an officer accepts them. A due-diligence record describes an ordinary customer.
ADVERSE_KINDS = (ReportKind.CONTRAVENTION, ReportKind.TRANSACTION)


class ReportState(models.TextChoices):
    SUBMITTED = "submitted", _("submitted")
    UNDER_REVIEW = "under_review", _("under review")
    ACCEPTED = "accepted", _("accepted (relevant)")
    DISMISSED = "dismissed", _("dismissed (no action)")


class MeansOfPayment(models.TextChoices):
    CASH = "cash", _("cash")
    IN_KIND = "in_kind", _("payment in kind")
    TRANSFER = "transfer", _("bank transfer")
    CARD = "card", _("card")
    OTHER = "other", _("other")


def report_handler(report: Any, user: Any) -> bool:
    return bool(user.has_perm("duediligence.handle_report"))


class LicenseeReport(FSMModelMixin, Record):
    """A licensee's report about one counterparty. ``licensee`` is the party that filed it
    (through a portal user acting for it); the counterparty is named by identity fields, since
    the licensee's customer need not be in the register."""

    # Art. 5: the audit trail records that these changed, never their values.
    personal_data_fields = (
        "date_of_birth",
        "identity_document_number",
        "iban",
        "account_number",
    )

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(_("kind of report"), max_length=16, choices=ReportKind.choices)
    state = FSMField(
        _("state"),
        default=ReportState.SUBMITTED,
        choices=ReportState.choices,
        protected=True,
        db_index=True,
    )
    licensee = models.ForeignKey(
        "licensing.Party",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("licensee"),
    )
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("filed by"),
    )
    # The counterparty (Art. 7.1-7.3): the customer's identification.
    customer_name = models.CharField(_("customer's name"), max_length=200)
    natural_person = models.BooleanField(_("the customer is a natural person"), default=False)
    country = CountryField(_("country"))
    registration_number = models.CharField(_("registration number"), max_length=64, blank=True)
    tax_number = models.CharField(_("tax registration number"), max_length=64, blank=True)
    address = models.TextField(_("address"), blank=True)
    iban = models.CharField(_("IBAN"), max_length=34, blank=True)
    account_number = models.CharField(_("account number"), max_length=64, blank=True)
    bank_country = CountryField(_("country of the bank"), blank=True)
    licence_number = models.CharField(_("the customer's licence number"), max_length=40, blank=True)
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)
    identity_document_number = models.CharField(
        _("identity document number"), max_length=64, blank=True
    )
    identity_document_country = CountryField(_("identity document issued by"), blank=True)
    # Art. 7.1-7.3: what the licensee checked.
    checks_done = models.TextField(_("what was checked"), blank=True)
    documents_seen = models.TextField(_("documents seen"), blank=True)
    checked_on = models.DateField(_("checked on"), null=True, blank=True)
    # Art. 7.1(c) and 10.1(a): what happened, and when.
    description = models.TextField(_("description"), blank=True)
    occurred_on = models.DateField(_("date"), null=True, blank=True)
    amount = models.DecimalField(
        _("amount"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    currency = models.CharField(_("currency"), max_length=3, blank=True)
    means_of_payment = models.CharField(
        _("means of payment"), max_length=16, choices=MeansOfPayment.choices, blank=True
    )
    cross_border = models.BooleanField(_("crosses a border"), default=False)
    evidence = models.ManyToManyField(
        "licensing.Document", blank=True, related_name="+", verbose_name=_("evidence")
    )
    # The officer's handling.
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("handled by"),
    )
    officer_comment = models.TextField(_("officer's comment"), blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        verbose_name = _("licensee's report")
        verbose_name_plural = _("licensees' reports")
        ordering = ("-created_at", "-pk")
        indexes = [models.Index(fields=["state", "kind"], name="report_queue")]
        constraints = [
            choices_check("state", ReportState, "report_state_valid"),
            positive_check("amount", "report_amount_positive", optional=True),
        ]
        permissions = [
            ("handle_report", _("Can take licensees' reports into review, accept and dismiss")),
            ("view_network", _("Can see the network of a party's shared identifiers")),
        ]

    def __str__(self) -> str:
        return f"{self.reference}: {self.customer_name}"

    @staticmethod
    def reference_for(pk: int) -> str:
        return f"LR-{pk:06d}"

    @property
    def reference(self) -> str:
        return self.reference_for(self.pk) if self.pk else "LR-new"

    @property
    def is_adverse(self) -> bool:
        return self.kind in ADVERSE_KINDS

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        if self.kind == ReportKind.CUSTOMER_RECORD:
            if not self.checks_done.strip():
                errors["checks_done"] = _("Say what you checked.")
            if self.checked_on is None:
                errors["checked_on"] = _("Enter the date of the check.")
            if self.natural_person and not self.identity_document_number.strip():
                errors["identity_document_number"] = _(
                    "Enter the number of the identity document of a natural person."
                )
        if self.kind in ADVERSE_KINDS and not self.description.strip():
            errors["description"] = _("Describe what happened.")
        if self.kind == ReportKind.TRANSACTION:
            if self.amount is None or self.amount <= 0:
                errors["amount"] = _("Enter an amount above zero.")
            if len(self.currency) != 3 or not self.currency.isalpha():
                errors["currency"] = _("Enter a three-letter currency code, such as EUR.")
            if not self.means_of_payment:
                errors["means_of_payment"] = _("Choose the means of payment.")
        if errors:
            raise ValidationError(errors)

    @transition(
        field=state,
        source=ReportState.SUBMITTED,
        target=ReportState.UNDER_REVIEW,
        permission=report_handler,
        custom={"label": _("Take into review")},
    )
    def take_into_review(self) -> None:
        pass

    @transition(
        field=state,
        source=ReportState.UNDER_REVIEW,
        target=ReportState.ACCEPTED,
        permission=report_handler,
        custom={"label": _("Accept as relevant")},
    )
    def accept(self) -> None:
        pass

    @transition(
        field=state,
        source=ReportState.UNDER_REVIEW,
        target=ReportState.DISMISSED,
        permission=report_handler,
        custom={"label": _("Dismiss")},
    )
    def dismiss(self) -> None:
        pass
