"""Each endpoint costs a fixed number of queries however many records it returns: the token and
its partner (2), the call's record (1), its rows in the register of disclosures (1, one insert
for every party concerned), and its own reads."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from api.scopes import LICENCES_READ, MACHINES_READ, PARTIES_READ, SEIZURES_READ
from licensing.services.licences import suspend_licence
from tests.factories.equipment import MachineFactory
from tests.factories.licensing import LicenceFactory, SiteFactory

pytestmark = pytest.mark.django_db


def _count(api: Any, path: str, **query: Any) -> int:
    with CaptureQueriesContext(connection) as queries:
        answer = api.get(path, query)
    assert answer.status_code == 200, answer.content
    return len(queries)


def test_a_licence_costs_the_same_with_one_site_or_five(api_as: Any) -> None:
    api = api_as(scopes=[LICENCES_READ])
    small, large = LicenceFactory(), LicenceFactory()
    small.sites.add(SiteFactory(party=small.holder))
    large.sites.add(*[SiteFactory(party=large.holder) for _ in range(5)])
    assert _count(api, f"/api/v1/licences/{small.number}/") == 8
    assert _count(api, f"/api/v1/licences/{large.number}/") == 8


def test_a_page_of_the_feed_costs_the_same_for_two_changes_or_twenty(
    api_as: Any, officer: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        api = api_as(scopes=[LICENCES_READ])
        licences = [LicenceFactory() for _ in range(20)]
    start = api.get("/api/v1/licences/", {"changed_since": "2100-01-01T00:00:00Z"}).json()
    for licence in licences:
        with django_capture_on_commit_callbacks(execute=True):
            suspend_licence(licence_id=licence.pk, by=officer, ground="other", reason="r")
    assert _count(api, "/api/v1/licences/", cursor=start["next_cursor"], limit=2) == 6
    assert _count(api, "/api/v1/licences/", cursor=start["next_cursor"], limit=20) == 6


def test_parties_and_machines_cost_a_fixed_number(api_as: Any) -> None:
    api = api_as(scopes=[PARTIES_READ, MACHINES_READ, SEIZURES_READ])
    machine = MachineFactory(serial_number="PM8-1")
    MachineFactory(serial_number="PM8-1", make="Molins")
    holder = machine.licence.holder
    assert _count(api, f"/api/v1/parties/by-registration-number/{holder.registration_number}/") == 8
    assert _count(api, "/api/v1/machines/", serial_number="PM8-1") == 7
    assert _count(api, f"/api/v1/machines/{machine.identifier}/") == 7
