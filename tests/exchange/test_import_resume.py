"""The legacy register import's write is all or nothing (Art. 9.2), and its jobs are never left
stuck: a worker lost half way leaves nothing written and the import resumed by the periodic
sweep, or refused or failed with the reason once its attempts are spent; a real worker checks
and writes a register once."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import IntegrityError
from django.utils import timezone

from licensing import tasks
from licensing.models import AuditEvent, ImportState, LegacyImport, Licence, Party, Verb
from licensing.services import import_jobs
from licensing.services.legacy_import import confirm_import, receive_upload, stage_import
from tests.exchange.legacy_files import company, csv_bytes, person, upload
from tests.factories import LicenceFactory

pytestmark = pytest.mark.django_db


def trail(legacy: LegacyImport) -> list[tuple[str, str]]:
    return list(AuditEvent.objects.for_object(legacy).values_list("verb", "to_state"))


def staged(by, rows=None) -> LegacyImport:
    dry_run = stage_import(upload=upload(csv_bytes(rows or [company("J-1"), person("J-2")])), by=by)
    assert dry_run.ok, dry_run.errors
    return dry_run.legacy_import


# All or nothing, and lost workers.


def test_an_error_while_writing_rolls_everything_back(senior, monkeypatch):
    """Fault injection: the database refuses a row after others were written."""
    legacy = staged(senior)
    confirm_import(import_id=legacy.pk, by=senior)
    real = import_jobs.write_register_file

    def half_then_fail(file, filename, **kwargs):
        real(file, filename, **kwargs)
        raise IntegrityError("simulated failure")

    monkeypatch.setattr(import_jobs, "write_register_file", half_then_fail)
    assert tasks.write_legacy_import.delay(legacy.pk).get() == ImportState.FAILED
    legacy.refresh_from_db()
    assert "simulated failure" in legacy.report[0]["message"] and legacy.error_count == 1
    assert not Licence.objects.exists() and not Party.objects.exists()
    assert trail(legacy)[-1] == (Verb.IMPORT_FAILED, "failed")


def test_a_number_taken_before_the_write_fails_the_import_with_its_row(senior):
    legacy = staged(senior, [company("TW-1"), company("TW-2")])
    LicenceFactory(number="TW-2")
    confirm_import(import_id=legacy.pk, by=senior)
    assert tasks.write_legacy_import.delay(legacy.pk).get() == ImportState.FAILED
    legacy.refresh_from_db()
    assert [(e["row"], e["column"]) for e in legacy.report] == [(3, "number")]
    assert list(Licence.objects.values_list("number", flat=True)) == ["TW-2"]


def test_a_stored_file_that_changed_is_not_written(senior):
    legacy = staged(senior, [company("CH-1")])
    (Path(settings.MEDIA_ROOT) / legacy.file.name).write_bytes(csv_bytes([company("CH-2")]))
    confirm_import(import_id=legacy.pk, by=senior)
    assert tasks.write_legacy_import.delay(legacy.pk).get() == ImportState.FAILED
    assert "not the file that was checked" in LegacyImport.objects.get().report[0]["message"]
    assert not Licence.objects.exists()


def test_a_write_lost_half_way_leaves_nothing_and_is_resumed(senior, monkeypatch, time_machine):
    legacy = staged(senior)
    confirm_import(import_id=legacy.pk, by=senior)
    real = import_jobs.write_register_file

    def worker_lost(file, filename, **kwargs):
        real(file, filename, **kwargs)
        raise OSError("worker lost")

    monkeypatch.setattr(import_jobs, "write_register_file", worker_lost)
    with pytest.raises(OSError):
        tasks.write_legacy_import.delay(legacy.pk)
    legacy.refresh_from_db()
    assert (legacy.state, legacy.attempts) == (ImportState.WRITING, 1)
    assert not Licence.objects.exists()
    # Delivered again at once (acks_late): the run may still be at work; it waits for the sweep.
    assert tasks.write_legacy_import.delay(legacy.pk).get() == ImportState.WRITING
    assert tasks.resume_legacy_imports.delay().get() == 0

    monkeypatch.setattr(import_jobs, "write_register_file", real)
    time_machine.move_to(timezone.now() + import_jobs.RESUME_AFTER + dt.timedelta(minutes=1))
    assert tasks.resume_legacy_imports.delay().get() == 1
    legacy.refresh_from_db()
    assert (legacy.state, legacy.attempts) == (ImportState.IMPORTED, 2)
    assert Licence.objects.count() == 2
    assert tasks.resume_legacy_imports.delay().get() == 0


def test_a_job_that_keeps_dying_ends_failed_with_the_reason(
    senior, monkeypatch, settings, time_machine
):
    settings.IMPORT_JOB_ATTEMPTS = 2
    legacy = staged(senior)
    confirm_import(import_id=legacy.pk, by=senior)

    def worker_lost(*args, **kwargs):
        raise OSError("worker lost")

    monkeypatch.setattr(import_jobs, "write_register_file", worker_lost)
    for _ in range(2):
        with pytest.raises(OSError):
            tasks.write_legacy_import.delay(legacy.pk)
        time_machine.move_to(timezone.now() + import_jobs.RESUME_AFTER + dt.timedelta(seconds=1))
    assert tasks.resume_legacy_imports.delay().get() == 1
    legacy.refresh_from_db()
    assert legacy.state == ImportState.FAILED
    assert "stopped 2 times before it was written" in legacy.report[0]["message"]
    assert trail(legacy)[-1] == (Verb.IMPORT_FAILED, "failed")
    assert not Licence.objects.exists()
    assert tasks.resume_legacy_imports.delay().get() == 0


def test_a_check_whose_message_was_lost_is_resumed(
    senior, time_machine, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):  # the message is lost
        legacy = receive_upload(upload=upload(csv_bytes([company("LM-1")])), by=senior)
    assert tasks.resume_legacy_imports.delay().get() == 0  # not stalled yet
    time_machine.move_to(timezone.now() + import_jobs.RESUME_AFTER + dt.timedelta(minutes=1))
    assert tasks.resume_legacy_imports.delay().get() == 1
    legacy.refresh_from_db()
    assert legacy.state == ImportState.VALIDATED
    assert tasks.resume_legacy_imports.delay().get() == 0


def test_a_check_that_keeps_dying_is_refused_with_the_reason(
    senior, monkeypatch, settings, time_machine, django_capture_on_commit_callbacks
):
    settings.IMPORT_JOB_ATTEMPTS = 1
    with django_capture_on_commit_callbacks(execute=False):
        legacy = receive_upload(upload=upload(csv_bytes([company("CD-1")])), by=senior)

    def worker_lost(*args, **kwargs):
        raise OSError("worker lost")

    monkeypatch.setattr(import_jobs, "check_register_file", worker_lost)
    with pytest.raises(OSError):
        tasks.check_legacy_import.delay(legacy.pk)
    assert LegacyImport.objects.get().state == ImportState.CHECKING
    time_machine.move_to(timezone.now() + import_jobs.RESUME_AFTER + dt.timedelta(minutes=1))
    assert tasks.resume_legacy_imports.delay().get() == 1
    legacy.refresh_from_db()
    assert legacy.state == ImportState.REFUSED
    assert "check was stopped 1 time" in legacy.report[0]["message"]


# A real worker.


@pytest.mark.worker
@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_checks_and_writes_the_register(celery_worker, senior):
    """Through Redis and a worker thread with its own database connection: the check queued on
    the upload's commit, the write on the confirmation's, each once."""

    def wait_for(state: str) -> LegacyImport:
        # Waiting for another thread's work: polled against a deadline, not timed.
        deadline = time.monotonic() + 90
        while (legacy := LegacyImport.objects.get()).state != state:
            assert time.monotonic() < deadline, f"the worker left the import {legacy.state}"
            time.sleep(0.2)
        return legacy

    receive_upload(upload=upload(csv_bytes([company("RW-1"), person("RW-2")])), by=senior)
    legacy = wait_for(ImportState.VALIDATED)
    assert legacy.rows_checked == 2
    confirm_import(import_id=legacy.pk, by=senior)
    legacy = wait_for(ImportState.IMPORTED)
    assert legacy.rows_written == 2 and Licence.objects.count() == 2
    # Delivered once more, as a redelivered message would be: nothing is written again.
    assert tasks.write_legacy_import.delay(legacy.pk).get(timeout=30) == ImportState.IMPORTED
    assert Licence.objects.count() == 2
