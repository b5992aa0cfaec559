"""What one check of a licence costs the database (Art. 6: anyone may check a licence, so the page
is the most requested of the public site): one query by the unique number, none for a session
or a user, whatever the licence's state; and what it keeps while being cheap: the rate limit,
the Content-Security-Policy and no caching of a result that can change any minute."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.core.cache import cache
from django.urls import reverse

from licensing.models import LegacyImport
from licensing.services.numbers import _with_check
from tests.factories import LicenceFactory, PartyFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_rate_limit() -> None:
    cache.clear()


def test_checking_a_licence_is_one_query_and_no_session(
    client: Any, django_assert_num_queries: Any
) -> None:
    licence = LicenceFactory()
    url = reverse("verify:licence", args=[licence.number])
    with django_assert_num_queries(1):
        response = client.get(url)
    assert response.status_code == 200
    assert "Valid licence" in response.content.decode()
    # A visitor gets no session: nothing is stored for a look at a public page.
    assert settings.SESSION_COOKIE_NAME not in response.cookies
    assert not response.wsgi_request.session.modified


@pytest.mark.parametrize("trait", ["suspended", "revoked", "expired", "surrendered"])
def test_a_licence_in_any_other_state_is_one_query_too(
    client: Any, django_assert_num_queries: Any, trait: str
) -> None:
    licence = LicenceFactory(**{trait: True})
    with django_assert_num_queries(1):
        response = client.get(reverse("verify:licence", args=[licence.number]))
    assert "Not a valid licence" in response.content.decode()


def test_a_transferred_licence_takes_a_second_query_for_its_successor(
    client: Any, django_assert_num_queries: Any
) -> None:
    # Art. 6.4: the successor licence is named on the predecessor's page.
    old = LicenceFactory(transferred=True)
    new = LicenceFactory(predecessor=old)
    with django_assert_num_queries(2):
        response = client.get(reverse("verify:licence", args=[old.number]))
    assert new.number in response.content.decode()


def test_the_json_answer_is_one_query(client: Any, django_assert_num_queries: Any) -> None:
    licence = LicenceFactory()
    with django_assert_num_queries(1):
        response = client.get(reverse("verify:licence_json", args=[licence.number]))
    assert response.json()["valid"] is True


def test_a_mistyped_number_costs_no_query_and_an_unknown_one_a_single_one(
    client: Any, django_assert_num_queries: Any
) -> None:
    licence = LicenceFactory()
    typo = licence.number[:-1] + ("A" if licence.number[-1] != "A" else "B")
    with django_assert_num_queries(0):
        assert "mistyped" in client.get(reverse("verify:licence", args=[typo])).content.decode()
    unknown = _with_check("TL", 2026, 999_999)
    with django_assert_num_queries(1):
        response = client.get(reverse("verify:licence", args=[unknown]))
    assert "Licence not found" in response.content.decode()


def test_a_legacy_number_is_one_query_and_only_an_imported_licence_has_one(
    client: Any, django_assert_num_queries: Any
) -> None:
    # Art. 9.2: a licence imported from a legacy register keeps its printed number, which has
    # no check character; a licence issued here is never found by such a number.
    registrar = UserFactory()
    register = LegacyImport.objects.create(
        file="imports/register.csv",
        original_name="register.csv",
        size=1,
        sha256="0" * 64,
        uploaded_by=registrar,
    )
    imported = LicenceFactory(
        number="HU/2019/0042",
        legacy_import=register,
        holder=PartyFactory(legal_name="Duna Dohany Kft", trade_name=""),
    )
    LicenceFactory(number="HU/2019/0043")
    with django_assert_num_queries(1):
        data = client.get(reverse("verify:licence_json", args=["hu/2019/0042"])).json()
    assert (data["number"], data["valid"]) == (imported.number, True)
    assert data["licence"]["trade_name"] == "Duna Dohany Kft"
    with django_assert_num_queries(1):
        data = client.get(reverse("verify:licence_json", args=["HU/2019/0043"])).json()
    assert (data["status"], data["licence"]) == ("malformed", None)


def test_the_form_with_a_number_is_one_query(client: Any, django_assert_num_queries: Any) -> None:
    licence = LicenceFactory()
    with django_assert_num_queries(1):
        response = client.get(reverse("verify:form"), {"number": licence.number})
    assert "Valid licence" in response.content.decode()


def test_the_cheap_page_keeps_its_policy_headers_and_its_rate_limit(
    client: Any, settings: Any, one_window: Any
) -> None:
    one_window(60)
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "verify": (2, 60)}
    licence = LicenceFactory()
    url = reverse("verify:licence", args=[licence.number])
    response = client.get(url)
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert "no-store" in response["Cache-Control"]
    assert client.get(url).status_code == 200
    refused = client.get(url)
    assert refused.status_code == 429
    assert "script-src 'self'" in refused["Content-Security-Policy"]
