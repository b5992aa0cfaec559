"""Licences (Art. 6), their terms and conditions, and their state machine."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin, transition

from licensing.exceptions import DomainError, FourEyesViolation
from licensing.models.activities import MANUFACTURING, validate_activities
from licensing.models.applications import LicenceNotRenewable, ProposalMissing
from licensing.models.base import Record, choices_check, ordered_check
from licensing.models.parties import Party
from licensing.models.sites import Site
from licensing.transitions import explained

if TYPE_CHECKING:
    from licensing.models.decisions import DecisionProposal


class LicenceState(models.TextChoices):
    ACTIVE = "active", _("active")
    SUSPENDED = "suspended", _("suspended")
    REVOKED = "revoked", _("revoked")
    EXPIRED = "expired", _("expired")
    TRANSFERRED = "transferred", _("transferred")
    SURRENDERED = "surrendered", _("surrendered")


def holder_or_officer(licence: Any, user: Any) -> bool:
    return bool(
        user.has_perm("licensing.surrender_licence")
        or user.has_perm("licensing.act_for_party", licence.holder)
    )


def perm(codename: str) -> Any:
    def check(licence: Licence, user: Any) -> bool:
        return bool(user.has_perm(codename))

    check.__name__ = f"has_{codename.split('.')[-1]}"
    return check


def nobody(licence: Any, user: Any) -> bool:
    """Transitions that only the system runs (the nightly job, an approved application)."""
    return False


@explained(ProposalMissing)
def revocation_proposed(licence: Any) -> bool:
    proposal = licence.pending_proposal()
    return proposal is not None and proposal.action == "revoke"


@explained(LicenceNotRenewable)
def within_renewal_window(licence: Any) -> bool:
    return licence.is_renewable()


class Licence(FSMModelMixin, Record):
    # Non-guessable identifier for portal URLs (never the sequential primary key).
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    number = models.CharField(_("licence number"), max_length=32, unique=True)
    holder = models.ForeignKey(
        Party, on_delete=models.PROTECT, related_name="licences", verbose_name=_("holder")
    )
    activities = models.JSONField(_("activities"), validators=[validate_activities])
    sites = models.ManyToManyField(Site, blank=True, related_name="licences")
    valid_from = models.DateField(_("valid from"))
    expires_on = models.DateField(_("expires on"), db_index=True)
    predecessor = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="successors",
        verbose_name=_("predecessor"),
        help_text=_("The licence this one succeeds by transfer (Art. 6.4)."),
    )
    application = models.ForeignKey(
        "licensing.Application",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="issued_licences",
        verbose_name=_("issuing application"),
    )
    # A licence brought in from the authority's legacy register has no issuing application;
    # this names the import it came with.
    legacy_import = models.ForeignKey(
        "licensing.LegacyImport",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="licences",
        verbose_name=_("imported with"),
    )
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("issued by"),
    )
    issued_at = models.DateTimeField(_("issued at"), default=timezone.now)
    state = FSMField(
        _("state"),
        default=LicenceState.ACTIVE,
        choices=LicenceState.choices,
        protected=True,
        db_index=True,
    )

    class Meta:
        verbose_name = _("licence")
        verbose_name_plural = _("licences")
        ordering = ("-issued_at", "-pk")
        permissions = [
            ("suspend_licence", _("Can suspend licences")),
            ("reinstate_licence", _("Can reinstate suspended licences")),
            ("propose_revocation", _("Can propose revocations")),
            ("confirm_revocation", _("Can confirm revocations (senior officer)")),
            ("propose_suspension", _("Can propose a suspension for another officer to confirm")),
            ("surrender_licence", _("Can record a surrender on the holder's behalf")),
        ]
        indexes = [
            # The officers' list is in this order: its first page reads 50 index entries.
            models.Index(fields=["-issued_at", "-id"], name="licence_issued_order"),
            # The expiry job and the reminders read only active licences by date, in batches
            # keyed on (expires_on, id): the index's own order, so each batch is a range.
            models.Index(
                fields=["expires_on", "id"],
                condition=models.Q(state="active"),
                name="licence_active_expiry",
            ),
            # Art. 6.3(f): the dashboard's and the list's licences expired and still renewable.
            models.Index(
                fields=["expires_on"],
                condition=models.Q(state="expired"),
                name="licence_expired_expiry",
            ),
        ]
        constraints = [
            choices_check("state", LicenceState, "licence_state_valid"),
            ordered_check("valid_from", "expires_on", "licence_dates_in_order"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_manufacturing(self) -> bool:
        return bool(MANUFACTURING.intersection(self.activities or []))

    def grace_period_ends_on(self) -> dt.date:
        return self.expires_on + dt.timedelta(days=settings.LICENCE_RENEWAL_GRACE_DAYS)

    def is_renewable(self, today: dt.date | None = None) -> bool:
        # Art. 6.3(f): an expired licence may be renewed within the grace period only.
        today = today or timezone.localdate()
        if self.state == LicenceState.ACTIVE:
            return True
        return self.state == LicenceState.EXPIRED and today <= self.grace_period_ends_on()

    def pending_proposal(self) -> DecisionProposal | None:
        return self.proposals.filter(status="pending").order_by("-pk").first()

    def user_blockers(self, name: str, user: Any) -> list[DomainError]:
        """Four eyes (revocation, proposed suspension): the one who proposed may not confirm."""
        if name not in ("revoke", "suspend"):
            return []
        proposal = self.pending_proposal()
        if proposal is not None and proposal.action == name and proposal.proposed_by_id == user.pk:
            if name == "suspend":
                # A proposed suspension is confirmed by another licence officer, not a senior one.
                return [
                    FourEyesViolation(_("Another officer must confirm a suspension you proposed."))
                ]
            return [FourEyesViolation()]
        return []

    # Art. 6.3(a): the competent authority issues, renews, suspends, revokes and cancels.

    @transition(
        field=state,
        source=LicenceState.ACTIVE,
        target=LicenceState.SUSPENDED,
        permission=perm("licensing.suspend_licence"),
        custom={"label": _("Suspend"), "reason": True},
    )
    def suspend(self) -> None:
        pass

    @transition(
        field=state,
        source=LicenceState.SUSPENDED,
        target=LicenceState.ACTIVE,
        permission=perm("licensing.reinstate_licence"),
        custom={"label": _("Reinstate")},
    )
    def reinstate(self) -> None:
        pass

    @transition(
        field=state,
        source=[LicenceState.ACTIVE, LicenceState.SUSPENDED],
        target=LicenceState.REVOKED,
        permission=perm("licensing.confirm_revocation"),
        conditions=[revocation_proposed],
        custom={"label": _("Confirm revocation")},
    )
    def revoke(self) -> None:
        pass

    @transition(
        field=state,
        source=LicenceState.ACTIVE,
        target=LicenceState.EXPIRED,
        permission=nobody,
        custom={"label": _("Expire"), "admin": False},
    )
    def expire(self) -> None:
        pass

    @transition(
        field=state,
        source=[LicenceState.ACTIVE, LicenceState.EXPIRED],
        target=LicenceState.ACTIVE,
        permission=nobody,
        conditions=[within_renewal_window],
        custom={"label": _("Renew"), "admin": False},
    )
    def renew(self) -> None:
        pass

    @transition(
        field=state,
        source=LicenceState.ACTIVE,
        target=LicenceState.TRANSFERRED,
        permission=nobody,
        custom={"label": _("Transfer"), "admin": False},
    )
    def transfer(self) -> None:
        pass

    @transition(
        field=state,
        source=LicenceState.ACTIVE,
        target=LicenceState.SURRENDERED,
        permission=holder_or_officer,
        custom={"label": _("Record surrender"), "reason": True},
    )
    def surrender(self) -> None:
        pass


class LicenceTerm(Record):
    """Art. 6.3(f): each term a licence was valid for, from issue through every renewal."""

    licence = models.ForeignKey(
        Licence, on_delete=models.PROTECT, related_name="terms", verbose_name=_("licence")
    )
    valid_from = models.DateField(_("valid from"))
    expires_on = models.DateField(_("expires on"))
    application = models.ForeignKey(
        "licensing.Application",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("application"),
    )

    class Meta:
        verbose_name = _("licence term")
        verbose_name_plural = _("licence terms")
        ordering = ("licence", "valid_from")
        constraints = [ordered_check("valid_from", "expires_on", "licence_term_dates_in_order")]

    def __str__(self) -> str:
        return f"{self.valid_from} - {self.expires_on}"


class Condition(Record):
    """A condition attached to an application or a licence. A blocking condition stops the issue
    (on an application) or the renewal (on a licence) until an officer records it as met."""

    application = models.ForeignKey(
        "licensing.Application",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="conditions",
        verbose_name=_("application"),
    )
    licence = models.ForeignKey(
        Licence,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="conditions",
        verbose_name=_("licence"),
    )
    text = models.TextField(_("condition"))
    blocking = models.BooleanField(
        _("blocks issue or renewal until met"),
        default=False,
    )
    met_at = models.DateTimeField(_("met at"), null=True, blank=True)
    met_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded as met by"),
    )

    class Meta:
        verbose_name = _("condition")
        verbose_name_plural = _("conditions")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(application__isnull=False) | models.Q(licence__isnull=False),
                name="condition_has_a_subject",
            )
        ]

    def __str__(self) -> str:
        return self.text[:80]
