"""The OpenAPI schema: the committed copy (docs/api/openapi.yaml) is the one served, and every
endpoint, called by schemathesis with data generated from it under every scope, answers
without a server error and as the schema says (status, content type, headers, body)."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from api.scopes import SCOPES
from licensing.wsgi import application
from tests.api.conftest import obtain_token

COMMITTED = Path(__file__).resolve().parents[2] / "docs" / "api" / "openapi.yaml"


def test_the_committed_schema_is_current() -> None:
    out = io.StringIO()
    call_command("spectacular", "--validate", "--fail-on-warn", stdout=out)
    assert out.getvalue() == COMMITTED.read_text(encoding="utf-8"), (
        "docs/api/openapi.yaml is stale: run "
        "`.venv/bin/python manage.py spectacular --validate --file docs/api/openapi.yaml`"
    )


def test_the_schema_and_its_reference_page_are_served(client: Any) -> None:
    schema = client.get("/api/v1/schema/")
    assert schema.status_code == 200
    assert b"partnerOAuth2" in schema.content
    page = client.get("/api/v1/schema/reference/")
    assert page.status_code == 200
    assert b"swagger-ui" in page.content
    assert b"cdn" not in page.content.lower()  # the assets are served from here


schema = schemathesis.openapi.from_path(str(COMMITTED))
schema.app = application


@pytest.fixture
def tokens(client: Any, make_partner: Any, settings: Any) -> Any:
    """``tokens(scopes)``: a bearer header of a partner holding ``scopes``, made once for all
    the examples of one test (the token endpoint is limited per address)."""
    settings.ALLOWED_HOSTS = ["localhost", "testserver"]
    settings.API_ALLOW_LOOPBACK_ENDPOINTS = True
    made: dict[tuple[str, ...], dict[str, str]] = {}

    def token(scopes: list[str]) -> dict[str, str]:
        key = tuple(sorted(scopes))
        if key not in made:
            partner, secret = make_partner(scopes=list(key), country="SE")
            answer = obtain_token(client, partner, secret).json()["access_token"]
            made[key] = {"Authorization": f"Bearer {answer}"}
        return made[key]

    return token


def _validate(case: Any, headers: dict[str, str]) -> Any:
    # schemathesis calls the WSGI application itself, whose request signals would close the
    # test's database connection inside its transaction: detached as Django's test client does.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        response = case.call(headers=headers)
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
    # Every other check: no server error, the documented status, content type, headers and
    # body. Not "a schema-valid request is accepted": what the schema cannot say (a country
    # that exists, a reference already received, an endpoint on the public internet) is
    # refused by the services with a documented 400 or 422 problem.
    case.validate_response(response, headers=headers, excluded_checks=[positive_data_acceptance])
    return response


FUZZ = settings(deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))


@pytest.mark.django_db
@schema.parametrize()
@settings(FUZZ, max_examples=8)
def test_every_endpoint_answers_as_its_schema_says(case: Any, tokens: Any) -> None:
    _validate(case, tokens(sorted(SCOPES)))


@pytest.mark.django_db
@schema.parametrize()
@settings(FUZZ, max_examples=2)
def test_every_endpoint_refuses_a_token_of_every_other_scope(case: Any, tokens: Any) -> None:
    requirements = case.operation.definition.raw.get("security") or [{}]
    needed = set(requirements[0].get("partnerOAuth2") or [])
    if not needed:
        return  # public (the signing keys): no scope to lack
    headers = tokens(sorted(set(SCOPES) - needed))
    status = _validate(case, headers).status_code
    if case.meta is not None and case.meta.generation.mode.is_positive:
        # 415 for a body of a type the API does not read, before any scope is looked at.
        assert status in (403, 415)
    else:  # a malformed request may be refused as such first (or its path not exist)
        assert status in (400, 403, 404, 415)
