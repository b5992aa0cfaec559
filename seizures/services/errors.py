"""Errors an officer can cause with a seizure, each with its message for the edge."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from licensing.exceptions import DomainError


class CaseClosed(DomainError):
    default_message = _("This seizure case is closed: nothing can be added to it.")


class NotAClone(DomainError):
    default_message = _(
        "The register holds no machine of this make and serial number: it cannot be a clone."
    )


class RegisterMachineGone(DomainError):
    default_message = _(
        "The register's machine with this make and serial number was destroyed. A machine "
        "carrying its serial is another physical machine: mark it as cloned."
    )


class RegisterMachineAlreadySeized(DomainError):
    default_message = _(
        "The register's machine with this make and serial number is already seized in "
        "another case. If this is another physical machine, mark it as cloned."
    )


class ItemNotInStore(DomainError):
    default_message = _("This item is no longer with the authority.")


class ItemWithoutStore(DomainError):
    default_message = _("Record where the item is kept before ordering its destruction.")


class MovedMeanwhile(DomainError):
    default_message = _(
        "Someone else recorded a move of this item since the page was drawn. Reload the page "
        "to see where it is now."
    )


class SameLocation(DomainError):
    default_message = _("The item is already kept there.")


class LocationNotInUse(DomainError):
    default_message = _("This storage location is no longer in use.")


class NamesRequired(DomainError):
    default_message = _("Name who handed the item over and who received it.")


class OrderReferenceRequired(DomainError):
    default_message = _("Enter the reference of the court order that releases the item.")


class ReleasedToRequired(DomainError):
    default_message = _("Enter to whom the item is released.")


class ItemsNotHeld(DomainError):
    default_message = _(
        "Only items held in store can be ordered for destruction; one of them was released, "
        "destroyed or already ordered."
    )


class ItemsInSeveralStores(DomainError):
    default_message = _(
        "The items are kept in different stores: order their destruction store by store."
    )


class CashNotDestroyed(DomainError):
    default_message = _("Cash is not destroyed: release it by court order (e.g. forfeited).")


class ItemsStillInStore(DomainError):
    default_message = _(
        "Some items are still in store: release or destroy every item before closing the case."
    )


class BadRecord(DomainError):
    default_message = _("The record is not valid.")


class NotInOurCustody(DomainError):
    default_message = _(
        "This seizure was made by another Party: its items are not in this authority's custody."
    )
