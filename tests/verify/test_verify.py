"""Public verification (/verify/) and register (/register/): each state told apart, no personal
data (Art. 5), the register fast and searchable, the rate limit per client address."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from licensing.models import Licence
from licensing.services.numbers import _with_check
from tests.factories import LicenceFactory, PartyFactory, PersonFactory, SiteFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_rate_limit() -> None:
    cache.clear()


def html(client: Any, number: str) -> str:
    response = client.get(reverse("verify:licence", args=[number]))
    assert response.status_code == 200
    return response.content.decode()


def as_json(client: Any, number: str) -> dict[str, Any]:
    response = client.get(reverse("verify:licence_json", args=[number]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    return response.json()


def mistyped(number: str) -> str:
    wrong = next(c for c in "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ" if c != number[-1])
    return number[:-1] + wrong


# Each state, in HTML and JSON.


def test_an_active_licence_is_valid_with_trade_name_activities_and_dates(client: Any) -> None:
    licence = LicenceFactory(holder=PartyFactory(trade_name="Nordlys Tobakk"))
    page = html(client, licence.number)
    assert "Valid licence" in page
    assert "This licence is valid today." in page
    assert "Nordlys Tobakk" in page
    assert "import" in page and "wholesaling" in page
    data = as_json(client, licence.number)
    assert data["valid"] is True
    assert data["status"] == "valid"
    assert data["number"] == licence.number
    assert data["licence"]["trade_name"] == "Nordlys Tobakk"
    assert [a["code"] for a in data["licence"]["activities"]] == ["import", "wholesale"]
    assert data["licence"]["valid_from"] == licence.valid_from.isoformat()
    assert data["licence"]["expires_on"] == licence.expires_on.isoformat()


@pytest.mark.parametrize(
    ("trait", "words"),
    [
        ("suspended", "suspended"),
        ("revoked", "revoked"),
        ("expired", "expired on"),
        ("surrendered", "surrendered"),
        ("transferred", "transferred"),
    ],
)
def test_each_ended_or_paused_state_is_not_valid_and_says_why(
    client: Any, trait: str, words: str
) -> None:
    licence = LicenceFactory(**{trait: True})
    page = html(client, licence.number)
    assert "Not a valid licence" in page
    assert words in page
    assert f"tag-{trait}" in page
    data = as_json(client, licence.number)
    assert data["valid"] is False
    assert data["status"] == trait
    assert words in data["explanation"]
    assert data["licence"]["trade_name"] == licence.holder.trade_name


def test_a_transferred_licence_names_its_successor(client: Any) -> None:
    old = LicenceFactory(transferred=True)
    new = LicenceFactory(predecessor=old)
    page = html(client, old.number)
    assert f"replaced by licence {new.number}" in page
    assert reverse("verify:licence", args=[new.number]) in page
    assert as_json(client, old.number)["successor_number"] == new.number
    assert as_json(client, new.number)["valid"] is True


def test_an_active_licence_past_its_term_is_expired_before_the_nightly_job(client: Any) -> None:
    licence = LicenceFactory(valid_from=timezone.localdate() - dt.timedelta(days=800))
    assert licence.state == "active"
    data = as_json(client, licence.number)
    assert (data["valid"], data["status"]) == (False, "expired")


def test_a_licence_whose_term_has_not_started_is_not_yet_valid(client: Any) -> None:
    licence = LicenceFactory(valid_from=timezone.localdate() + dt.timedelta(days=3))
    data = as_json(client, licence.number)
    assert (data["valid"], data["status"]) == (False, "not_yet_valid")


def test_suspending_shows_on_the_same_url(client: Any) -> None:
    licence = LicenceFactory()
    assert as_json(client, licence.number)["valid"] is True
    Licence.objects.filter(pk=licence.pk).update(state="suspended")
    assert as_json(client, licence.number)["status"] == "suspended"


# Mistyped, unknown, not a number.


def test_a_mistyped_number_is_told_apart_from_an_unknown_one(client: Any) -> None:
    licence = LicenceFactory()
    typo = mistyped(licence.number)
    unknown = _with_check("TL", 2026, 999_999)

    typo_data, unknown_data = as_json(client, typo), as_json(client, unknown)
    assert typo_data["status"] == "mistyped"
    assert "check character" in typo_data["explanation"]
    assert unknown_data["status"] == "unknown"
    assert "No licence has this number" in unknown_data["explanation"]
    assert typo_data["valid"] is unknown_data["valid"] is False
    assert typo_data["licence"] is unknown_data["licence"] is None

    assert "mistyped" in html(client, typo)
    assert "check character" not in html(client, unknown)
    assert "No licence has this number" in html(client, unknown)


def test_the_number_is_read_as_printed_whatever_the_case_and_spaces(client: Any) -> None:
    licence = LicenceFactory()
    response = client.get(reverse("verify:form"), {"number": f"  {licence.number.lower()} "})
    assert response.status_code == 200
    assert "This licence is valid today." in response.content.decode()


def test_text_that_is_no_licence_number_is_said_to_be_none(client: Any) -> None:
    data = as_json(client, "hello")
    assert data["status"] == "malformed"
    assert "not a licence number" in data["explanation"]


def test_the_form_asks_for_a_number_by_get(client: Any) -> None:
    page = client.get(reverse("verify:form")).content.decode()
    assert 'method="get"' in page
    assert 'name="number"' in page
    assert client.post(reverse("verify:form")).status_code == 405


# Art. 5: no personal data.


def natural_holder(**overrides: Any) -> Any:
    values = {
        "natural": True,
        "legal_name": "Kari Ingrid Nordmann",
        "trade_name": "Solsiden Kiosk",
        "address": "Storgata 5\n0155 Oslo",
        "email": "kari.nordmann@example.org",
        "phone": "+47 912 34 567",
        "identity_document_number": "P87654321",
        "date_of_birth": dt.date(1971, 9, 23),
    }
    values.update(overrides)
    holder = PartyFactory(**values)
    PersonFactory(party=holder, full_name="Ola Representant", identity_document_number="X555")
    return holder


SECRETS = [
    "Kari Ingrid Nordmann",
    "Storgata",
    "0155",
    "kari.nordmann",
    "912 34 567",
    "P87654321",
    "1971",
    "Ola Representant",
    "X555",
    "Industriveien",
]


def assert_no_personal_data(text: str) -> None:
    for secret in SECRETS:
        assert secret not in text, secret


def test_no_personal_data_of_a_natural_person_in_html_or_json(client: Any) -> None:
    holder = natural_holder()
    site = SiteFactory(party=holder, municipality="Bodø")
    licence = LicenceFactory(holder=holder, sites=[site])
    page = html(client, licence.number)
    response = client.get(reverse("verify:licence_json", args=[licence.number]))
    register = client.get(reverse("verify:register")).content.decode()
    assert "Solsiden Kiosk" in page and "Solsiden Kiosk" in register
    assert "Bodø" in register
    for text in (page, response.content.decode(), register):
        assert_no_personal_data(text)
    assert set(response.json()["licence"]) == {
        "trade_name",
        "activities",
        "valid_from",
        "expires_on",
    }


def test_a_natural_person_without_trade_name_is_not_named(client: Any) -> None:
    licence = LicenceFactory(holder=natural_holder(trade_name=""))
    page = html(client, licence.number)
    data = as_json(client, licence.number)
    assert "Not published" in page
    assert data["licence"]["trade_name"] == ""
    assert_no_personal_data(page)
    assert_no_personal_data(str(data))
    # Nor can a search by the legal name reveal that the person holds a licence.
    register = client.get(reverse("verify:register"), {"name": "Nordmann"})
    assert licence.number not in register.content.decode()


def test_a_company_without_trade_name_shows_its_legal_name(client: Any) -> None:
    licence = LicenceFactory(holder=PartyFactory(legal_name="Fjord Import AS", trade_name=""))
    assert as_json(client, licence.number)["licence"]["trade_name"] == "Fjord Import AS"


# The register.


def test_the_register_lists_only_active_licences(client: Any) -> None:
    active = LicenceFactory()
    others = [LicenceFactory(**{t: True}) for t in ("suspended", "revoked", "expired")]
    page = client.get(reverse("verify:register")).content.decode()
    assert active.number in page
    for licence in others:
        assert licence.number not in page


def test_the_register_searches_by_trade_name_municipality_and_activity(client: Any) -> None:
    tromso = SiteFactory(municipality="Tromsø")
    bergen = SiteFactory(municipality="Bergen")
    north = LicenceFactory(
        holder=PartyFactory(trade_name="Nordkapp Tobakk"), activities=["retail"], sites=[tromso]
    )
    west = LicenceFactory(
        holder=PartyFactory(trade_name="Vestland Engros"), activities=["wholesale"], sites=[bergen]
    )

    def found(**query: str) -> set[str]:
        page = client.get(reverse("verify:register"), query).content.decode()
        return {n for n in (north.number, west.number) if n in page}

    assert found() == {north.number, west.number}
    assert found(name="nordkapp") == {north.number}
    assert found(municipality="berg") == {west.number}
    assert found(activity="retail") == {north.number}
    assert found(activity="wholesale", municipality="Tromsø") == set()


def make_active(count: int) -> list[Licence]:
    site = SiteFactory()
    return [
        LicenceFactory(holder=site.party, application=None, terms=False, sites=[site])
        for _ in range(count)
    ]


def listed(response: Any) -> list[str]:
    return [row["licence"].number for row in response.context["rows"]]


def test_the_register_pages_by_licence_number(client: Any) -> None:
    numbers = sorted(licence.number for licence in make_active(53))
    first = client.get(reverse("verify:register"))
    assert listed(first) == numbers[:50]
    assert first.context["next_url"] and not first.context["previous_url"]

    second = client.get(reverse("verify:register") + first.context["next_url"])
    assert listed(second) == numbers[50:]
    assert not second.context["next_url"]

    back = client.get(reverse("verify:register") + second.context["previous_url"])
    assert listed(back) == numbers[:50]
    assert back.context["next_url"] and not back.context["previous_url"]


def test_the_register_page_costs_the_same_queries_for_50_rows_as_for_1(client: Any) -> None:
    make_active(1)
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("verify:register"))
    make_active(60)
    with CaptureQueriesContext(connection) as fifty:
        response = client.get(reverse("verify:register"))
    assert len(response.context["rows"]) == 50
    assert len(fifty) == len(one) == 2, [q["sql"] for q in fifty.captured_queries]


# Rate limit.


@time_machine.travel(dt.datetime(2026, 11, 25, 10, 0, 0, tzinfo=dt.UTC), tick=False)
def test_the_rate_limit_answers_429_with_retry_after_and_resets(client: Any, settings: Any) -> None:
    settings.RATE_LIMITS = {"verify": (3, 60), "register": (3, 60)}
    url = reverse("verify:licence_json", args=["hello"])
    for _ in range(3):
        assert client.get(url).status_code == 200
    refused = client.get(url)
    assert refused.status_code == 429
    assert refused["Retry-After"] == "60"
    assert refused.json()["error"] == "too_many_requests"

    page = client.get(reverse("verify:form"))
    assert page.status_code == 429
    assert "Too many requests" in page.content.decode()
    assert page["Retry-After"] == "60"

    # Counted per REMOTE_ADDR: another address goes on; a forged X-Forwarded-For does not help.
    assert client.get(url, REMOTE_ADDR="10.0.0.2").status_code == 200
    assert client.get(url, HTTP_X_FORWARDED_FOR="10.0.0.3").status_code == 429
    # The register counts on its own.
    assert client.get(reverse("verify:register")).status_code == 200

    with time_machine.travel(dt.datetime(2026, 11, 25, 10, 0, 45, tzinfo=dt.UTC), tick=False):
        assert client.get(url)["Retry-After"] == "15"
    with time_machine.travel(dt.datetime(2026, 11, 25, 10, 1, 0, tzinfo=dt.UTC), tick=False):
        assert client.get(url).status_code == 200
