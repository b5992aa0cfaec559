"""Errors a user of the equipment register can cause, each with its message for the edge."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from licensing.exceptions import DomainError


class SerialTaken(DomainError):
    default_message = _(
        "A machine of this make with this serial number is already in the register."
    )


class SellerNotLicensed(DomainError):
    # Art. 6.3(h), 14.1(g): equipment is acquired only from a licensee or a declared foreign
    # manufacturer or exporter.
    default_message = _(
        "The seller does not hold a valid licence. Equipment may be acquired only from a "
        "licensee or from a declared foreign manufacturer or exporter."
    )


class SellerRequired(DomainError):
    default_message = _(
        "Name the seller: the licence number of a licensee, or a foreign manufacturer or "
        "exporter and its country."
    )


class MachineNotWithSeller(DomainError):
    default_message = _(
        "The register shows no machine with this make and serial number held by the seller."
    )


class BuyerNotLicensed(DomainError):
    default_message = _(
        "The buyer does not hold a valid licence for manufacturing: equipment may be disposed "
        "of only to a licensee holding a licence for it."
    )


class NotInAdvance(DomainError):
    # Art. 6.3(g): a change is notified before it takes effect.
    default_message = _("A move must be notified in advance: choose a date after today.")


class NotOwnSite(DomainError):
    default_message = _("Choose another site of the holder.")


class NoticePeriodTooShort(DomainError):
    default_message = _(
        "The planned date must leave the authority the notice period of %(days)s days."
    )


class MachinesNotSeized(DomainError):
    default_message = _("An officer orders destruction only of seized machines.")


class MachinesMixed(DomainError):
    default_message = _("One order covers machines of one holder at one site.")


class NoInspectorAvailable(DomainError):
    default_message = _("No active inspector can be assigned.")


class BadPhoto(DomainError):
    default_message = _("A photo must be a JPEG or PNG image of at most %(mb)s MB.")


class NothingToDestroy(DomainError):
    default_message = _("Choose at least one item to destroy.")


class PlaceRequired(DomainError):
    default_message = _("Name the place where the seized items are destroyed.")
