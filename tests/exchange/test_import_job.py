"""The legacy register import as background jobs (Art. 9.2, 21.1(a)): the upload kept and
hashed, the check and the write as Celery jobs with their progress on the import's page, each
step of the state machine allowed or refused, jobs that run twice doing their work once, a job
lost half way resumed or failed with its reason, never stuck."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django_fsm import has_transition_perm

from licensing import tasks
from licensing.exceptions import PermissionDenied
from licensing.models import AuditEvent, ImportState, LegacyImport, Licence, Party, Verb
from licensing.services import import_jobs, legacy_import
from licensing.services.legacy_import import (
    ImportNotPending,
    confirm_import,
    receive_upload,
    stage_import,
)
from tests.exchange.legacy_files import company, csv_bytes, person, upload

pytestmark = pytest.mark.django_db

UPLOAD = reverse("admin:licensing_licence_import")


def detail_url(legacy: LegacyImport) -> str:
    return reverse("admin:licensing_licence_import_detail", args=[legacy.public_id])


def status_url(legacy: LegacyImport) -> str:
    return reverse("admin:licensing_legacyimport_status", args=[legacy.public_id])


def confirm_url(legacy: LegacyImport) -> str:
    return reverse("admin:licensing_licence_import_confirm", args=[legacy.public_id])


def trail(legacy: LegacyImport) -> list[tuple[str, str]]:
    return list(AuditEvent.objects.for_object(legacy).values_list("verb", "to_state"))


def staged(by, rows=None) -> LegacyImport:
    dry_run = stage_import(upload=upload(csv_bytes(rows or [company("J-1"), person("J-2")])), by=by)
    assert dry_run.ok, dry_run.errors
    return dry_run.legacy_import


# The whole flow, through the admin pages.


def test_upload_check_confirm_and_write_run_as_jobs_through_the_pages(
    client, senior, django_capture_on_commit_callbacks
):
    client.force_login(senior)
    content = csv_bytes([company("JB-1"), person("JB-2")])
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = client.post(UPLOAD, {"file": upload(content)})
    legacy = LegacyImport.objects.get()
    assert response.status_code == 302 and response["Location"] == detail_url(legacy)
    # Kept as uploaded, with its SHA-256, the check queued and not yet run.
    assert legacy.state == ImportState.UPLOADED and queued
    assert legacy.sha256 == hashlib.sha256(content).hexdigest() and legacy.size == len(content)
    assert (Path(settings.MEDIA_ROOT) / legacy.file.name).read_bytes() == content
    assert legacy.estimated_rows == 2
    page = client.get(detail_url(legacy)).content.decode()
    assert "uploaded, waiting to be checked" in page and 'data-running="true"' in page
    assert "Confirm import" not in page

    for callback in queued:  # the worker takes the check
        callback()
    legacy.refresh_from_db()
    assert (legacy.state, legacy.rows_checked, legacy.row_count) == (ImportState.VALIDATED, 2, 2)
    page = client.get(detail_url(legacy)).content.decode()
    assert "2 licences" in page and "JB-1" in page and "Confirm import" in page
    assert 'data-running="false"' in page and not Licence.objects.exists()

    with django_capture_on_commit_callbacks(execute=False) as queued:
        client.post(confirm_url(legacy))
    legacy.refresh_from_db()
    assert legacy.state == ImportState.WRITING and legacy.confirmed_by == senior
    page = client.get(detail_url(legacy)).content.decode()
    assert "being imported" in page and "Confirm import" not in page

    for callback in queued:  # the worker takes the write
        callback()
    legacy.refresh_from_db()
    assert (legacy.state, legacy.rows_written) == (ImportState.IMPORTED, 2)
    assert set(Licence.objects.values_list("number", flat=True)) == {"JB-1", "JB-2"}
    page = client.get(detail_url(legacy)).content.decode()
    assert "See the 2 imported licences in the list" in page
    assert trail(legacy) == [(Verb.CREATED, "uploaded"), (Verb.IMPORTED, "imported")]
    assert AuditEvent.objects.for_object(legacy).last().actor == senior


def test_a_double_confirmation_writes_once(client, senior, django_capture_on_commit_callbacks):
    legacy = staged(senior)
    client.force_login(senior)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(confirm_url(legacy))
    with django_capture_on_commit_callbacks(execute=True):
        again = client.post(confirm_url(legacy), follow=True).content.decode()
    assert "already been confirmed" in again
    assert Licence.objects.count() == 2
    assert AuditEvent.objects.filter(verb=Verb.IMPORTED, content_type__model="licence").count() == 2


def test_a_redelivered_job_does_nothing_twice(senior, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        legacy = receive_upload(upload=upload(csv_bytes([company("RD-1")])), by=senior)
    events = AuditEvent.objects.count()
    assert tasks.check_legacy_import.delay(legacy.pk).get() == ImportState.VALIDATED
    assert AuditEvent.objects.count() == events

    with django_capture_on_commit_callbacks(execute=True):
        confirm_import(import_id=legacy.pk, by=senior)
    events = AuditEvent.objects.count()
    assert tasks.write_legacy_import.delay(legacy.pk).get() == ImportState.IMPORTED
    assert tasks.check_legacy_import.delay(legacy.pk).get() == ImportState.IMPORTED
    assert Licence.objects.count() == 1 and AuditEvent.objects.count() == events
    legacy.refresh_from_db()
    assert legacy.attempts == 1


# Each step allowed or refused.


@pytest.mark.parametrize("role", ["officer", "registrar", "auditor"])
def test_only_holders_of_import_records_upload_and_confirm(request, senior, role):
    user = request.getfixturevalue(role)
    with pytest.raises(PermissionDenied):
        receive_upload(upload=upload(csv_bytes([company("PM-1")])), by=user)
    legacy = staged(senior, [company("PM-1")])
    assert has_transition_perm(legacy.confirm, senior)
    assert not has_transition_perm(legacy.confirm, user)
    with pytest.raises(PermissionDenied):
        confirm_import(import_id=legacy.pk, by=user)
    legacy.refresh_from_db()
    assert legacy.state == ImportState.VALIDATED and not Licence.objects.exists()


@pytest.mark.parametrize(
    "state",
    [
        ImportState.UPLOADED,
        ImportState.CHECKING,
        ImportState.REFUSED,
        ImportState.WRITING,
        ImportState.IMPORTED,
        ImportState.FAILED,
    ],
)
def test_only_a_validated_import_can_be_confirmed(senior, state):
    legacy = staged(senior, [company("ST-1")])
    LegacyImport.objects.filter(pk=legacy.pk).update(state=state)
    with pytest.raises(ImportNotPending):
        confirm_import(import_id=legacy.pk, by=senior)
    assert LegacyImport.objects.get(pk=legacy.pk).state == state


def test_the_write_job_writes_nothing_that_was_not_confirmed(senior):
    legacy = staged(senior, [company("NC-1")])
    assert tasks.write_legacy_import.delay(legacy.pk).get() == ImportState.VALIDATED
    assert not Licence.objects.exists()


def test_a_refused_check_can_be_neither_confirmed_nor_written(senior):
    dry_run = stage_import(upload=upload(csv_bytes([company("RF-1", email="x")])), by=senior)
    legacy = dry_run.legacy_import
    assert legacy.state == ImportState.REFUSED and [e.column for e in dry_run.errors] == ["email"]
    assert trail(legacy) == [(Verb.CREATED, "uploaded"), (Verb.IMPORT_FAILED, "refused")]
    with pytest.raises(ImportNotPending):
        confirm_import(import_id=legacy.pk, by=senior)
    assert tasks.write_legacy_import.delay(legacy.pk).get() == ImportState.REFUSED
    assert tasks.check_legacy_import.delay(legacy.pk).get() == ImportState.REFUSED
    assert not Licence.objects.exists() and not Party.objects.exists()


# Progress, on the page and in its status.


def test_the_rows_checked_show_on_the_page_while_the_check_runs(client, senior, monkeypatch):
    client.force_login(senior)
    # Outside a test, the check is queued when the upload commits; here it is run below.
    client.post(UPLOAD, {"file": upload(csv_bytes([company("PC-1"), company("PC-2")]))})
    legacy = LegacyImport.objects.get()
    real = import_jobs.check_register_file
    seen: list[dict] = []

    def checking(file, filename, *, progress=None):
        def report(rows: int) -> None:
            progress(rows)
            seen.append(client.get(status_url(legacy)).json())
            seen.append({"page": client.get(detail_url(legacy)).content.decode()})

        return real(file, filename, progress=report)

    monkeypatch.setattr(import_jobs, "check_register_file", checking)
    tasks.check_legacy_import.delay(legacy.pk)
    status = seen[0]
    assert status["state"] == ImportState.CHECKING and status["running"] is True
    assert status["rows_checked"] == 2 and status["total"] == 2 and status["phase"] == "check"
    assert '<dd data-field="rows_checked">2</dd>' in seen[1]["page"]
    assert 'data-running="true"' in seen[1]["page"]


def test_the_rows_written_show_while_the_write_transaction_is_open(client, senior, monkeypatch):
    """The write is one transaction: its progress goes through the cache, which other
    requests read while the import's own row still says nothing was written."""
    legacy = staged(senior)
    client.force_login(senior)
    client.post(confirm_url(legacy))  # the write is queued on commit, here run below
    real = import_jobs.write_register_file
    seen: list[tuple[dict, int]] = []

    def writing(file, filename, *, legacy, by, progress=None):
        def report(rows: int) -> None:
            progress(rows)
            column = LegacyImport.objects.values_list("rows_written", flat=True).get(pk=legacy.pk)
            seen.append((client.get(status_url(legacy)).json(), column))

        return real(file, filename, legacy=legacy, by=by, progress=report)

    monkeypatch.setattr(import_jobs, "write_register_file", writing)
    assert tasks.write_legacy_import.delay(legacy.pk).get() == ImportState.IMPORTED
    status, column = seen[-1]
    assert status["state"] == ImportState.WRITING and status["phase"] == "write"
    assert (status["rows_written"], status["total"], status["percent"]) == (2, 2, 100)
    assert column == 0  # the import's own row: written when the transaction commits
    done = client.get(status_url(legacy)).json()
    assert (done["state"], done["rows_written"], done["running"]) == ("imported", 2, False)


