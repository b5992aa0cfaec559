"""Inserting in bulk (licensing.exchange.copying): what COPY stores is what ``bulk_create``
stores, field by field, whichever way the values are prepared."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.forms.models import model_to_dict
from django.utils import timezone

from licensing.exchange.copying import insert, insert_rows, instances
from licensing.models import Licence, LicenceTerm, Party
from tests.factories import LicenceFactory

pytestmark = pytest.mark.django_db

PARTY = {
    "kind": "natural",
    "legal_name": "Kari Nordmann",
    "trade_name": "Kari's",
    "registration_number": "",
    "country": "NO",
    "date_of_birth": dt.date(1970, 1, 2),
    "nationality": "SE",
    "identity_document_type": "passport",
    "identity_document_number": "P1234567",
    "identity_document_country": "SE",
    "address": "Storgata 1\n0155 Oslo",
    "email": "kari@example.org",
    "preferred_language": "nb",
}
SKIPPED = ("id", "public_id", "created_at", "updated_at")


def stored(party: Party) -> dict[str, Any]:
    values = model_to_dict(Party.objects.get(pk=party.pk), exclude=["affiliates"])
    return {name: value for name, value in values.items() if name not in SKIPPED}


def test_insert_stores_what_bulk_create_stores():
    approved = timezone.now()
    by_orm = Party(**PARTY, approved_at=approved)
    Party.objects.bulk_create([by_orm])
    (built,) = instances(Party, [{**PARTY, "approved_at": approved}])
    insert([built])
    assert built.pk is not None and not built._state.adding
    assert stored(built) == stored(by_orm)
    again = Party.objects.get(pk=built.pk)
    assert again.public_id != by_orm.public_id  # its own default, not a shared one
    assert again.created_at is not None and again.updated_at is not None


def test_a_value_of_another_type_is_prepared_by_its_field():
    # A Country object, a datetime for a date, text for a number: each as the field stores it.
    licence = LicenceFactory()
    (term,) = instances(
        LicenceTerm,
        [{"licence_id": str(licence.pk), "valid_from": dt.date(2020, 1, 1), "expires_on": None}],
    )
    term.expires_on = timezone.make_aware(dt.datetime(2030, 5, 6, 12, 0))
    insert([term])
    stored_term = LicenceTerm.objects.get(pk=term.pk)
    assert stored_term.licence_id == licence.pk
    assert stored_term.expires_on == dt.date(2030, 5, 6)


def test_insert_rows_fills_the_fields_not_given_and_returns_the_ids():
    licence = LicenceFactory()
    ids = insert_rows(
        LicenceTerm,
        ("licence_id", "valid_from", "expires_on"),
        [(licence.pk, dt.date(2020, 1, 1), dt.date(2021, 1, 1))] * 2,
        ids=True,
    )
    terms = LicenceTerm.objects.filter(pk__in=ids).order_by("pk")
    assert [t.pk for t in terms] == ids
    assert all(t.created_at is not None and t.application_id is None for t in terms)


def test_instances_refuse_a_name_that_is_not_a_field():
    with pytest.raises(TypeError, match="no field holder"):
        instances(Licence, [{"holder": 1}])
