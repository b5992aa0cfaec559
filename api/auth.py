"""Who calls: a partner authority's OAuth2 access token (client credentials), checked against
the partner's state now (revoked, expired) and the scopes it holds now."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from oauth2_provider.contrib.rest_framework import OAuth2Authentication
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.permissions import BasePermission

from api.models import PartnerClient


def partner_of(request: Any) -> PartnerClient | None:
    """The partner a request authenticated as (set by ``PartnerAuthentication``)."""
    return getattr(getattr(request, "_request", request), "partner", None)


class PartnerAuthentication(OAuth2Authentication):
    www_authenticate_realm = "api"

    def authenticate(self, request: Any) -> tuple[Any, Any] | None:
        found = super().authenticate(request)
        if found is None:
            return None
        _user, token = found
        client = (
            PartnerClient.objects.select_related("account", "authority")
            .filter(application_id=token.application_id)
            .first()
        )
        # A token outlives neither its partner's revocation nor the end of its period.
        if client is None or not client.is_usable():
            raise AuthenticationFailed(_("This partner authority's access has ended."))
        request._request.partner = client
        return client.account, token


class HasScope(BasePermission):
    """Each view names the scope each method needs (``required_scopes``: method -> scope). The
    token must carry it and the partner must still hold it (a scope withdrawn after the token
    was issued is refused at once)."""

    message = _("This client does not hold the scope this endpoint needs.")

    def has_permission(self, request: Any, view: Any) -> bool:
        token = request.auth
        client = partner_of(request)
        if token is None or client is None:
            return False
        scopes: dict[str, str] = getattr(view, "required_scopes", {})
        scope = scopes.get(request.method) or scopes.get("*")
        if scope is None:
            return False
        return bool(token.allow_scopes([scope]) and client.holds(scope))
