"""Checking an uploaded PDF on the public verification page: the upload is read in memory up
to ``DOCUMENT_VERIFY_MAX_BYTES`` (larger is refused, unread beyond the limit), checked by
``licensing.signing.checks`` and matched against the documents the authority issued. Nothing
of the file is written anywhere: no temporary file, no row, no log of its content."""

from __future__ import annotations

import datetime as dt
import enum
import io
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import InMemoryUploadedFile
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.http import HttpRequest

from licensing.models.issued import IssuedDocument
from licensing.signing.checks import Outcome, PdfCheck, check_pdf
from licensing.verify.reads import DocumentVerification, document_for_verification


class BoundedMemoryUpload(FileUploadHandler):
    """Keeps the file in memory, and skips it as soon as it passes the limit (``too_large``):
    Django's default handlers would write a large upload to a temporary file first."""

    def __init__(self, request: HttpRequest | None = None, *, limit: int) -> None:
        super().__init__(request)
        self.limit = limit
        self.too_large = False
        self.buffer = io.BytesIO()

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        self.buffer = io.BytesIO()

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        if self.buffer.tell() + len(raw_data) > self.limit:
            self.too_large = True
            self.buffer = io.BytesIO()
            raise SkipFile()
        self.buffer.write(raw_data)
        return None

    def file_complete(self, file_size: int) -> InMemoryUploadedFile:
        self.buffer.seek(0)
        return InMemoryUploadedFile(
            file=self.buffer,
            field_name=self.field_name,
            name=self.file_name,
            content_type=self.content_type,
            size=file_size,
            charset=self.charset,
            content_type_extra=self.content_type_extra,
        )


def declared_too_large(request: HttpRequest) -> bool:
    """A request whose declared length is beyond the limit (and the form's few fields): it is
    refused without reading its body."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return False
    return length > settings.DOCUMENT_VERIFY_MAX_BYTES + 64 * 1024


class Finding(enum.StrEnum):
    AUTHENTIC = "authentic"  # signed by the authority, the very file it issued
    RESAVED = "resaved"  # the authority's signed file inside, saved again since
    MODIFIED = "modified"
    FOREIGN = "foreign"  # signed, not by the authority
    UNSIGNED_ISSUED = "unsigned_issued"  # issued before documents were signed, unchanged
    UNSIGNED = "unsigned"


@dataclass(frozen=True)
class UploadVerification:
    finding: Finding
    check: PdfCheck
    document: DocumentVerification | None = None

    @property
    def trustworthy(self) -> bool:
        return self.finding in (Finding.AUTHENTIC, Finding.RESAVED, Finding.UNSIGNED_ISSUED)


def _recorded_signing_time(sha256: str) -> dt.datetime | None:
    return (
        IssuedDocument.objects.filter(sha256=sha256)
        .exclude(signed_at=None)
        .values_list("signed_at", flat=True)
        .first()
    )


def verify_upload(data: bytes) -> UploadVerification:
    """What the uploaded file is. Raises ``UnreadablePdf`` for a file that cannot be checked.
    A signature that holds over bytes the authority never issued (the unsigned part of the
    file changed, or a file signed elsewhere with the same key) is reported as modified."""
    check = check_pdf(data, recorded_signing_time=_recorded_signing_time)
    document = None
    if check.issued_sha256 and check.outcome != Outcome.FOREIGN:
        found = document_for_verification(sha256=check.issued_sha256)
        document = found if found.found else None
    if check.outcome == Outcome.UNSIGNED:
        finding = Finding.UNSIGNED_ISSUED if document is not None else Finding.UNSIGNED
        return UploadVerification(finding, check, document)
    if check.outcome in (Outcome.AUTHENTIC, Outcome.RESAVED) and document is not None:
        return UploadVerification(Finding(check.outcome.value), check, document)
    if check.outcome == Outcome.FOREIGN:
        return UploadVerification(Finding.FOREIGN, check)
    return UploadVerification(Finding.MODIFIED, check)
