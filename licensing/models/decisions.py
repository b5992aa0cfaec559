"""Four eyes: a refusal, a transfer or a revocation is proposed by one officer and confirmed or
rejected by a senior officer who is not the proposer; a suspension proposed on an inspection's
finding is confirmed or rejected by a licence officer who is not the proposer."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from licensing.models.base import Record, choices_check


class ProposalAction(models.TextChoices):
    REFUSE = "refuse", _("refuse the application")
    APPROVE_TRANSFER = "approve_transfer", _("approve the transfer (Art. 6.4)")
    REVOKE = "revoke", _("revoke the licence")
    # Art. 6.3(a): a suspension proposed on grounds another officer must weigh (an inspection's
    # major or critical finding); a licence officer who is not the proposer confirms it.
    SUSPEND = "suspend", _("suspend the licence")


class DecisionGround(models.TextChoices):
    """Why a licence is refused, suspended or revoked (Art. 6.3(a): "in accordance with its
    national law"): the grounds the Protocol names, and one for the others national law holds.
    The management page counts decisions by ground (issue 22); the reason says the rest."""

    # Art. 6.3(b): the application lacks requisite information, or what it says is untrue.
    INFORMATION = "information", _("Information missing or untrue (Art. 6.3(b))")
    # Art. 6.3(b)(vi): a criminal record that bars the activity under national law.
    CRIMINAL_RECORD = "criminal_record", _("Criminal record (Art. 6.3(b)(vi))")
    # Art. 6.3(b)(viii), 7.1(b): supply not commensurate with the intended market's demand.
    SUPPLY = "supply", _("Supply beyond demand (Art. 6.3(b)(viii), 7.1(b))")
    # Art. 6.3(c): licence fees levied and unpaid.
    FEES = "fees", _("Licence fees unpaid (Art. 6.3(c))")
    # Art. 6.3(d): irregular or fraudulent practices in the licensing system.
    FRAUD = "fraud", _("Irregular or fraudulent practice (Art. 6.3(d))")
    # Art. 6.3(e): a finding of an inspection or audit.
    INSPECTION = "inspection", _("Inspection or audit finding (Art. 6.3(e))")
    # Art. 6.3(g), (h): a change of location, information or equipment not reported.
    UNREPORTED_CHANGE = "unreported_change", _("Change not reported (Art. 6.3(g), (h))")
    # Art. 7: due diligence not conducted, or a customer's contravention not reported.
    DUE_DILIGENCE = "due_diligence", _("Due diligence not conducted (Art. 7)")
    # Art. 9: records or returns not kept or not provided.
    RECORDS = "records", _("Records or returns not kept (Art. 9)")
    # Art. 14-16: an offence found (a seizure, illicit trade).
    OFFENCE = "offence", _("Offence found (Art. 14, 15)")
    OTHER = "other", _("Other ground in national law (Art. 6.3(a))")


# The proposals that carry a ground: every one but a transfer's approval.
GROUNDED_ACTIONS = frozenset({ProposalAction.REFUSE, ProposalAction.REVOKE, ProposalAction.SUSPEND})


class ProposalStatus(models.TextChoices):
    PENDING = "pending", _("pending")
    CONFIRMED = "confirmed", _("confirmed")
    REJECTED = "rejected", _("rejected")


class DecisionProposal(Record):
    application = models.ForeignKey(
        "licensing.Application",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="proposals",
        verbose_name=_("application"),
    )
    licence = models.ForeignKey(
        "licensing.Licence",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="proposals",
        verbose_name=_("licence"),
    )
    action = models.CharField(_("action"), max_length=20, choices=ProposalAction.choices)
    # Blank on proposals made before grounds were recorded, and on a transfer's approval.
    ground = models.CharField(
        _("ground"), max_length=20, choices=DecisionGround.choices, blank=True, default=""
    )
    reason = models.TextField(_("reason"))
    # The record's state when proposed: confirming after it changed would decide on other facts.
    subject_state = models.CharField(_("state when proposed"), max_length=32)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("proposed by"),
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=ProposalStatus.choices,
        default=ProposalStatus.PENDING,
        db_index=True,
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)

    class Meta:
        verbose_name = _("decision proposal")
        verbose_name_plural = _("decision proposals")
        ordering = ("-created_at",)
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(application__isnull=False, licence__isnull=True)
                    | models.Q(application__isnull=True, licence__isnull=False)
                ),
                name="proposal_has_one_subject",
            ),
            models.UniqueConstraint(
                fields=["application"],
                condition=models.Q(status="pending"),
                name="one_pending_proposal_per_application",
            ),
            models.UniqueConstraint(
                fields=["licence"],
                condition=models.Q(status="pending"),
                name="one_pending_proposal_per_licence",
            ),
            choices_check("status", ProposalStatus, "proposal_status_valid"),
            choices_check("ground", DecisionGround, "proposal_ground_valid", blank=True),
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()} ({self.get_status_display()})"

    @property
    def subject(self) -> models.Model:
        return self.application or self.licence  # type: ignore[return-value]
