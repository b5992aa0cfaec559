"""The OpenAPI description of how a partner authenticates: OAuth2 client credentials at
``/api/v1/token/``, and on each operation the one scope it needs (``required_scopes``)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension

from api.scopes import SCOPES

SCHEME = "partnerOAuth2"


class PartnerAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "api.auth.PartnerAuthentication"
    name = SCHEME

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return {
            "type": "oauth2",
            "description": "Client credentials (RFC 6749, 4.4), one client per partner authority.",
            "flows": {
                "clientCredentials": {
                    "tokenUrl": "/api/v1/token/",
                    "scopes": {name: str(label) for name, label in SCOPES.items()},
                }
            },
        }

    def get_security_requirement(self, auto_schema: Any) -> dict[str, list[str]]:
        scopes: dict[str, str] = getattr(auto_schema.view, "required_scopes", {})
        scope = scopes.get(auto_schema.method) or scopes.get("*")
        return {SCHEME: [scope] if scope else []}
