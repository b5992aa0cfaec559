"""Object storage (issue 21): with ``STORAGE_S3_BUCKET`` set, every stored file goes to a private
S3-compatible bucket, here moto's S3 server running in the test process on a free port. The
storage settings are the ones licensing/settings.py builds from the environment. Uploads go in
through the portal, files come out through the permission-checked views, the retention job
purges the bucket, and a store that cannot be reached fails an upload with a message and
leaves nothing saved."""

from __future__ import annotations

import datetime as dt
import html
import runpy
import socket
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import boto3
import pytest
from django.conf import settings as django_settings
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from moto.server import ThreadedMotoServer

from licensing import tasks
from licensing.models import (
    ApplicationState,
    AuditEvent,
    Document,
    ImportState,
    InformationRequest,
    IssuedDocument,
    LegacyImport,
    Licence,
    PrintBatchItemState,
    Verb,
)
from licensing.services import batch_printing, batches
from licensing.services.documents import store_document
from licensing.services.issuing import issue_licence_document
from licensing.services.legacy_import import confirm_import
from licensing.services.retention import purge_unreferenced_uploads
from licensing.storage import StorageUnavailable, StorageUnreadable
from tests.exchange.legacy_files import company, csv_bytes, person, upload
from tests.factories import PDF_BYTES, LicenceFactory, PartyFactory
from tests.portal.cases_world import client_for, filed_application, pdf

pytestmark = pytest.mark.django_db

KEYS = {"STORAGE_S3_ACCESS_KEY_ID": "licensing-test", "STORAGE_S3_SECRET_ACCESS_KEY": "secret"}
REGION = "us-east-1"
DAY = dt.timedelta(days=1)


@dataclass
class Bucket:
    name: str
    endpoint: str
    client: Any

    def keys(self) -> set[str]:
        listed = self.client.list_objects_v2(Bucket=self.name).get("Contents", [])
        return {entry["Key"] for entry in listed}

    def read(self, key: str) -> bytes:
        return self.client.get_object(Bucket=self.name, Key=key)["Body"].read()


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


def configured_storages(monkeypatch: pytest.MonkeyPatch, **environment: str) -> dict[str, Any]:
    """``STORAGES`` as licensing/settings.py builds it from this environment."""
    for name, value in {**KEYS, "STORAGE_S3_REGION": REGION, **environment}.items():
        monkeypatch.setenv(name, value)
    module = runpy.run_path(str(django_settings.BASE_DIR / "licensing" / "settings.py"))
    return module["STORAGES"]


@pytest.fixture
def bucket(s3_endpoint: str, settings: Any, monkeypatch: pytest.MonkeyPatch) -> Bucket:
    return new_bucket(s3_endpoint, settings, monkeypatch)


def new_bucket(s3_endpoint: str, settings: Any, monkeypatch: pytest.MonkeyPatch) -> Bucket:
    """A bucket of the test's own on the server, and ``STORAGES`` pointed at it."""
    name = f"licensing-{uuid.uuid4().hex[:12]}"
    client = boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        region_name=REGION,
        aws_access_key_id=KEYS["STORAGE_S3_ACCESS_KEY_ID"],
        aws_secret_access_key=KEYS["STORAGE_S3_SECRET_ACCESS_KEY"],
    )
    client.create_bucket(Bucket=name)
    settings.STORAGES = configured_storages(
        monkeypatch, STORAGE_S3_BUCKET=name, STORAGE_S3_ENDPOINT_URL=s3_endpoint
    )
    return Bucket(name, s3_endpoint, client)


