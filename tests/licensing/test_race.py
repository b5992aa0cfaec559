"""Two officers act on one licence at the same moment: suspension (Art. 6.3(a)) against the
confirmation of a revocation. The row lock lets exactly one win, and the audit trail holds
exactly one event for it."""

from __future__ import annotations

import threading

import pytest
from django.contrib.auth import get_user_model
from django.db import connection

from licensing.exceptions import DomainError
from licensing.models import AuditEvent, Licence, LicenceState, Verb
from licensing.services import licences as lic
from tests.factories import LicenceFactory

THREADS = 20

pytestmark = [
    pytest.mark.postgresql,
    pytest.mark.django_db(transaction=True),
]


def test_suspension_and_revocation_race_has_exactly_one_winner(officer, senior):
    licence = LicenceFactory()
    lic.propose_revocation(
        licence_id=licence.pk,
        by=officer,
        ground="other",
        reason="Art. 14.1: false customs declarations.",
    )
    barrier = threading.Barrier(THREADS)
    results: list[str] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def race(index: int) -> None:
        try:
            # Half the threads suspend as the officer, half confirm as the senior officer.
            suspend = index % 2 == 0
            user = get_user_model().objects.get(pk=officer.pk if suspend else senior.pk)
            barrier.wait(timeout=30)
            try:
                if suspend:
                    lic.suspend_licence(
                        licence_id=licence.pk, by=user, ground="other", reason="Stock missing."
                    )
                    outcome = LicenceState.SUSPENDED
                else:
                    lic.confirm_revocation(licence_id=licence.pk, by=user)
                    outcome = LicenceState.REVOKED
            except DomainError as exc:
                outcome = f"refused: {type(exc).__name__}"
            with lock:
                results.append(outcome)
        except BaseException as exc:  # an unexpected failure fails the test, not the thread
            with lock:
                errors.append(exc)
        finally:
            connection.close()  # this thread's own connection

    threads = [threading.Thread(target=race, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    assert errors == []

    winners = [r for r in results if not r.startswith("refused")]
    assert len(results) == THREADS
    assert len(winners) == 1, results
    licence.refresh_from_db()
    assert licence.state == winners[0]
    decided = AuditEvent.objects.for_object(licence).filter(verb__in=[Verb.SUSPENDED, Verb.REVOKED])
    assert decided.count() == 1
    assert decided.get().to_state == winners[0]
    assert Licence.objects.filter(pk=licence.pk, state=winners[0]).exists()