def test_the_status_is_refused_to_others(client, senior, officer, auditor):
    legacy = staged(senior, [company("SR-1")])
    assert client.get(status_url(legacy)).status_code == 403  # signed out: no log-in page
    for user in (officer, auditor):
        client.force_login(user)
        assert client.get(status_url(legacy)).status_code == 403
        assert client.get(detail_url(legacy)).status_code == 403


def test_the_progress_page_and_its_status_take_a_fixed_number_of_queries(
    client, senior, django_assert_max_num_queries
):
    small = staged(senior, [company("QC-1")])
    large = staged(senior, [person(f"QC-{i}", legal_name=f"Person {i}") for i in range(2, 40)])
    client.force_login(senior)
    client.get(detail_url(small))  # warm: session, user, second factor
    for legacy in (small, large):
        # Session, user, second factor and permissions (5), then the import, joined to its
        # officers: one query, however many rows the file has.
        with django_assert_max_num_queries(6):
            assert client.get(detail_url(legacy)).status_code == 200
        with django_assert_max_num_queries(6):
            assert client.get(status_url(legacy)).status_code == 200
    for legacy in (small, large):
        confirm_import(import_id=legacy.pk, by=senior)
        tasks.write_legacy_import.delay(legacy.pk)
        with django_assert_max_num_queries(7):  # the first imported licences: one query more
            assert client.get(detail_url(legacy)).status_code == 200


