"""A partner authority as the API sees it: registered by a senior officer, with a token from
the token endpoint (client credentials), calling with it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from api.scopes import SCOPES
from api.services.partners import register_partner
from tests.factories.cooperation import CompetentAuthorityFactory


@pytest.fixture
def make_partner(senior: Any) -> Callable[..., tuple[Any, str]]:
    """``make_partner(scopes=[...], country="SE")``: the partner and its client secret."""

    def make(
        *,
        scopes: list[str] | None = None,
        country: str = "SE",
        name: str = "Tullverket",
        rate: str = "",
        expires_on: dt.date | None = None,
    ) -> tuple[Any, str]:
        return register_partner(
            authority=CompetentAuthorityFactory(country=country, name=name),
            contact_email="api@tull.example",
            scopes=list(SCOPES) if scopes is None else scopes,
            expires_on=expires_on or timezone.localdate() + dt.timedelta(days=365),
            rate=rate,
            by=senior,
        )

    return make


def obtain_token(client: Any, partner: Any, secret: str, scope: str = "") -> Any:
    """POST /api/v1/token/ with the client's id and secret (RFC 6749, 4.4.2)."""
    data = {
        "grant_type": "client_credentials",
        "client_id": partner.application.client_id,
        "client_secret": secret,
    }
    if scope:
        data["scope"] = scope
    return client.post("/api/v1/token/", data)


@pytest.fixture
def api_as(make_partner: Callable[..., tuple[Any, str]]) -> Callable[..., Client]:
    """``api_as(scopes=[...])``: a test client sending a fresh token of a new partner holding
    those scopes; the partner is ``client.partner``."""

    def make(**kwargs: Any) -> Client:
        partner, secret = make_partner(**kwargs)
        client = Client()
        answer = obtain_token(client, partner, secret)
        assert answer.status_code == 200, answer.content
        token = answer.json()["access_token"]
        api = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
        api.partner = partner  # type: ignore[attr-defined]
        api.token = token  # type: ignore[attr-defined]
        return api

    return make
