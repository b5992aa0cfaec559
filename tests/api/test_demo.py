"""The demo's partner authority (``make run``): made once, and its printed credentials work."""

from __future__ import annotations

from typing import Any

import pytest

from api.demo import DEMO_CLIENT_ID, demo_client_secret, ensure_demo_partner
from api.models import PartnerClient
from api.scopes import SCOPES

pytestmark = pytest.mark.django_db


def test_the_demo_partner_is_made_once_and_its_credentials_work(client: Any, senior: Any) -> None:
    assert ensure_demo_partner() is True
    assert ensure_demo_partner() is False
    partner = PartnerClient.objects.get()
    assert partner.application.client_id == DEMO_CLIENT_ID
    answer = client.post(
        "/api/v1/token/",
        {
            "grant_type": "client_credentials",
            "client_id": DEMO_CLIENT_ID,
            "client_secret": demo_client_secret(),
        },
    )
    assert answer.status_code == 200
    assert set(answer.json()["scope"].split()) == set(SCOPES)