# The report, in the officer's language.


def test_a_refused_files_errors_are_shown_in_the_officers_language(
    client, senior, compiled_messages, django_capture_on_commit_callbacks
):
    client.force_login(senior)
    rows = [company("HU-1"), company("HU-2", valid_from="2020.01.01")]
    with django_capture_on_commit_callbacks(execute=True):
        client.post(UPLOAD, {"file": upload(csv_bytes(rows))}, HTTP_ACCEPT_LANGUAGE="hu")
    legacy = LegacyImport.objects.get()
    assert legacy.state == ImportState.REFUSED and legacy.language == "hu"
    page = client.get(detail_url(legacy), HTTP_ACCEPT_LANGUAGE="hu").content.decode()
    with translation.override("hu"):
        expected = translation.gettext("Enter a date as YYYY-MM-DD.")
    assert expected != "Enter a date as YYYY-MM-DD."
    assert f"<td>3</td><td>valid_from</td><td>{expected}</td>" in page
    assert not Licence.objects.exists()


# Limits.


class Unreadable:
    """An upload whose content must not be read."""

    def __init__(self, size: int) -> None:
        self.name, self.size = "register.csv", size

    def chunks(self, *args, **kwargs):
        raise AssertionError("the file was read")

    read = seek = chunks


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(client, senior, settings):
    settings.IMPORT_MAX_BYTES = 1024
    with pytest.raises(legacy_import.UnreadableFile, match="larger than"):
        receive_upload(upload=Unreadable(1025), by=senior)
    client.force_login(senior)
    page = client.post(UPLOAD, {"file": upload(b"x" * 1025)}).content.decode()
    assert "larger than" in page and "<td>the file</td>" in page
    assert not LegacyImport.objects.exists()
    assert not (Path(settings.MEDIA_ROOT) / "imports").exists()


def test_the_limits_are_sized_for_a_national_register():
    from licensing import settings as defaults

    assert defaults.IMPORT_MAX_ROWS >= 1_000_000
    assert defaults.IMPORT_MAX_BYTES >= 300 * 2**20


def test_a_file_over_the_row_limit_is_refused_by_the_check(senior, settings):
    settings.IMPORT_MAX_ROWS = 3
    rows = [company(f"RL-{i}") for i in range(4)]
    dry_run = stage_import(upload=upload(csv_bytes(rows)), by=senior)
    assert dry_run.legacy_import.state == ImportState.REFUSED
    assert any("3 rows" in e.message for e in dry_run.errors)
    assert not Licence.objects.exists()
