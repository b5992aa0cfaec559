"""Partner authorities in the admin: a senior officer registers one and sees its secret once,
revokes it with a reason; an officer cannot; an auditor reads partners and calls only."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from api.models import ApiCall, PartnerClient
from api.scopes import LICENCES_READ, SEIZURES_WRITE
from tests.api.conftest import obtain_token
from tests.factories.cooperation import CompetentAuthorityFactory

pytestmark = pytest.mark.django_db

ADD = "/admin/api/partnerclient/add/"


def _form(**overrides: Any) -> dict[str, Any]:
    return {
        "authority": str(CompetentAuthorityFactory(name="Tullverket").pk),
        "contact_email": "api@tull.example",
        "scopes": [LICENCES_READ, SEIZURES_WRITE],
        "expires_on": (timezone.localdate() + dt.timedelta(days=365)).isoformat(),
        "rate": "",
        **overrides,
    }


def test_a_senior_officer_registers_a_partner_and_sees_its_secret_once(
    client: Any, senior: Any
) -> None:
    client.force_login(senior)
    answer = client.post(ADD, _form(), follow=True)
    assert answer.status_code == 200
    partner = PartnerClient.objects.get()
    assert partner.scopes == [LICENCES_READ, SEIZURES_WRITE]
    (message,) = [str(m) for m in answer.context["messages"] if "Client secret" in str(m)]
    secret = message.rsplit("Client secret: ", 1)[1].strip()
    token = obtain_token(client, partner, secret)
    assert token.status_code == 200
    again = client.get(f"/admin/api/partnerclient/{partner.pk}/change/")
    assert secret not in again.content.decode()


def test_a_bad_rate_and_an_unknown_scope_re_render_the_form(client: Any, senior: Any) -> None:
    client.force_login(senior)
    answer = client.post(ADD, _form(rate="lots", scopes=["everything"]))
    assert answer.status_code == 200
    errors = answer.context["adminform"].form.errors
    assert set(errors) == {"rate", "scopes"}
    assert not PartnerClient.objects.exists()


def test_an_officer_cannot_register_a_partner(client: Any, officer: Any) -> None:
    client.force_login(officer)
    assert client.post(ADD, _form()).status_code == 403
    assert not PartnerClient.objects.exists()


def test_revocation_from_the_admin_needs_a_reason(
    client: Any, senior: Any, make_partner: Any
) -> None:
    partner, _secret = make_partner()
    client.force_login(senior)
    url = f"/admin/api/partnerclient/{partner.pk}/revoke/"
    page = client.post(url, {"reason": "  "})
    assert page.status_code == 200 and page.context["form"].errors
    client.post(url, {"reason": "The agreement ended."})
    partner.refresh_from_db()
    assert partner.revoked_at is not None
    assert partner.revocation_reason == "The agreement ended."


def test_a_new_secret_replaces_the_old(client: Any, senior: Any, make_partner: Any) -> None:
    partner, old = make_partner()
    client.force_login(senior)
    client.post(f"/admin/api/partnerclient/{partner.pk}/new-secret/")
    assert obtain_token(client, partner, old).status_code == 401


def test_an_auditor_reads_partners_and_calls_but_changes_nothing(
    client: Any, auditor: Any, api_as: Any
) -> None:
    api = api_as(scopes=[LICENCES_READ])
    api.get("/api/v1/licences/NO-0000-X/")
    client.force_login(auditor)
    assert client.get("/admin/api/partnerclient/").status_code == 200
    calls = client.get("/admin/api/apicall/")
    assert calls.status_code == 200
    assert "/api/v1/licences/NO-0000-X/" in calls.content.decode()
    assert (
        client.post(
            f"/admin/api/partnerclient/{api.partner.pk}/revoke/", {"reason": "x"}
        ).status_code
        == 403
    )
    assert ApiCall.objects.count() == 1
