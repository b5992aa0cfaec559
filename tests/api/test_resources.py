"""The resources a partner authority reads (Art. 21.1(a), (e)) and the answers to bad input:
wrong scope 403, unknown record 404, malformed query 400, each an RFC 9457 problem."""

from __future__ import annotations

from typing import Any

import pytest

from api.models import ApiCall
from api.scopes import LICENCES_READ, MACHINES_READ, PARTIES_READ, SEIZURES_READ
from licensing.models import TaxRegistration
from licensing.services.licences import reinstate_licence, suspend_licence
from tests.factories.equipment import MachineFactory
from tests.factories.licensing import LicenceFactory, PartyFactory, SiteFactory

pytestmark = pytest.mark.django_db


def test_a_licence_by_its_number_shows_the_approved_records(api_as: Any) -> None:
    licence = LicenceFactory()
    site = SiteFactory(party=licence.holder, municipality="Bergen")
    licence.sites.add(site)
    api = api_as(scopes=[LICENCES_READ])
    answer = api.get(f"/api/v1/licences/{licence.number.lower()}/")
    assert answer.status_code == 200
    data = answer.json()
    assert (data["number"], data["state"]) == (licence.number, "active")
    assert data["holder"]["name"] == licence.holder.legal_name
    assert [s["municipality"] for s in data["sites"]] == ["Bergen"]
    assert ApiCall.objects.get(client=api.partner).object_ids == [licence.number]


def test_a_natural_persons_name_is_not_disclosed(api_as: Any) -> None:
    # Art. 5: a natural person's name and numbers are personal data.
    licence = LicenceFactory(holder=PartyFactory(natural=True, approved=True))
    data = api_as(scopes=[LICENCES_READ]).get(f"/api/v1/licences/{licence.number}/").json()
    assert data["holder"]["kind"] == "natural"
    assert data["holder"]["name"] == ""
    assert licence.holder.legal_name not in str(data)


def test_a_licence_needs_its_scope(api_as: Any) -> None:
    licence = LicenceFactory()
    answer = api_as(scopes=[PARTIES_READ]).get(f"/api/v1/licences/{licence.number}/")
    assert answer.status_code == 403
    assert answer["Content-Type"] == "application/problem+json"


def test_an_unknown_licence_is_a_404_problem(api_as: Any) -> None:
    answer = api_as(scopes=[LICENCES_READ]).get("/api/v1/licences/NO-0000-X/")
    assert answer.status_code == 404
    assert answer.json() == {
        "type": "https://licensing.example/api/problems/not_found",
        "title": "Not Found",
        "status": 404,
        "detail": answer.json()["detail"],
    }


def test_the_history_lists_the_state_changes(
    api_as: Any, officer: Any, django_capture_on_commit_callbacks: Any
) -> None:
    licence = LicenceFactory()
    suspend_licence(licence_id=licence.pk, by=officer, ground="other", reason="Inspection finding")
    reinstate_licence(licence_id=licence.pk, by=officer)
    data = api_as(scopes=[LICENCES_READ]).get(f"/api/v1/licences/{licence.number}/history/").json()
    assert [(h["from_state"], h["to_state"]) for h in data["history"]] == [
        ("active", "suspended"),
        ("suspended", "active"),
    ]
    assert "Inspection finding" not in str(data)  # reasons stay with the authority


