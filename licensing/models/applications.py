"""Licence applications (Art. 6.3(b)) and their state machine.

The FSM methods state the graph only: source, target, conditions and permission. The services
in ``licensing.services.applications`` are the one door that runs them."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField
from django_fsm import FSMField, FSMModelMixin, transition

from licensing.exceptions import (
    AuditTrailIsAppendOnly,
    ConditionOpen,
    DomainError,
    FeeUnpaid,
    FourEyesViolation,
    TransitionNotAllowed,
)
from licensing.models.activities import validate_activities
from licensing.models.base import EndableRecord, Record, choices_check, positive_check
from licensing.models.parties import Party
from licensing.models.sites import Product, ProductType, Site
from licensing.transitions import explained

if TYPE_CHECKING:
    from licensing.models.decisions import DecisionProposal


class ApplicationKind(models.TextChoices):
    NEW = "new", _("new licence")
    RENEWAL = "renewal", _("renewal")
    TRANSFER = "transfer", _("transfer")
    CHANGE = "change", _("change of information")


class ApplicationState(models.TextChoices):
    DRAFT = "draft", _("draft")
    SUBMITTED = "submitted", _("submitted")
    IN_REVIEW = "in_review", _("in review")
    INFORMATION_REQUESTED = "information_requested", _("information requested")
    APPROVED = "approved", _("approved")
    REFUSED = "refused", _("refused")
    WITHDRAWN = "withdrawn", _("withdrawn")


OPEN_STATES = (
    ApplicationState.SUBMITTED,
    ApplicationState.IN_REVIEW,
    ApplicationState.INFORMATION_REQUESTED,
)


class DeclarationMissing(DomainError):
    default_message = _("The applicant has not declared that the information is true and complete.")


class ActivitiesMissing(DomainError):
    default_message = _("The application names no activity.")


class LicenceMissing(DomainError):
    default_message = _("A renewal, transfer or change must name the licence it concerns.")


class LicenceNotRenewable(DomainError):
    default_message = _("The licence is neither active nor within its renewal grace period.")


class LicenceNotActive(DomainError):
    default_message = _("The licence is not active.")


class ProposalMissing(DomainError):
    default_message = _("This decision must first be proposed by an officer.")


class RefusalPending(DomainError):
    default_message = _("A refusal has been proposed: confirm or reject it first.")


# Permissions. Applicants act through a django-guardian object permission on their Party.


def acts_for_party(application: Any, user: Any) -> bool:
    return bool(user.has_perm("licensing.act_for_party", application.party))


def applicant_or_officer(application: Any, user: Any) -> bool:
    return acts_for_party(application, user) or bool(user.has_perm("licensing.review_application"))


def officer(application: Any, user: Any) -> bool:
    return bool(user.has_perm("licensing.review_application"))


def approver(application: Any, user: Any) -> bool:
    # Art. 6.4: a transfer needs the authority's prior approval, confirmed by a senior officer.
    if application.kind == ApplicationKind.TRANSFER:
        return bool(user.has_perm("licensing.confirm_decision"))
    return officer(application, user)


def senior(application: Any, user: Any) -> bool:
    return bool(user.has_perm("licensing.confirm_decision"))


# Conditions. Each names the error shown when it is not met.


@explained(DeclarationMissing)
def declaration_accepted(application: Any) -> bool:
    return application.declaration_accepted_at is not None


@explained(ActivitiesMissing)
def has_activities(application: Any) -> bool:
    return bool(application.activities)


@explained(LicenceMissing)
def names_its_licence(application: Any) -> bool:
    return application.kind == ApplicationKind.NEW or application.licence_id is not None


@explained(FeeUnpaid)
def fee_paid(application: Any) -> bool:
    # Art. 6.3(c): the fee is collected before the licence is issued.
    invoice = getattr(application, "invoice", None)
    return invoice is not None and invoice.is_paid


@explained(ConditionOpen)
def no_open_blocking_condition(application: Any) -> bool:
    if application.conditions.filter(blocking=True, met_at__isnull=True).exists():
        return False
    if application.kind == ApplicationKind.RENEWAL and application.licence_id:
        return not application.licence.conditions.filter(
            blocking=True, met_at__isnull=True
        ).exists()
    return True


@explained(LicenceNotRenewable)
def licence_renewable(application: Any) -> bool:
    if application.kind != ApplicationKind.RENEWAL:
        return True
    return application.licence is not None and application.licence.is_renewable()


@explained(LicenceNotActive)
def licence_active_for_transfer_or_change(application: Any) -> bool:
    if application.kind not in (ApplicationKind.TRANSFER, ApplicationKind.CHANGE):
        return True
    return application.licence is not None and application.licence.state == "active"


@explained(ProposalMissing)
def transfer_proposed(application: Any) -> bool:
    if application.kind != ApplicationKind.TRANSFER:
        return True
    proposal = application.pending_proposal()
    return proposal is not None and proposal.action == "approve_transfer"


@explained(RefusalPending)
def no_pending_refusal(application: Any) -> bool:
    proposal = application.pending_proposal()
    return proposal is None or proposal.action != "refuse"


@explained(ProposalMissing)
def refusal_proposed(application: Any) -> bool:
    proposal = application.pending_proposal()
    return proposal is not None and proposal.action == "refuse"


class Application(FSMModelMixin, Record):
    # Non-guessable identifier for portal URLs (never the sequential primary key).
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    reference = models.CharField(_("reference"), max_length=32, unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=ApplicationKind.choices)
    party = models.ForeignKey(
        Party, on_delete=models.PROTECT, related_name="applications", verbose_name=_("applicant")
    )
    licence = models.ForeignKey(
        "licensing.Licence",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="applications",
        verbose_name=_("licence concerned"),
        help_text=_("For a renewal, transfer or change: the licence it concerns."),
    )
    # Art. 6.1 and 6.2: the activities applied for.
    activities = models.JSONField(_("activities"), default=list, validators=[validate_activities])
    sites = models.ManyToManyField(Site, blank=True, related_name="applications")
    products = models.ManyToManyField(Product, blank=True, related_name="applications")
    change_description = models.TextField(
        _("description of the change"),
        blank=True,
        help_text=_("Art. 6.3(g): what changes in the information relevant to the licence."),
    )
    effective_on = models.DateField(
        _("change takes effect on"),
        null=True,
        blank=True,
        help_text=_("Art. 6.3(g): a change is notified in advance of the date it takes effect."),
    )
    # Art. 6.3(g): what the draft proposes for the applicant's own fields, kept apart from the
    # party until approval (licensing.models.versions): {"base_version": n, "fields": {...}}.
    party_changes = models.JSONField(
        _("proposed changes of the applicant"),
        default=dict,
        blank=True,
        encoder=DjangoJSONEncoder,
        editable=False,
    )
    # When the approved proposal became the current records: at approval, or on the date a
    # change notified in advance takes effect (``effective_on``).
    changes_applied_at = models.DateTimeField(
        _("changes applied at"), null=True, blank=True, editable=False
    )
    state = FSMField(
        _("state"),
        default=ApplicationState.DRAFT,
        choices=ApplicationState.choices,
        protected=True,
        db_index=True,
    )
    declaration_accepted_at = models.DateTimeField(
        _("declared true and complete at"), null=True, blank=True
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True, db_index=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    assigned_officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_applications",
        verbose_name=_("assigned officer"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )

    class Meta:
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        ordering = ("-submitted_at", "-pk")
        permissions = [
            ("review_application", _("Can review applications and propose decisions")),
            ("confirm_decision", _("Can confirm refusals and transfers (senior officer)")),
        ]
        indexes = [
            models.Index(fields=["state", "submitted_at"]),
            # The management pages' monthly sums (reports.case_flow, reports.figure_sources)
            # read a month of decisions: a range of decided_at.
            models.Index(
                fields=["decided_at"],
                condition=models.Q(decided_at__isnull=False),
                name="application_decided_at",
            ),
            # Art. 6.3(g): the job applying changes notified in advance reads only the approved
            # changes not yet applied, by date.
            models.Index(
                fields=["effective_on", "id"],
                condition=models.Q(
                    kind="change", state="approved", changes_applied_at__isnull=True
                ),
                name="application_change_due",
            ),
        ]
        constraints = [
            choices_check("state", ApplicationState, "application_state_valid"),
        ]

    def __str__(self) -> str:
        return self.reference

    def pending_proposal(self) -> DecisionProposal | None:
        return self.proposals.filter(status="pending").order_by("-pk").first()

    def user_blockers(self, name: str, user: Any) -> list[DomainError]:
        """Four eyes (refusal, transfer): the officer who proposed may not confirm."""
        if name not in ("refuse", "approve"):
            return []
        proposal = self.pending_proposal()
        if proposal is None or proposal.proposed_by_id != user.pk:
            return []
        if name == "refuse" or self.kind == ApplicationKind.TRANSFER:
            return [FourEyesViolation()]
        return []

    @transition(
        field=state,
        source=ApplicationState.DRAFT,
        target=ApplicationState.SUBMITTED,
        permission=applicant_or_officer,
        conditions=[declaration_accepted, has_activities, names_its_licence],
        custom={"label": _("Submit"), "admin": False},
    )
    def submit(self) -> None:
        pass

    @transition(
        field=state,
        source=ApplicationState.SUBMITTED,
        target=ApplicationState.IN_REVIEW,
        permission=officer,
        custom={"label": _("Take and start review")},
    )
    def start_review(self) -> None:
        pass

    @transition(
        field=state,
        source=ApplicationState.IN_REVIEW,
        target=ApplicationState.INFORMATION_REQUESTED,
        permission=officer,
        custom={"label": _("Request information")},
    )
    def request_information(self) -> None:
        pass

    @transition(
        field=state,
        source=ApplicationState.INFORMATION_REQUESTED,
        target=ApplicationState.IN_REVIEW,
        permission=applicant_or_officer,
        custom={"label": _("Record the applicant's reply")},
    )
    def provide_information(self) -> None:
        pass

    @transition(
        field=state,
        source=ApplicationState.IN_REVIEW,
        target=ApplicationState.APPROVED,
        permission=approver,
        conditions=[
            no_pending_refusal,
            fee_paid,
            no_open_blocking_condition,
            licence_renewable,
            licence_active_for_transfer_or_change,
            transfer_proposed,
        ],
        custom={"label": _("Approve")},
    )
    def approve(self) -> None:
        pass

    @transition(
        field=state,
        source=ApplicationState.IN_REVIEW,
        target=ApplicationState.REFUSED,
        permission=senior,
        conditions=[refusal_proposed],
        custom={"label": _("Confirm refusal")},
    )
    def refuse(self) -> None:
        pass

    @transition(
        field=state,
        source=[
            ApplicationState.DRAFT,
            ApplicationState.SUBMITTED,
            ApplicationState.INFORMATION_REQUESTED,
        ],
        target=ApplicationState.WITHDRAWN,
        permission=applicant_or_officer,
        custom={"label": _("Withdraw")},
    )
    def withdraw(self) -> None:
        pass


class MarketDeclaration(EndableRecord):
    """Art. 6.3(b)(viii): intended use and market of sale, with the anticipated demand there.
    A declaration withdrawn from a draft is ended, never deleted (Art. 9.5(a))."""

    application = models.ForeignKey(
        Application,
        on_delete=models.PROTECT,
        related_name="market_declarations",
        verbose_name=_("application"),
    )
    product_type = models.CharField(_("product type"), max_length=16, choices=ProductType.choices)
    market = CountryField(_("intended market"))
    intended_use = models.CharField(_("intended use"), max_length=200)
    anticipated_demand = models.PositiveBigIntegerField(_("anticipated demand, units per year"))

    class Meta:
        verbose_name = _("market declaration")
        verbose_name_plural = _("market declarations")
        constraints = [positive_check("anticipated_demand", "market_demand_positive")]

    def __str__(self) -> str:
        return f"{self.market}: {self.get_product_type_display()} {self.anticipated_demand}"


class InformationRequest(Record):
    """A question from the officer to the applicant, with a due date."""

    application = models.ForeignKey(
        Application,
        on_delete=models.PROTECT,
        related_name="information_requests",
        verbose_name=_("application"),
    )
    question = models.TextField(_("question"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    due_on = models.DateField(_("answer due on"))
    answer = models.TextField(_("answer"), blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("information request")
        verbose_name_plural = _("information requests")
        ordering = ("-created_at",)
        indexes = [
            # The chasers' job reads the open requests only, oldest first.
            models.Index(
                fields=["created_at", "id"],
                condition=models.Q(answered_at__isnull=True),
                name="information_request_open",
            ),
        ]

    def __str__(self) -> str:
        return str(_("Request of %(date)s") % {"date": f"{self.created_at:%Y-%m-%d}"})


class SubmissionSnapshot(models.Model):
    """Everything the applicant submitted, frozen at submission. Written once, never changed."""

    application = models.OneToOneField(
        Application, on_delete=models.PROTECT, related_name="snapshot"
    )
    taken_at = models.DateTimeField(_("taken at"), auto_now_add=True)
    data = models.JSONField(_("data"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)

    class Meta:
        verbose_name = _("submission snapshot")
        verbose_name_plural = _("submission snapshots")

    def __str__(self) -> str:
        return f"{self.application} @ {self.taken_at:%Y-%m-%d %H:%M}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AuditTrailIsAppendOnly(_("A submission snapshot cannot be changed."))
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise TransitionNotAllowed(_("A submission snapshot cannot be deleted."))
