"""The API's answers go to the register of disclosures (Art. 5, 22.2): one row per party an
answer was about, to the partner's authority, traced to the call; a refused or failed call
discloses nothing."""

from __future__ import annotations

from typing import Any

import pytest

from api.models import ApiCall
from api.scopes import LICENCES_READ, MACHINES_READ
from cooperation.models import Disclosure, DisclosureChannel
from tests.factories.equipment import MachineFactory
from tests.factories.licensing import LicenceFactory

pytestmark = pytest.mark.django_db


def test_a_licence_looked_up_is_a_disclosure_about_its_holder(api_as: Any) -> None:
    licence = LicenceFactory()
    api = api_as(scopes=[LICENCES_READ])
    assert api.get(f"/api/v1/licences/{licence.number}/").status_code == 200
    row = Disclosure.objects.get()
    call = ApiCall.objects.get(client=api.partner)
    assert (row.channel, row.party, row.authority) == (
        DisclosureChannel.API,
        licence.holder,
        api.partner.authority,
    )
    assert row.records == [f"licence {licence.number}"]
    assert row.source == f"API call {call.pk}" and row.personal_data is False
    assert row.purpose == f"GET /api/v1/licences/{licence.number}/"


def test_nothing_is_disclosed_by_a_refused_or_empty_answer(api_as: Any) -> None:
    licence = LicenceFactory()
    api_as(scopes=[MACHINES_READ]).get(f"/api/v1/licences/{licence.number}/")  # 403
    api_as(scopes=[LICENCES_READ]).get("/api/v1/licences/NO-SUCH-1/")  # 404
    assert not Disclosure.objects.exists()


def test_machines_found_by_serial_are_listed_per_holder(api_as: Any) -> None:
    first = MachineFactory(serial_number="GD-77")
    MachineFactory(serial_number="GD-77", make="Molins")
    api = api_as(scopes=[MACHINES_READ])
    assert api.get("/api/v1/machines/", {"serial_number": "GD-77"}).status_code == 200
    rows = Disclosure.objects.order_by("pk")
    assert rows.count() == 2
    assert f"machine {first.identifier}" in rows[0].records + rows[1].records
