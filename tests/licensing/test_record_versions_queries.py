"""Versions cost the pages that show records nothing per version (query counts fixed here; the
timings at a million licences are in docs/benchmarks.md)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from licensing.models.versions import RecordSource
from licensing.services.versions import write_version
from tests.factories import (
    BankAccountFactory,
    CorporateAffiliationFactory,
    LicenceFactory,
    PartyFactory,
    PersonFactory,
    SiteFactory,
    TaxRegistrationFactory,
)

pytestmark = pytest.mark.django_db


def versioned_party(records: int) -> Any:
    """A licence holder whose records have ``records`` versions each, a day apart."""
    party = PartyFactory(approved=True)
    licence = LicenceFactory(holder=party, sites=[SiteFactory(party=party)])
    rows: list[Any] = [
        party,
        TaxRegistrationFactory(party=party),
        BankAccountFactory(party=party),
        PersonFactory(party=party),
        CorporateAffiliationFactory(party=party),
        *licence.sites.all(),
    ]
    start = timezone.now() - dt.timedelta(days=records + 1)
    for day in range(records):
        for row in rows:
            type(row)._base_manager.filter(pk=row.pk).update(version=day + 1)
            row.version = day + 1
            write_version(row, when=start + dt.timedelta(days=day), source=RecordSource.OFFICER)
    return party, licence


def queries(client: Any, url: str) -> int:
    client.get(url)  # warm the content-type and permission caches
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_party_page_costs_the_same_with_one_version_or_many(client: Any, officer: Any) -> None:
    client.force_login(officer)
    few, _licence = versioned_party(1)
    many, _licence = versioned_party(12)
    one = queries(client, reverse("admin:licensing_party_change", args=[few.pk]))
    twelve = queries(client, reverse("admin:licensing_party_change", args=[many.pk]))
    assert twelve == one
    # And as of a day: one query more, whatever the history's length.
    day = (timezone.localdate() - dt.timedelta(days=3)).isoformat()
    url = reverse("admin:licensing_party_change", args=[many.pk]) + f"?as_of={day}"
    assert queries(client, url) == one + 1


def test_the_verification_page_reads_no_version(client: Any) -> None:
    """Fixed at the count measured before versions existed: the licence with its holder by the
    unique index on the number (the HTML page renders the same)."""
    _party, licence = versioned_party(5)
    assert queries(client, reverse("verify:licence_json", args=[licence.number])) == 1
    assert queries(client, reverse("verify:licence", args=[licence.number])) == 1
