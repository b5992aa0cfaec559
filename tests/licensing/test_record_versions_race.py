"""Two officers approve, at the same moment, two applications of one party that change the same
record (Art. 6.3(g)): one is applied; the other is refused as stale, never applied over it."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.db import connection

from licensing.models import Party
from licensing.services import applications as application_services
from licensing.services.approve_proposals import StaleRecords
from tests.factories import ApplicationFactory, LicenceFactory, PartyFactory, SiteFactory

pytestmark = [pytest.mark.postgresql, pytest.mark.django_db(transaction=True)]

ROUNDS = 5


def renaming(party: Any, name: str) -> Any:
    """A new-licence application of a licensed party that renames it: no licence row is locked
    by its approval, so only the party's lock orders two of them."""
    application = ApplicationFactory(
        in_review=True,
        paid=True,
        party=party,
        party_changes={"base_version": party.version, "fields": {"legal_name": name}},
    )
    application.sites.add(SiteFactory(party=party))
    return application


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_two_conflicting_approvals_have_one_winner(
    officer: Any, officer2: Any, round_: int
) -> None:
    party = PartyFactory(approved=True, legal_name="Vesttobakk AS")
    LicenceFactory(holder=party)
    first, second = renaming(party, "Vest A AS"), renaming(party, "Vest B AS")
    barrier = threading.Barrier(2)
    outcomes: dict[str, str] = {}
    errors: list[BaseException] = []

    def approve(application: Any, user_pk: int) -> None:
        try:
            user = get_user_model().objects.get(pk=user_pk)
            barrier.wait(timeout=30)
            try:
                application_services.approve_application(application_id=application.pk, by=user)
                outcomes[application.reference] = "approved"
            except StaleRecords:
                outcomes[application.reference] = "stale"
        except BaseException as exc:  # fails the test, not the thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=approve, args=(first, officer.pk)),
        threading.Thread(target=approve, args=(second, officer2.pk)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors
    assert sorted(outcomes.values()) == ["approved", "stale"]
    winner = first if outcomes[first.reference] == "approved" else second
    party.refresh_from_db()
    assert party.legal_name == winner.party_changes["fields"]["legal_name"]
    assert party.version == 2
    assert Party.objects.filter(pk=party.pk).values_list("version", flat=True).get() == 2
