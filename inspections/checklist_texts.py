"""The texts of the checklists seeded by migration 0003 (Art. 6.3(e)), for translation: a
question is stored as written (an officer's own question stays as typed), and a seeded one is
shown in the reader's language (the inspector's page, the holder's report). A test keeps this
list and the migration in step."""

from __future__ import annotations

from django.utils.functional import lazy
from django.utils.translation import gettext, gettext_noop

SEEDED_TEXTS = frozenset(
    {
        gettext_noop("Manufacturing site audit"),
        gettext_noop("Is the licence displayed and does it name this site?"),
        gettext_noop("Do all machines on site carry a readable serial plate?"),
        gettext_noop("Is every machine on site in the register?"),
        gettext_noop("Are tracking and tracing markings applied to unit packets?"),
        gettext_noop("Is the record of raw tobacco received kept and complete?"),
        gettext_noop("Is the record of production per product kept and complete?"),
        gettext_noop("Number of production lines in use"),
        gettext_noop("Photo of the production hall"),
        gettext_noop("Notes on the premises and records"),
        gettext_noop("Import and export audit"),
        gettext_noop("Is the licence displayed at the business location?"),
        gettext_noop("Are customs declarations kept for every shipment?"),
        gettext_noop("Are export destinations and routes recorded?"),
        gettext_noop("Is the due diligence of each customer on file?"),
        gettext_noop("Shipments in the last twelve months"),
        gettext_noop("Notes on the records"),
        gettext_noop("Wholesale and warehousing audit"),
        gettext_noop("Is the stock record kept and does it match the stock seen?"),
        gettext_noop("Do unit packets carry tracking and tracing markings?"),
        gettext_noop("Photo of the storage area"),
        gettext_noop("Retail outlet inspection"),
        gettext_noop("Is the licence displayed at the outlet?"),
        gettext_noop("Are the products bought from licensed suppliers only?"),
        gettext_noop("Notes"),
    }
)


def shown(text: str) -> str:
    """A seeded text in the active language; any other text as it is."""
    return gettext(text) if text in SEEDED_TEXTS else text


# For a context rendered later in another language (``render_pdf(language=...)``).
shown_lazy = lazy(shown, str)
