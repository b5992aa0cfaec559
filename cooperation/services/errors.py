"""What the assistance services refuse, each with the message the officer reads."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from licensing.exceptions import DomainError, PermissionDenied


class AuthorityRequired(DomainError):
    # Art. 22.1: information goes to, and requests come from, a designated authority.
    default_message = _("Name the other Party's competent authority.")


class AuthorityNotInForce(DomainError):
    default_message = _("This authority's designation was withdrawn: nothing is sent to it.")


class DueBeforeReceipt(DomainError):
    default_message = _("The due date cannot be before the day the request was received.")


class DueDateRequired(DomainError):
    default_message = _("A request received needs the date its answer is due.")


class SubjectRequired(DomainError):
    default_message = _("Name the record the case is about.")


class NotTheSubject(DomainError):
    """A second record named beside the subject: only the subject's own fields are kept."""

    default_message = _("The case is about another kind of record: leave this empty.")

    def __init__(self, field: str) -> None:
        super().__init__()
        self.field = field


class PartyNotOfSubject(DomainError):
    default_message = _(
        "This party is not the holder of the record the case is about. Leave the party empty: "
        "the record's own party is taken."
    )


class ReceivedOutOfRange(DomainError):
    # Art. 28: requests under the Protocol, which entered into force on 25 September 2018.
    default_message = _(
        "The day received or sent must be between the Protocol's entry into force "
        "(25 September 2018) and today."
    )


class DueTooLate(DomainError):
    default_message = _("The due date must be within two years of the day received.")


class AsOfOutOfRange(DomainError):
    default_message = _(
        "The register can be read as of a day from 1 January 1950 up to the day received, "
        "not later."
    )


class NothingToAnswer(DomainError):
    default_message = _("Choose what the answer holds, or write the answer.")


class NothingHeld(DomainError):
    default_message = _(
        "The parts chosen hold no records as of the day asked. Write the answer, or decline "
        "the request (no records)."
    )


class AnswerChanged(DomainError):
    default_message = _(
        "The records have changed since the answer was prepared, and it now holds personal "
        "data: prepare it again, for a second officer to confirm."
    )


class SectionNotAvailable(DomainError):
    default_message = _("The answer cannot hold this for the case's subject.")


class PersonalDataNotAllowed(DomainError):
    # Art. 5, 22.2: personal data leave only where an agreement or national law allows it.
    default_message = _(
        "This authority may not receive personal data: no agreement in force allows it "
        "(Art. 5, 22.2). Leave the personal data out of the answer."
    )


class RecordNotVisible(PermissionDenied):
    default_message = _("The answer holds records that you may not see, so you cannot send them.")


class RestrictedRecord(DomainError):
    # Art. 21.2: a Party may specify that what it provided is not passed on without its
    # agreement.
    default_message = _(
        "The answer holds a seizure record another Party provided on condition that it is not "
        "passed on without its agreement (Art. 21.2)."
    )


class ReplyRequired(DomainError):
    default_message = _("Write what the other authority answered.")


class ZoneClosed(DomainError):
    default_message = _("This free zone is closed: no site is marked in it, no goods leave it.")


class AlreadyInZone(DomainError):
    default_message = _("This site is already marked in a free zone.")


class LeftBeforeMarked(DomainError):
    default_message = _("A site cannot leave a zone before the day it was marked in it.")


class NoTransitLicence(DomainError):
    default_message = _(
        "Only the holder of an active licence for transporting or brokering notifies a transit."
    )


class LeavesBeforeEntering(DomainError):
    default_message = _("The goods cannot leave before they enter the territory.")


class DeclarationRequired(DomainError):
    # Art. 12.2
    default_message = _(
        "Goods removed from a free zone need your declaration that no tobacco product travels "
        "with other goods in the same container (Art. 12.2)."
    )


class LeftBeforeEntering(DomainError):
    default_message = _("The goods cannot have left before they entered the territory.")


class WholeUnitsOnly(DomainError):
    default_message = _("Sticks, cartons and pieces are counted in whole numbers.")


class LeftInFuture(DomainError):
    default_message = _("The day the goods left cannot be in the future.")


class EntersInPast(DomainError):
    # Art. 12.3: a transit is notified before the goods enter the territory.
    default_message = _("A transit is notified before the goods enter: the day cannot be past.")


class EntersTooLate(DomainError):
    default_message = _("Notify a transit at most %(days)d days before the goods enter.")


class WindowTooLong(DomainError):
    default_message = _("The goods must leave within %(days)d days of entering.")


class AlreadyNotified(DomainError):
    default_message = _(
        "This consignment is already notified for these days (%(reference)s): nothing was filed "
        "twice."
    )


class MarkedInFuture(DomainError):
    default_message = _("The day cannot be in the future: record the marking once it applies.")


class SiteLeftInFuture(DomainError):
    default_message = _("The day the site left the zone cannot be in the future.")


class MarkedBeforeDesignation(DomainError):
    default_message = _("A site cannot be in a zone before the day the zone was designated.")