def test_the_feed_follows_changes_with_a_cursor(
    api_as: Any, officer: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        api = api_as(scopes=[LICENCES_READ])
        first, second = LicenceFactory(), LicenceFactory()
    start = api.get("/api/v1/licences/", {"changed_since": "2000-01-01T00:00:00Z"})
    assert start.status_code == 200
    cursor = start.json()["next_cursor"]
    with django_capture_on_commit_callbacks(execute=True):
        suspend_licence(licence_id=first.pk, by=officer, ground="other", reason="r")
    with django_capture_on_commit_callbacks(execute=True):
        suspend_licence(licence_id=second.pk, by=officer, ground="other", reason="r")
    page = api.get("/api/v1/licences/", {"cursor": cursor, "limit": 1}).json()
    assert [c["number"] for c in page["changes"]] == [first.number]
    assert page["has_more"] is True
    page = api.get("/api/v1/licences/", {"cursor": page["next_cursor"]}).json()
    assert [(c["number"], c["to_state"]) for c in page["changes"]] == [(second.number, "suspended")]
    assert page["has_more"] is False
    again = api.get("/api/v1/licences/", {"cursor": page["next_cursor"]}).json()
    assert again["changes"] == []
    assert again["next_cursor"] == page["next_cursor"]


@pytest.mark.parametrize(
    "query",
    [
        {"cursor": "abc"},
        {"cursor": "-1"},
        {"changed_since": "yesterday"},
        {"limit": "0"},
        {"limit": "100000"},
    ],
)
def test_a_malformed_feed_query_is_a_400_problem(api_as: Any, query: dict[str, str]) -> None:
    answer = api_as(scopes=[LICENCES_READ]).get("/api/v1/licences/", query)
    assert answer.status_code == 400
    assert answer["Content-Type"] == "application/problem+json"
    assert answer.json()["errors"]


def test_parties_by_registration_or_tax_number_show_identifiers_only(api_as: Any) -> None:
    licence = LicenceFactory()
    holder = licence.holder
    TaxRegistration.objects.create(party=holder, country="NO", number="NO974760673MVA")
    api = api_as(scopes=[PARTIES_READ])
    by_registration = api.get(
        f"/api/v1/parties/by-registration-number/{holder.registration_number}/"
    )
    assert by_registration.status_code == 200
    (party,) = by_registration.json()["parties"]
    assert party["licences"][0]["number"] == licence.number
    assert party["licensed"] is True
    assert "email" not in party and "address" not in str(party)
    by_tax = api.get("/api/v1/parties/by-tax-number/NO 974760673 MVA/").json()
    assert [p["registration_number"] for p in by_tax["parties"]] == [holder.registration_number]


def test_a_party_without_a_licence_is_not_found(api_as: Any) -> None:
    party = PartyFactory()
    data = api_as(scopes=[PARTIES_READ]).get(
        f"/api/v1/parties/by-registration-number/{party.registration_number}/"
    )
    assert data.json() == {"parties": []}


def test_a_malformed_country_is_a_400_problem(api_as: Any) -> None:
    api = api_as(scopes=[PARTIES_READ])
    answer = api.get("/api/v1/parties/by-tax-number/123/", {"country": "Norway"})
    assert answer.status_code == 400
    assert "country" in answer.json()["errors"]


def test_machines_by_serial_number_name_their_holders_licence(api_as: Any) -> None:
    machine = MachineFactory(serial_number="PM8-204417")
    MachineFactory(serial_number="PM8-999", declared=True)
    api = api_as(scopes=[MACHINES_READ])
    data = api.get("/api/v1/machines/", {"serial_number": "pm8 204417"}).json()
    assert [(m["identifier"], m["licence"]) for m in data["machines"]] == [
        (machine.identifier, machine.licence.number)
    ]
    # A machine only declared is an applicant's proposal, not the register's.
    assert api.get("/api/v1/machines/", {"serial_number": "PM8-999"}).json() == {"machines": []}
    by_id = api.get(f"/api/v1/machines/{machine.identifier.lower()}/").json()
    assert by_id["serial_number"] == "PM8-204417"
    assert api.get("/api/v1/machines/M-0000-X/").status_code == 404
    assert api.get("/api/v1/machines/").status_code == 400  # the serial number is required


def test_seizure_cases_need_their_scope(api_as: Any) -> None:
    assert api_as(scopes=[LICENCES_READ]).get("/api/v1/seizures/").status_code == 403
    assert api_as(scopes=[SEIZURES_READ]).get("/api/v1/seizures/").json()["records"] == []
