"""The scopes a partner authority may be granted (Art. 21.1: what is shared, and with whom).
A senior officer grants them per partner; a token carries at most those (``PartnerScopes``)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

LICENCES_READ = "licences:read"
PARTIES_READ = "parties:read"
MACHINES_READ = "machines:read"
SEIZURES_READ = "seizures:read"
SEIZURES_WRITE = "seizures:write"
SUBSCRIPTIONS = "licences:subscribe"

SCOPES: dict[str, Any] = {
    # Art. 21.1(a): licensing records (number, holder, activities, sites, state, history).
    LICENCES_READ: _("Read licences, their history and the change feed"),
    # Art. 5: identifiers only: registration and tax numbers, identifier codes, licences.
    PARTIES_READ: _("Find parties by registration or tax number (identifiers only)"),
    MACHINES_READ: _("Read registered manufacturing equipment (Art. 6.3(h))"),
    # Art. 21.1(e): seizure records, both ways.
    SEIZURES_READ: _("Read seizure cases"),
    SEIZURES_WRITE: _("Report seizures to this authority"),
    SUBSCRIPTIONS: _("Subscribe to notifications of licence changes"),
}


def scope_choices() -> list[tuple[str, Any]]:
    return list(SCOPES.items())


class PartnerScopes:
    """django-oauth-toolkit's scopes backend: a token is issued for the scopes its partner
    holds now, never more (a partner asking for none gets all of them)."""

    def get_all_scopes(self) -> dict[str, str]:
        return {name: str(label) for name, label in SCOPES.items()}

    def _granted(self, application: Any) -> list[str]:
        client = getattr(application, "partner", None) if application is not None else None
        if client is None or not client.is_usable():
            return []
        return [scope for scope in client.scopes if scope in SCOPES]

    def get_available_scopes(
        self, application: Any = None, request: Any = None, *args: Any, **kwargs: Any
    ) -> list[str]:
        return self._granted(application)

    def get_default_scopes(
        self, application: Any = None, request: Any = None, *args: Any, **kwargs: Any
    ) -> list[str]:
        return self._granted(application)