@pytest.fixture
def store_down(settings: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    point_at_a_dead_store(settings, monkeypatch)


def point_at_a_dead_store(settings: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """An object store configured on a port where nothing listens."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.STORAGES = configured_storages(
        monkeypatch,
        STORAGE_S3_BUCKET="licensing-gone",
        STORAGE_S3_ENDPOINT_URL=f"http://127.0.0.1:{port}",
        STORAGE_S3_TIMEOUT_SECONDS="2",
    )


def test_the_filesystem_stays_the_default_and_the_bucket_is_configured_private(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("STORAGE_S3_BUCKET", raising=False)
    local = configured_storages(monkeypatch)["default"]
    assert local == {"BACKEND": "django.core.files.storage.FileSystemStorage"}

    s3 = configured_storages(
        monkeypatch, STORAGE_S3_BUCKET="records", STORAGE_S3_ENDPOINT_URL="http://store:9000"
    )["default"]
    assert s3["BACKEND"] == "storages.backends.s3.S3Storage"
    options = s3["OPTIONS"]
    assert options["bucket_name"] == "records"
    assert options["default_acl"] is None
    assert options["querystring_auth"] is True
    assert options["file_overwrite"] is False
    assert options["client_config"].s3 == {"addressing_style": "path"}


def test_an_applicants_upload_lands_in_the_bucket_and_only_the_permitted_download_it(
    bucket: Bucket, applicant_for: Any, officer: Any
) -> None:
    party = PartyFactory()
    applicant = applicant_for(party)
    application = filed_application(
        party=party, applicant=applicant, officer=officer, question="Send the lease."
    )
    response = client_for(applicant).post(
        reverse("portal:application_reply", kwargs={"public_id": application.public_id}),
        {"answer": "The lease is attached.", "documents": [pdf("lease.pdf")]},
    )
    assert response.status_code == 302
    document = Document.objects.get(application=application)
    assert bucket.keys() == {document.file.name}
    assert bucket.read(document.file.name) == PDF_BYTES
    assert not (django_settings.MEDIA_ROOT / "documents").exists()  # nothing on the local disk

    # The officer, through the admin's permission-checked download (a recorded read).
    response = client_for(officer).get(
        reverse("admin:licensing_document_download", args=[document.pk])
    )
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert b"".join(response.streaming_content) == PDF_BYTES

    # The applicant on the portal; an applicant of another party gets nothing.
    portal_download = reverse("portal:document_download", kwargs={"public_id": document.public_id})
    response = client_for(applicant).get(portal_download)
    assert b"".join(response.streaming_content) == PDF_BYTES
    stranger = applicant_for(PartyFactory())
    assert client_for(stranger).get(portal_download).status_code == 404
    assert client_for(stranger).get(
        reverse("admin:licensing_document_download", args=[document.pk])
    ).status_code in (302, 403)  # the admin's log-in page, never the file


def test_a_printed_licence_is_kept_in_the_bucket_and_the_holder_downloads_it(
    bucket: Bucket, registrar: Any, applicant_for: Any
) -> None:
    licence = LicenceFactory()
    document = issue_licence_document(licence_id=licence.pk, by=registrar)
    assert document.file.name.startswith("issued/")
    stored = bucket.read(document.file.name)
    assert stored.startswith(b"%PDF-")
    assert len(stored) == document.size

    holder = applicant_for(licence.holder)
    url = reverse("portal:licence_pdf", kwargs={"public_id": licence.public_id})
    response = client_for(holder).get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == stored
    assert client_for(applicant_for(PartyFactory())).get(url).status_code == 404


def test_the_bucket_refuses_an_unsigned_request(bucket: Bucket, applicant_for: Any) -> None:
    party = PartyFactory()
    upload = SimpleUploadedFile("a.pdf", PDF_BYTES, content_type="application/pdf")
    document = store_document(party=party, upload=upload, kind="articles", by=applicant_for(party))
    plain_url = f"{bucket.endpoint}/{bucket.name}/{document.file.name}"
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(plain_url, timeout=10)  # noqa: S310 (our own test server)
    assert refused.value.code == 403
    # What the storage would sign (it never hands this out: downloads are streamed) is short
    # lived and does open the object, so the refusal above is the bucket's, not a wrong URL.
    signed = default_storage.url(document.file.name)
    assert "X-Amz-Expires=60" in signed
    with urllib.request.urlopen(signed, timeout=10) as opened:  # noqa: S310
        assert opened.read() == PDF_BYTES


class StepRefused(Exception):
    pass


def test_the_retention_job_purges_unreferenced_uploads_from_the_bucket(
    bucket: Bucket, applicant_for: Any, time_machine: Any
) -> None:
    party = PartyFactory()
    applicant = applicant_for(party)
    kept = store_document(
        party=party,
        upload=SimpleUploadedFile("kept.pdf", PDF_BYTES, content_type="application/pdf"),
        kind="articles",
        by=applicant,
    )
    orphans: list[str] = []
    with pytest.raises(StepRefused), transaction.atomic():
        upload = SimpleUploadedFile("gone.pdf", PDF_BYTES, content_type="application/pdf")
        orphans.append(
            store_document(party=party, upload=upload, kind="articles", by=applicant).file.name
        )
        raise StepRefused()
    (orphan,) = orphans
    assert bucket.keys() == {kept.file.name, orphan}

    assert purge_unreferenced_uploads(older_than=DAY) == []  # young: its step may be open
    time_machine.move_to(timezone.now() + 2 * DAY)
    assert purge_unreferenced_uploads(older_than=DAY, dry_run=True) == [orphan]
    assert bucket.keys() == {kept.file.name, orphan}
    assert purge_unreferenced_uploads(older_than=DAY) == [orphan]
    assert bucket.keys() == {kept.file.name}
    assert purge_unreferenced_uploads(older_than=DAY) == []


def test_with_the_store_down_an_upload_fails_with_a_message_and_nothing_is_saved(
    store_down: None, applicant_for: Any, officer: Any
) -> None:
    party = PartyFactory()
    applicant = applicant_for(party)
    application = filed_application(
        party=party, applicant=applicant, officer=officer, question="Send the lease."
    )
    events = AuditEvent.objects.count()
    client = client_for(applicant)
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "nb"
    response = client.post(
        reverse("portal:application_reply", kwargs={"public_id": application.public_id}),
        {"answer": "The lease is attached.", "documents": [pdf("lease.pdf")]},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert 'lang="nb"' in page
    with translation.override("nb"):
        message = str(StorageUnavailable.default_message)
    assert html.escape(message) in page or message in page
    application.refresh_from_db()
    assert application.state == ApplicationState.INFORMATION_REQUESTED
    assert InformationRequest.objects.get(application=application).answer == ""
    assert not Document.objects.exists()
    assert AuditEvent.objects.count() == events
    assert not AuditEvent.objects.filter(verb=Verb.INFORMATION_PROVIDED).exists()


def test_with_the_store_down_a_download_is_answered_503_with_the_message(
    bucket: Bucket, applicant_for: Any, officer: Any, settings: Any, monkeypatch: Any
) -> None:
    party = PartyFactory()
    applicant = applicant_for(party)
    application = filed_application(
        party=party, applicant=applicant, officer=officer, question="Send the lease."
    )
    client = client_for(applicant)
    reply = reverse("portal:application_reply", kwargs={"public_id": application.public_id})
    assert (
        client.post(reply, {"answer": "Attached.", "documents": [pdf("lease.pdf")]}).status_code
        == 302
    )
    document = Document.objects.get(application=application)

    point_at_a_dead_store(settings, monkeypatch)
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "hu"
    response = client.get(
        reverse("portal:document_download", kwargs={"public_id": document.public_id})
    )
    assert (response.status_code, response["Retry-After"]) == (503, "60")
    with translation.override("hu"):
        message = str(StorageUnreadable.default_message)
    assert html.escape(message) in response.content.decode()
    # The officer's download in the admin: the same answer, in the admin's frame.
    response = client_for(officer).get(
        reverse("admin:licensing_document_download", args=[document.pk])
    )
    assert response.status_code == 503
    page = response.content.decode()
    assert html.escape(str(StorageUnreadable.default_message)) in page
    assert 'id="site-name"' in page


def test_with_the_store_down_a_print_is_refused_and_nothing_is_recorded(
    store_down: None, registrar: Any
) -> None:
    licence = LicenceFactory()
    events = AuditEvent.objects.count()
    with pytest.raises(StorageUnavailable):
        issue_licence_document(licence_id=licence.pk, by=registrar)
    assert not IssuedDocument.objects.exists()
    assert AuditEvent.objects.count() == events


def test_a_legacy_register_is_staged_in_the_bucket_and_imported_from_it(
    bucket: Bucket, senior: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = client_for(senior)
    register = upload(csv_bytes([company("S3-1"), person("S3-2")]))
    with django_capture_on_commit_callbacks(execute=True):  # the check job reads the bucket
        response = client.post(reverse("admin:licensing_licence_import"), {"file": register})
    assert response.status_code == 302
    legacy = LegacyImport.objects.get()
    assert legacy.state == ImportState.VALIDATED
    assert bucket.keys() == {legacy.file.name}
    confirm_import(import_id=legacy.pk, by=senior)
    tasks.write_legacy_import.delay(legacy.pk)  # the write job reads it again
    assert LegacyImport.objects.get().state == ImportState.IMPORTED
    assert set(Licence.objects.values_list("number", flat=True)) == {"S3-1", "S3-2"}


def test_with_the_store_down_the_import_page_says_so_and_keeps_nothing(
    store_down: None, senior: Any
) -> None:
    register = upload(csv_bytes([company("S3-1")]))
    response = client_for(senior).post(
        reverse("admin:licensing_licence_import"), {"file": register}
    )
    assert response.status_code == 200
    assert html.escape(str(StorageUnavailable.default_message)) in response.content.decode()
    assert not LegacyImport.objects.exists()


def test_a_print_batch_waits_out_a_store_that_is_down_then_prints_into_the_bucket(
    store_down: None,
    s3_endpoint: str,
    settings: Any,
    monkeypatch: pytest.MonkeyPatch,
    registrar: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    """The store down is a fault, not a refusal: the item stays pending, its attempt counted,
    and the next delivery prints it once the store is back."""
    with django_capture_on_commit_callbacks(execute=False):
        batch = batches.start_batch(licence_ids=[LicenceFactory().pk], by=registrar)
    with pytest.raises(batch_printing.RetryItemLater):
        batch_printing.run_batch(batch_id=batch.pk)
    item = batch.items.get()
    assert (item.state, item.attempts) == (PrintBatchItemState.PENDING, 1)
    assert not IssuedDocument.objects.exists()

    back = new_bucket(s3_endpoint, settings, monkeypatch)  # the store is back
    batch_printing.run_batch(batch_id=batch.pk)
    item.refresh_from_db()
    assert item.state == PrintBatchItemState.PRINTED
    assert back.keys() == {item.document.file.name}
