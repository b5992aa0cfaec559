"""The public check of a PDF file (issue 20): anyone who received a licence, a letter, a
certificate or a report by e-mail uploads it at /verify/document/ and learns whether the
authority signed it (Art. 6) and whether it was changed since. Hostile files get a clear
answer and no server error, and nothing of an upload is kept."""

from __future__ import annotations

import datetime as dt
import io
import random
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pyhanko.pdf_utils.generic import NameObject, TextStringObject
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pypdf import PdfReader, PdfWriter

from licensing.models import IssuedDocument
from licensing.services.issuing import issue_licence_document
from licensing.signing.demo import make_leaf, make_root, pkcs12_bytes
from licensing.signing.signer import sign_pdf
from tests.documents.test_issuing import stored_bytes
from tests.factories import IssuedDocumentFactory, LicenceFactory
from tests.factories.licensing import PDF_BYTES

pytestmark = pytest.mark.django_db

URL = "/verify/document/upload/"
AUTHENTIC = "Authentic: signed by the authority and unchanged"
MODIFIED = "Modified: changed since the authority signed it"


def upload(client: Client, data: bytes, name: str = "licence.pdf", **extra: Any) -> Any:
    pdf = SimpleUploadedFile(name, data, content_type="application/pdf")
    return client.post(URL, {"pdf": pdf}, **extra)


def page(response: Any) -> str:
    return " ".join(response.content.decode().split())


@pytest.fixture
def issued(registrar) -> tuple[IssuedDocument, bytes]:
    licence = LicenceFactory()
    document = issue_licence_document(licence_id=licence.pk, by=registrar)
    return document, stored_bytes(document)


def nothing_kept(before: int, media: Path) -> None:
    assert IssuedDocument.objects.count() == before
    kept = [p for p in media.rglob("*") if p.is_file()] if media.exists() else []
    assert all("issued" in str(p) for p in kept)  # only what the fixture itself issued


def test_the_form_is_on_the_document_check_page(client):
    text = page(client.get(reverse("verify:document_form")))
    assert 'enctype="multipart/form-data"' in text
    assert f'action="{URL}"' in text
    assert "csrfmiddlewaretoken" in text


def test_the_file_as_issued_is_authentic_and_current(client, issued):
    document, data = issued
    response = upload(client, data)
    text = page(response)
    assert response.status_code == 200
    assert AUTHENTIC in text
    assert document.code in text
    assert document.licence.number in text
    assert "PAdES B-B" in text


def test_a_superseded_version_says_so(client, issued, registrar):
    document, data = issued
    issue_licence_document(licence_id=document.licence_id, by=registrar, reason="Lost")
    text = page(upload(client, data))
    assert AUTHENTIC in text
    assert "The authority has since issued a later version: this one is superseded." in text
    assert "verify-invalid" in text  # not shown as a clean bill


def stream_offset(data: bytes) -> int:
    """Somewhere inside the first content stream: signed bytes that no parser needs."""
    return data.index(b"stream") + 20


def padding_offset(data: bytes) -> int:
    """Inside the signature's /Contents, in the zeros after the signature: the one place a
    changed byte leaves the signature itself valid."""
    contents = data.index(b"/Contents <") + len(b"/Contents <")
    end = data.index(b">", contents)
    return end - 10


@pytest.mark.parametrize("where", [stream_offset, padding_offset])
def test_one_changed_byte_makes_the_page_say_modified(client, issued, where):
    _document, data = issued
    changed = bytearray(data)
    position = where(data)
    changed[position] = ord("1") if changed[position] != ord("1") else ord("2")
    response = upload(client, bytes(changed))
    text = page(response)
    assert response.status_code == 200
    assert MODIFIED in text
    assert AUTHENTIC not in text


def test_content_added_after_signing_is_modified(client, issued):
    _document, data = issued
    writer = IncrementalPdfFileWriter(io.BytesIO(data))
    writer.root[NameObject("/Lang")] = TextStringObject("xx-forged")
    writer.update_root()
    out = io.BytesIO()
    writer.write(out)
    assert MODIFIED in page(upload(client, out.getvalue()))


def test_a_file_saved_again_without_changes_says_so(client, issued):
    _document, data = issued
    writer = IncrementalPdfFileWriter(io.BytesIO(data))
    writer.update_root()  # an incremental save that changes nothing a reader sees
    out = io.BytesIO()
    writer.write(out)
    text = page(upload(client, out.getvalue()))
    assert "Signed by the authority, but saved again since" in text
    assert AUTHENTIC not in text


def test_a_pdf_signed_by_another_certificate_is_not_the_authoritys(client, settings, tmp_path):
    stranger_root = make_root("Stranger Root", organisation="Elsewhere Ltd")
    stranger = make_leaf(stranger_root, "Elsewhere Ltd signing", organisation="Elsewhere Ltd")
    p12 = tmp_path / "stranger.p12"
    p12.write_bytes(pkcs12_bytes(stranger, [stranger_root.certificate], "stranger"))
    settings.DOCUMENT_SIGNING_PKCS12, settings.DOCUMENT_SIGNING_PASSPHRASE = str(p12), "stranger"
    forged = sign_pdf(PDF_BYTES, code="FORGED0000", language="en").pdf
    text = page(upload(client, forged))
    assert "Not signed by the authority" in text
    assert "Elsewhere Ltd signing" in text
    assert AUTHENTIC not in text


def test_an_unsigned_pdf_is_not_a_file_the_authority_issued(client):
    text = page(upload(client, PDF_BYTES + b"%% another unsigned file\n"))
    assert "Not signed: not a file the authority issued" in text


