"""Uploads left on disk by a rolled-back transaction are removed once old; files a document
names, young files, and whatever a symbolic link points at are never touched."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from licensing.models import Document
from licensing.services.documents import store_document
from licensing.services.retention import purge_unreferenced_uploads
from licensing.tasks import purge_unreferenced_uploads as purge_task
from tests import factories as f

DAY = dt.timedelta(days=1)


class StepRefused(Exception):
    """Stands for whatever makes a portal step roll back after its first upload."""


def media() -> Path:
    return Path(settings.MEDIA_ROOT)


def rolled_back_upload(party, by) -> str:
    """What a portal step leaves when a later part of it is refused: a file and no row."""
    pdf = SimpleUploadedFile("articles.pdf", f.PDF_BYTES, content_type="application/pdf")
    stored: list[str] = []
    with pytest.raises(StepRefused), transaction.atomic():
        stored.append(store_document(party=party, upload=pdf, kind="articles", by=by).file.name)
        raise StepRefused()
    (name,) = stored
    assert (media() / name).is_file()
    assert not Document.objects.filter(file=name).exists()
    return name


def later(time_machine, delta: dt.timedelta) -> None:
    time_machine.move_to(timezone.now() + delta, tick=False)


@pytest.fixture
def orphan(applicant_for) -> str:
    party = f.PartyFactory()
    return rolled_back_upload(party, applicant_for(party))


@pytest.mark.django_db
def test_a_rolled_back_upload_is_removed_only_once_old_enough(orphan, time_machine):
    assert purge_unreferenced_uploads(older_than=DAY) == []  # just written: its step may be open
    later(time_machine, DAY - dt.timedelta(minutes=5))
    assert purge_unreferenced_uploads(older_than=DAY) == []
    assert (media() / orphan).is_file()

    later(time_machine, dt.timedelta(minutes=10))
    assert purge_unreferenced_uploads(older_than=DAY) == [orphan]
    assert not (media() / orphan).exists()
    assert (media() / orphan).parent.is_dir()  # the month's folder stays
    assert purge_unreferenced_uploads(older_than=DAY) == []  # a second run finds nothing


@pytest.mark.django_db
def test_a_file_a_document_names_is_never_removed(orphan, time_machine):
    documents = [f.DocumentFactory(), f.DocumentFactory()]
    later(time_machine, 400 * DAY)
    assert purge_unreferenced_uploads(older_than=DAY) == [orphan]
    for document in documents:
        assert document.file.name.startswith("documents/")
        assert (media() / document.file.name).read_bytes() == f.PDF_BYTES


@pytest.mark.django_db
def test_many_files_are_checked_in_batches(orphan, time_machine, monkeypatch):
    monkeypatch.setattr("licensing.services.retention.BATCH_SIZE", 2)
    kept = [f.DocumentFactory().file.name for _ in range(4)]
    later(time_machine, 2 * DAY)
    assert purge_unreferenced_uploads(older_than=DAY) == [orphan]
    assert all((media() / name).is_file() for name in kept)


@pytest.mark.django_db
def test_a_dry_run_removes_nothing(orphan, time_machine):
    later(time_machine, 2 * DAY)
    assert purge_unreferenced_uploads(older_than=DAY, dry_run=True) == [orphan]
    assert (media() / orphan).is_file()


@pytest.mark.django_db
def test_symbolic_links_are_neither_followed_nor_their_targets_removed(tmp_path, time_machine):
    outside = tmp_path / "outside"
    outside.mkdir()
    secret = outside / "secret.pdf"
    secret.write_bytes(f.PDF_BYTES)
    month = media() / "documents" / "2026" / "01"
    month.mkdir(parents=True)
    (month / "to-a-file").symlink_to(secret)
    (media() / "documents" / "to-a-folder").symlink_to(outside, target_is_directory=True)
    later(time_machine, 30 * DAY)

    assert purge_unreferenced_uploads(older_than=DAY) == []
    assert secret.read_bytes() == f.PDF_BYTES
    assert (month / "to-a-file").is_symlink()
    assert (media() / "documents" / "to-a-folder").is_symlink()


@pytest.mark.django_db
def test_a_documents_folder_that_is_a_link_is_refused(tmp_path, time_machine):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "file").write_bytes(b"x")
    media().mkdir(parents=True)
    (media() / "documents").symlink_to(outside, target_is_directory=True)
    later(time_machine, 30 * DAY)
    with pytest.raises(ImproperlyConfigured):
        purge_unreferenced_uploads(older_than=DAY)
    assert (outside / "file").exists()


@pytest.mark.django_db
def test_nothing_uploaded_yet_is_nothing_to_purge():
    assert purge_unreferenced_uploads(older_than=DAY) == []


def test_the_age_must_be_positive():
    with pytest.raises(ValueError, match="positive"):
        purge_unreferenced_uploads(older_than=dt.timedelta(0))


@pytest.mark.django_db
def test_the_daily_task_uses_the_setting_and_is_idempotent(orphan, settings, time_machine):
    settings.UPLOAD_ORPHAN_HOURS = 48
    later(time_machine, 47 * dt.timedelta(hours=1))
    assert purge_task.delay().get() == 0
    later(time_machine, 2 * dt.timedelta(hours=1))
    assert purge_task.delay().get() == 1
    assert not (media() / orphan).exists()
    assert purge_task.delay().get() == 0


def test_the_task_is_scheduled_daily():
    (entry,) = (
        e
        for e in settings.CELERY_BEAT_SCHEDULE.values()
        if e["task"] == "licensing.tasks.purge_unreferenced_uploads"
    )
    schedule = entry["schedule"]  # a crontab: once a day, every day, at a fixed hour
    assert len(schedule.hour) == len(schedule.minute) == 1
    assert len(schedule.day_of_week) == 7 and len(schedule.day_of_month) == 31


@pytest.mark.django_db
def test_the_command_lists_and_with_dry_run_keeps(orphan, time_machine):
    later(time_machine, 2 * DAY)
    out = io.StringIO()
    call_command("purge_uploads", "--dry-run", stdout=out)
    assert orphan in out.getvalue()
    assert (media() / orphan).is_file()

    out = io.StringIO()
    call_command("purge_uploads", stdout=out)
    assert orphan in out.getvalue()
    assert "1 unreferenced uploads" in out.getvalue()
    assert not (media() / orphan).exists()


@pytest.mark.django_db
def test_each_removal_is_logged(orphan, time_machine, caplog):
    later(time_machine, 2 * DAY)
    with caplog.at_level("INFO", logger="licensing.services.retention"):
        purge_unreferenced_uploads(older_than=DAY)
    assert f"removed unreferenced upload {orphan}" in caplog.text


@pytest.mark.django_db
def test_a_printed_pdf_left_by_a_rolled_back_print_is_removed_and_a_kept_one_stays(time_machine):
    issued = f.IssuedDocumentFactory()
    stray = media() / "issued" / "2026" / "01" / "left-by-a-rolled-back-print.pdf"
    stray.parent.mkdir(parents=True, exist_ok=True)
    stray.write_bytes(f.PDF_BYTES)
    later(time_machine, 2 * DAY)
    assert purge_unreferenced_uploads(older_than=DAY) == [str(stray.relative_to(media()))]
    assert not stray.exists()
    assert (media() / issued.file.name).is_file()
