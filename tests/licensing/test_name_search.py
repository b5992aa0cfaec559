"""A party found by a part of its name, its registration or tax number, through the licence
list's search box; on PostgreSQL through the trigram indexes of migration 0030 (pg_trgm), never
by reading every party in name order."""

from __future__ import annotations

from typing import Any

import pytest
from django import forms
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from licensing import selectors
from licensing.admin.widgets import FastSelect
from tests.factories import LicenceFactory, PartyFactory, TaxRegistrationFactory

pytestmark = pytest.mark.django_db

LICENCES = reverse("admin:licensing_licence_changelist")


def listed(client: Any, term: str) -> set[str]:
    response = client.get(LICENCES, {"q": term})
    assert response.status_code == 200
    return {licence.number for licence in response.context["cl"].result_list}


def test_the_licence_list_finds_a_holder_by_part_of_a_name_or_a_number(
    client: Any, officer: Any
) -> None:
    holder = PartyFactory(legal_name="Fjordtobakk Handel AS", registration_number="NO-918273")
    licence = LicenceFactory(holder=holder)
    TaxRegistrationFactory(party=holder, number="MVA-55501")
    other = LicenceFactory()
    client.force_login(officer)
    assert listed(client, "tobakk hand") == {licence.number}
    assert listed(client, "no-918273") == {licence.number}
    assert listed(client, "mva-55501") == {licence.number}
    assert listed(client, "Nobody Such Trader") == set()
    assert other.number not in listed(client, "fjord")


@pytest.mark.postgresql
def test_a_name_search_reads_the_trigram_indexes(db: None) -> None:
    PartyFactory.create_batch(3)
    with CaptureQueriesContext(connection) as captured:
        assert selectors.matching_party_ids("Nobody Such Trader") == []
    (query,) = captured.captured_queries
    with connection.cursor() as cursor:
        # A handful of test rows would be read whole anyway: forbid that to see the plan.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {query['sql']}")
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "Bitmap Index Scan on party_legal_name_trgm" in plan
    assert "Bitmap Index Scan on party_trade_name_trgm" in plan
    assert "party_registration_upper" in plan


def test_the_python_select_draws_what_django_draws() -> None:
    choices = [("", "---------"), ("NO", "Norway"), ("HU", 'Hungary & "friends" <x>')]
    field = forms.ChoiceField(choices=choices)
    for value in ("NO", "", None):
        django = forms.Select(choices=choices).render("country", value, {"id": "id_country"})
        fast = FastSelect(choices=field.choices).render("country", value, {"id": "id_country"})
        assert "".join(fast.split()) == "".join(django.split())
