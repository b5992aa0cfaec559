"""The decision buttons of an application's page (Art. 6.3(c) fee, 6.3(d) review, 6.4 transfer;
four eyes on refusal and transfer), each calling one service."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from licensing.admin.actions import AdminAction
from licensing.admin.changes import REVIEW_CHANGES_AGAIN
from licensing.admin.forms import (
    GroundedReasonForm,
    InformationRequestForm,
    OptionalReasonForm,
    PaymentForm,
    ReasonForm,
    ReplyForm,
)
from licensing.admin.issued import REPRINT_LETTER
from licensing.admin.shared import (
    MEET_CONDITION,
    REJECT_PROPOSAL,
    proposal_summary,
)
from licensing.models import (
    Application,
    ApplicationKind,
    Payment,
    ProposalAction,
)
from licensing.models.activities import activity_labels
from licensing.models.applications import ProposalMissing
from licensing.services import applications as services
from licensing.services.fees import record_payment
from licensing.services.rules import (
    payment_blockers,
    proposal_blockers,
    staleness,
)


def invoice_of(application: Application) -> Any:
    return getattr(application, "invoice", None)


def _approval_summary(application: Application) -> list[tuple[Any, str]]:
    invoice = invoice_of(application)
    rows: list[tuple[Any, str]] = [
        (_("Applicant"), str(application.party)),
        (_("Kind"), application.get_kind_display()),
        (_("Activities"), ", ".join(activity_labels(application.activities))),
    ]
    if application.licence_id:
        rows.append((_("Licence concerned"), str(application.licence)))
    if invoice is not None:
        rows.append((_("Fee"), f"{invoice.amount} {invoice.currency}"))
    return rows + proposal_summary(application)


def _record_payment(application: Application, user: Any, data: dict[str, Any]) -> Payment:
    return record_payment(
        invoice_id=application.invoice.pk,
        by=user,
        reference=data["reference"],
        amount=data["amount"],
        paid_on=data["paid_on"],
    )


# Art. 6.3(c) fee, 6.3(d) review, 6.4 transfer; four eyes on refusal and transfer.
APPLICATION_ACTIONS = (
    AdminAction(
        "start_review",
        _("Take and start review"),
        transition="start_review",
        run=lambda a, u, d: services.start_review(application_id=a.pk, by=u),
        help_text=_("You become the officer of this application."),
    ),
    AdminAction(
        "record_payment",
        _("Record fee payment"),
        blockers=lambda a, u: payment_blockers(invoice_of(a), u),
        form=PaymentForm,
        run=_record_payment,
        summary=_approval_summary,
    ),
    AdminAction(
        "request_information",
        _("Request information"),
        transition="request_information",
        form=InformationRequestForm,
        run=lambda a, u, d: services.request_information(
            application_id=a.pk, by=u, question=d["question"], due_on=d.get("due_on")
        ),
    ),
    AdminAction(
        "provide_information",
        _("Record the applicant's reply"),
        transition="provide_information",
        form=ReplyForm,
        run=lambda a, u, d: services.provide_information(
            application_id=a.pk, by=u, answer=d["answer"]
        ),
    ),
    MEET_CONDITION,
    REVIEW_CHANGES_AGAIN,
    AdminAction(
        "approve",
        _("Approve"),
        transition="approve",
        blockers=lambda a, u: (
            staleness(a.pending_proposal()) if a.kind == ApplicationKind.TRANSFER else []
        ),
        run=lambda a, u, d: services.approve_application(application_id=a.pk, by=u),
        summary=_approval_summary,
        help_text=_("Issues, renews, transfers or changes the licence, as the kind says."),
    ),
    AdminAction(
        "propose_transfer",
        _("Propose approval of the transfer"),
        blockers=lambda a, u: proposal_blockers(a, u, ProposalAction.APPROVE_TRANSFER),
        form=ReasonForm,
        run=lambda a, u, d: services.propose_decision(
            application_id=a.pk, by=u, action=ProposalAction.APPROVE_TRANSFER, reason=d["reason"]
        ),
        help_text=_("Art. 6.4: a senior officer who is not you confirms the transfer."),
    ),
    AdminAction(
        "propose_refusal",
        _("Propose refusal"),
        blockers=lambda a, u: proposal_blockers(a, u, ProposalAction.REFUSE),
        form=GroundedReasonForm,
        danger=True,
        run=lambda a, u, d: services.propose_decision(
            application_id=a.pk,
            by=u,
            action=ProposalAction.REFUSE,
            ground=d["ground"],
            reason=d["reason"],
        ),
        help_text=_("A senior officer who is not you confirms the refusal."),
    ),
    AdminAction(
        "refuse",
        _("Confirm refusal"),
        transition="refuse",
        blockers=lambda a, u: staleness(a.pending_proposal()),
        danger=True,
        hide_when=(ProposalMissing,),
        run=lambda a, u, d: services.confirm_refusal(application_id=a.pk, by=u),
        summary=proposal_summary,
    ),
    REJECT_PROPOSAL,
    AdminAction(
        "withdraw",
        _("Withdraw"),
        transition="withdraw",
        form=OptionalReasonForm,
        danger=True,
        run=lambda a, u, d: services.withdraw_application(
            application_id=a.pk, by=u, reason=d.get("reason", "")
        ),
        help_text=_("At the applicant's request, before a decision."),
    ),
    REPRINT_LETTER,
)
