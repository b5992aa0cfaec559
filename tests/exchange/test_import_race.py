"""Two confirmations of one checked import at the same moment (a double click, two senior
officers): the row lock lets exactly one confirm it and queue the write, which imports the
file once (the job runs eagerly here, once the confirmation commits); the others are told it
is done."""

from __future__ import annotations

import threading

import pytest
from django.contrib.auth import get_user_model
from django.db import connection

from licensing.models import AuditEvent, ImportState, LegacyImport, Licence, Verb
from licensing.services.legacy_import import ImportNotPending, confirm_import, stage_import
from tests.exchange.legacy_files import company, csv_bytes, person, upload

THREADS = 6

pytestmark = [pytest.mark.postgresql, pytest.mark.django_db(transaction=True)]


def test_simultaneous_confirmations_import_the_file_once(senior, senior2):
    staged = stage_import(
        upload=upload(csv_bytes([company("RC-1"), person("RC-2")])), by=senior
    ).legacy_import
    barrier = threading.Barrier(THREADS)
    outcomes: list[str] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def confirm(index: int) -> None:
        try:
            user = get_user_model().objects.get(pk=(senior if index % 2 else senior2).pk)
            barrier.wait(timeout=30)
            try:
                outcome = confirm_import(import_id=staged.pk, by=user).state
            except ImportNotPending:
                outcome = "refused"
            with lock:
                outcomes.append(outcome)
        except BaseException as exc:  # an unexpected failure fails the test, not the thread
            with lock:
                errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=confirm, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert sorted(outcomes) == ["refused"] * (THREADS - 1) + [ImportState.WRITING]
    assert LegacyImport.objects.get().state == ImportState.IMPORTED
    assert Licence.objects.count() == 2
    licence_events = AuditEvent.objects.filter(verb=Verb.IMPORTED, content_type__model="licence")
    assert licence_events.count() == 2
