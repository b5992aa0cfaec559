"""Partner authorities as OAuth2 clients (Art. 21.1): registered, scoped, expiring, revoked."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from api.models import ApiCall
from api.scopes import LICENCES_READ, SEIZURES_READ, SEIZURES_WRITE
from api.services.partners import PartnerAlreadyRevoked, change_grant, revoke_partner
from licensing.exceptions import PermissionDenied, ReasonRequired
from licensing.models.audit import AuditEvent, Verb
from tests.api.conftest import obtain_token
from tests.factories.cooperation import CompetentAuthorityFactory

pytestmark = pytest.mark.django_db


def test_a_partner_gets_a_token_for_the_scopes_it_holds_and_no_more(make_partner: Any) -> None:
    partner, secret = make_partner(scopes=[LICENCES_READ])
    answer = obtain_token(Client(), partner, secret)
    assert answer.status_code == 200
    assert answer.json()["scope"] == LICENCES_READ
    wider = obtain_token(Client(), partner, secret, f"{LICENCES_READ} {SEIZURES_READ}")
    assert wider.status_code == 400
    assert wider.json()["error"] == "invalid_scope"


def test_a_wrong_secret_gets_no_token(make_partner: Any, client: Any) -> None:
    partner, _secret = make_partner()
    answer = obtain_token(client, partner, "not-the-secret")
    assert answer.status_code == 401
    assert answer.json()["error"] == "invalid_client"


def test_the_secret_is_kept_hashed(make_partner: Any) -> None:
    partner, secret = make_partner()
    partner.application.refresh_from_db()
    assert secret not in partner.application.client_secret


def test_registering_a_partner_needs_the_senior_officers_permission(officer: Any) -> None:
    from api.services.partners import register_partner

    with pytest.raises(PermissionDenied):
        register_partner(
            authority=CompetentAuthorityFactory(),
            contact_email="x@x.example",
            scopes=[],
            expires_on=timezone.localdate(),
            by=officer,
        )


def test_a_revoked_partners_token_is_refused_at_once(api_as: Any, senior: Any) -> None:
    api = api_as(scopes=[LICENCES_READ])
    assert api.get("/api/v1/licences/NO-SUCH-1/").status_code == 404
    revoke_partner(client_id=api.partner.pk, by=senior, reason="Agreement ended")
    answer = api.get("/api/v1/licences/NO-SUCH-1/")
    assert answer.status_code == 401
    assert answer["Content-Type"] == "application/problem+json"
    assert AuditEvent.objects.filter(verb=Verb.REVOKED, object_id=str(api.partner.pk)).exists()
    with pytest.raises(PartnerAlreadyRevoked):
        revoke_partner(client_id=api.partner.pk, by=senior, reason="again")


def test_revocation_needs_a_reason(make_partner: Any, senior: Any) -> None:
    partner, _secret = make_partner()
    with pytest.raises(ReasonRequired):
        revoke_partner(client_id=partner.pk, by=senior, reason=" ")


def test_an_expired_partner_is_refused(api_as: Any) -> None:
    api = api_as(scopes=[LICENCES_READ])
    type(api.partner).objects.filter(pk=api.partner.pk).update(
        expires_on=timezone.localdate() - dt.timedelta(days=1)
    )
    assert api.get("/api/v1/licences/NO-SUCH-1/").status_code == 401


def test_a_scope_withdrawn_is_refused_even_to_an_earlier_token(api_as: Any, senior: Any) -> None:
    api = api_as(scopes=[LICENCES_READ, SEIZURES_READ])
    change_grant(
        client_id=api.partner.pk,
        scopes=[SEIZURES_READ],
        expires_on=api.partner.expires_on,
        rate="",
        by=senior,
    )
    answer = api.get("/api/v1/licences/NO-SUCH-1/")
    assert answer.status_code == 403
    assert answer.json()["status"] == 403


def test_every_call_is_recorded_with_its_status(api_as: Any) -> None:
    api = api_as(scopes=[LICENCES_READ])
    api.get("/api/v1/licences/NO-SUCH-1/")
    call = ApiCall.objects.get(client=api.partner)
    assert (call.method, call.status, call.endpoint) == ("GET", 404, "/api/v1/licences/NO-SUCH-1/")


def test_a_partner_over_its_limit_gets_429_with_retry_after(api_as: Any) -> None:
    api = api_as(scopes=[LICENCES_READ], rate="2/min")
    assert api.get("/api/v1/licences/NO-SUCH-1/").status_code == 404
    assert api.get("/api/v1/licences/NO-SUCH-1/").status_code == 404
    answer = api.get("/api/v1/licences/NO-SUCH-1/")
    assert answer.status_code == 429
    assert int(answer["Retry-After"]) > 0
    assert answer.json()["status"] == 429


def test_no_token_is_401_with_a_bearer_challenge(client: Any) -> None:
    answer = client.get("/api/v1/licences/NO-SUCH-1/")
    assert answer.status_code == 401
    assert answer["WWW-Authenticate"].startswith("Bearer")


def test_an_unknown_path_is_a_404_problem(client: Any) -> None:
    answer = client.get("/api/v1/no/such/thing/")
    assert answer.status_code == 404
    assert answer.json()["title"] == "Not Found"


def test_the_token_endpoint_is_limited_per_address(
    make_partner: Any, client: Any, settings: Any, one_window: Any
) -> None:
    one_window(60)
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "api_token": (2, 60)}
    partner, _secret = make_partner()
    assert obtain_token(client, partner, "guess-1").status_code == 401
    assert obtain_token(client, partner, "guess-2").status_code == 401
    answer = obtain_token(client, partner, "guess-3")
    assert answer.status_code == 429
    assert int(answer["Retry-After"]) > 0


@pytest.mark.postgresql
def test_the_record_of_calls_refuses_update_and_delete_in_the_database(api_as: Any) -> None:
    from django.db import DatabaseError, connection, transaction

    api = api_as(scopes=[LICENCES_READ])
    api.get("/api/v1/licences/NO-SUCH-1/")
    for sql in ("UPDATE api_apicall SET status = 200", "DELETE FROM api_apicall"):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            connection.cursor().execute(sql)
    assert ApiCall.objects.get().status == 404


@pytest.mark.parametrize("step", ["change_grant", "new_secret", "revoke_partner"])
def test_only_a_senior_officer_changes_a_partners_access(
    make_partner: Any, officer: Any, step: str
) -> None:
    from api.services import partners

    partner, _secret = make_partner(scopes=[LICENCES_READ])
    events = AuditEvent.objects.count()
    arguments: dict[str, Any] = {
        "change_grant": {"scopes": [], "expires_on": partner.expires_on, "rate": ""},
        "new_secret": {},
        "revoke_partner": {"reason": "Agreement ended"},
    }[step]
    with pytest.raises(PermissionDenied):
        getattr(partners, step)(client_id=partner.pk, by=officer, **arguments)
    partner.refresh_from_db()
    assert (partner.scopes, partner.revoked_at) == ([LICENCES_READ], None)
    assert AuditEvent.objects.count() == events


def test_a_partner_reports_its_own_partys_seizures_only(api_as: Any) -> None:
    # Art. 21.1(e): the reporting Party is the partner's own.
    from seizures.models import SeizureCase

    api = api_as(scopes=[SEIZURES_WRITE], country="SE")
    record = {
        "schema": "seizure/1",
        "reporting_party": "DK",
        "reference": "SKAT-1",
        "seized_on": "2026-11-30",
        "country": "DK",
        "items": [{"kind": "tobacco", "quantity": "10", "unit": "kg"}],
    }
    answer = api.post("/api/v1/seizures/", {"records": [record]}, content_type="application/json")
    assert answer.status_code == 403
    assert answer.json()["detail"] == "A partner reports the seizures of its own Party only."
    assert not SeizureCase.objects.exists()