def test_a_document_issued_before_signing_is_recognised_by_its_bytes(client):
    document = IssuedDocumentFactory()
    text = page(upload(client, PDF_BYTES))
    assert "Authentic: issued before documents were signed" in text
    assert document.code in text
    assert "None: printed before the authority signed its documents electronically" in text


def encrypted(data: bytes) -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    writer.encrypt(user_password="", owner_password="owner")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda data: b"\x89PNG\r\n\x1a\n" + b"\x00" * 200, "This file is not a PDF."),
        (lambda data: b"", "The file is empty."),
        (encrypted, "This PDF is encrypted or password-protected, so it cannot be checked."),
        (lambda data: data[: len(data) * 3 // 4], "it is damaged or incomplete"),
        (lambda data: b"%PDF-1.7\n" + b"\xff" * 5000, "it is damaged or incomplete"),
    ],
    ids=["png", "empty", "encrypted", "truncated", "garbage"],
)
def test_a_file_that_cannot_be_checked_gets_a_clear_answer_and_nothing_is_kept(
    client, issued, settings, make, message
):
    _document, data = issued
    before = IssuedDocument.objects.count()
    response = upload(client, make(data))
    assert response.status_code == 200
    text = page(response)
    assert message in text
    assert AUTHENTIC not in text
    assert 'class="field field-error"' in text  # the form re-rendered with the error
    nothing_kept(before, Path(settings.MEDIA_ROOT))


def test_a_file_over_the_limit_is_refused(client, issued, settings):
    _document, data = issued
    settings.DOCUMENT_VERIFY_MAX_BYTES = len(data) - 1
    response = upload(client, data)
    assert response.status_code == 413
    assert "This file is larger than" in page(response)


def test_a_declared_100_mb_body_is_refused_unread(client, settings):
    # The body is never read: the declared length alone decides (a 100 MB upload).
    response = client.generic(
        "POST",
        URL,
        data=b"",
        content_type="multipart/form-data; boundary=x",
        CONTENT_LENGTH=str(100 * 1024 * 1024),
    )
    assert response.status_code == 413
    text = page(response)
    assert "This file is larger than 10 MB" in text


def test_the_upload_needs_the_csrf_token(issued):
    _document, data = issued
    client = Client(enforce_csrf_checks=True)
    assert upload(client, data).status_code == 403


def test_a_get_is_not_allowed(client):
    assert client.get(URL).status_code == 405


def test_uploads_are_rate_limited_per_address(client, issued, settings, one_window):
    one_window(60)
    _document, data = issued
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "verify_upload": (2, 60)}
    assert [upload(client, data).status_code for _ in range(3)] == [200, 200, 429]


def test_a_document_still_verifies_after_its_certificate_expired(client, issued):
    # Art. 9.5(a): kept at least four years; the demo certificate lasts three. The certificate
    # is validated as of the signing time the authority recorded for these very bytes.
    _document, data = issued
    with time_machine.travel(timezone.now() + dt.timedelta(days=365 * 4 + 30), tick=False):
        text = page(upload(client, data))
    assert AUTHENTIC in text


def test_the_code_page_shows_the_signature(client, issued):
    document, _data = issued
    text = page(client.get(reverse("verify:document", args=[document.code])))
    assert "Electronic signature" in text
    assert "Signed by the authority on" in text
    assert "(PAdES B-B)" in text


@pytest.mark.parametrize(
    ("language", "said"),
    [
        ("hu", "Módosítva: a hatóság aláírása óta megváltozott"),
        ("nb", "Endret: forandret etter at myndigheten signerte den"),
    ],
)
def test_the_answer_is_in_the_readers_language(client, issued, compiled_messages, language, said):
    _document, data = issued
    changed = bytearray(data)
    changed[stream_offset(data)] ^= 0x01
    text = page(upload(client, bytes(changed), HTTP_ACCEPT_LANGUAGE=language))
    assert said in text
    assert MODIFIED not in text
    assert f'lang="{language}"' in text


def test_mangled_files_never_make_a_server_error(client, issued, settings):
    """Hostile input (issue 20): bytes flipped, cut or repeated anywhere in a signed licence.
    Each upload gets a page, never a 500, and none of them reads as authentic."""
    _document, data = issued
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "verify_upload": (1000, 60)}
    rng = random.Random(20)  # fixed: the same files on every run
    mangled = []
    for _ in range(60):
        changed = bytearray(data)
        for _ in range(rng.randint(1, 4)):
            changed[rng.randrange(len(changed))] = rng.randrange(256)
        mangled.append(bytes(changed))
    for _ in range(20):
        cut = rng.randrange(9, len(data))
        mangled.append(data[:cut])
        mangled.append(data[:cut] + data[cut - rng.randrange(1, 9) :])
    for body in mangled:
        response = upload(client, body)
        assert response.status_code == 200
        text = page(response)
        if body != data:
            assert AUTHENTIC not in text


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"garbage", "multipart/form-data; boundary=x"),
        (
            b'--x\r\nContent-Disposition: form-data; name="pdf"; filename="a.pdf"\r\n\r\n%PDF-1.7',
            "multipart/form-data; boundary=x",
        ),
        (b"pdf=abc", "application/x-www-form-urlencoded"),
        (b"{}", "application/json"),
        (b"", "multipart/form-data"),
    ],
    ids=["not-multipart", "cut-short", "form", "json", "no-boundary"],
)
def test_a_malformed_request_is_answered_without_a_server_error(client, body, content_type):
    response = client.generic("POST", URL, data=body, content_type=content_type)
    assert response.status_code < 500
