"""Errors a user can cause. Each carries a translated message that the edge (admin, portal,
task) shows as it is."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    default_message = _("This action is not possible.")

    def __init__(self, message: object = None) -> None:
        self.message = message if message is not None else self.default_message
        super().__init__(str(self.message))

    def __str__(self) -> str:
        return str(self.message)


class TransitionNotAllowed(DomainError):
    default_message = _("This action is not possible in the current state.")


class PermissionDenied(DomainError):
    default_message = _("You do not have permission to do this.")


class ReasonRequired(DomainError):
    default_message = _("A reason is required.")


class GroundRequired(DomainError):
    # Art. 6.3(a): a refusal, suspension or revocation names its ground in national law.
    default_message = _("Choose the ground of the decision.")


class FourEyesViolation(DomainError):
    # Refusal, revocation and transfer are confirmed by a second officer.
    default_message = _("Another senior officer must confirm a decision that you proposed.")


class FeeUnpaid(DomainError):
    # Art. 6.3(c): no licence is issued while its fee is unpaid.
    default_message = _("The application fee has not been paid in full.")


class ConditionOpen(DomainError):
    default_message = _("A blocking condition has not been met.")


class StaleProposal(DomainError):
    default_message = _(
        "The record changed since this decision was proposed. Propose the decision again."
    )


class RecordsAreKept(DomainError):
    # Art. 9.5(a): records are kept for at least four years; this system never deletes them.
    default_message = _("Records are never deleted.")


class AuditTrailIsAppendOnly(DomainError):
    default_message = _("Audit events can be neither changed nor deleted.")
