"""The authority's name as what it sends names it (e-mails, letters, certificates, reports), in
the addressee's language: the default name is translated; a configured ``AUTHORITY_NAME`` is the
authority's own name and stays as it is."""

from __future__ import annotations

from django.utils.translation import gettext

# ``settings.AUTHORITY_NAME`` when it is not configured.
DEFAULT_AUTHORITY_NAME = "Tobacco Licensing Authority"


def authority_name(name: str) -> str:
    """``name`` in the active language (see the module's docstring)."""
    if name == DEFAULT_AUTHORITY_NAME:
        return gettext("Tobacco Licensing Authority")
    return name
