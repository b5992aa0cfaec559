"""Screening uses the key index: its queries do not grow with the number of parties (issue:
scale; the time against 100,000 parties is measured by ``make bench``)."""

from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext

from duediligence.models import BlockedCustomer, LicenseeReport
from duediligence.screening import machine_matches, related_parties
from duediligence.services.indexing import index_everything
from duediligence.sources import machine_sources
from seizures.models import SeizureCase
from tests.factories import BankAccountFactory, LicenceFactory, PersonFactory
from tests.factories.duediligence import LonePartyFactory, ready_application

pytestmark = pytest.mark.django_db

# Re-indexing the applicant, which finds its keys unchanged and writes nothing (its party and
# records: 7, its keys as indexed: 1, in a savepoint: 2), reading its keys (1), one query per
# adverse source (refused, revoked, blocked, reported, seized: 5), the parties sharing a key (1).
RELATED_QUERIES = 17


def _world(parties: int):
    """``parties`` others, one of them revoked and sharing the applicant's bank account."""
    application = ready_application()
    for _ in range(parties - 1):
        PersonFactory(party=LonePartyFactory())
    revoked = LicenceFactory(revoked=True, holder=LonePartyFactory()).holder
    BankAccountFactory(party=revoked, iban=application.party.bank_accounts.get().iban)
    index_everything()
    return application


@pytest.mark.parametrize("parties", [2, 40])
def test_the_related_party_screening_makes_the_same_queries_however_many_parties(
    parties, django_assert_num_queries
):
    application = _world(parties)
    # Cached after a process's first use.
    ContentType.objects.get_for_models(BlockedCustomer, LicenseeReport, SeizureCase)
    with django_assert_num_queries(RELATED_QUERIES):
        matches, _linked = related_parties(application.party)
    assert len(matches) == 1


@pytest.mark.parametrize("parties", [2, 40])
def test_the_machine_screening_is_one_query_per_source(parties, django_assert_num_queries):
    application = _world(parties)
    # The declarations of other parties, the equipment register and the seized machines.
    assert len(machine_sources()) == 3
    with django_assert_num_queries(len(machine_sources())):
        machine_matches(application.party, ["A-1", "B-2"])


def test_the_lookup_is_served_by_the_key_index():
    if connection.vendor != "sqlite":
        pytest.skip(
            "PostgreSQL plans a test's tiny tables by cost, not by index; its plan against "
            "100,000 parties is in docs/benchmarks.md"
        )
    application = _world(2)
    with CaptureQueriesContext(connection) as queries:
        related_parties(application.party)
    # The last lookup finds every party sharing a key, adverse or not: nothing narrows it
    # but the keys themselves. (The sources' lookups may start from the few adverse parties
    # instead, when the planner finds that cheaper.)
    lookups = [q["sql"] for q in queries.captured_queries if '"value" IN' in q["sql"]]
    assert lookups, "the screening looks keys up by value"
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN QUERY PLAN " + lookups[-1])
        plan = " ".join(str(column) for row in cursor.fetchall() for column in row)
    assert "screening_key_lookup" in plan, plan
