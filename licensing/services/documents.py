"""Storing uploads safely: content sniffed by its first bytes (never trusting the name or the
browser's content type), size capped, SHA-256 recorded, stored under a random name."""

from __future__ import annotations

import hashlib
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from licensing.exceptions import DomainError, PermissionDenied
from licensing.models.applications import Application, InformationRequest
from licensing.models.audit import Verb
from licensing.models.documents import Document
from licensing.models.parties import Party
from licensing.services.audit import record_event
from licensing.storage import storage_errors

# The formats an authority accepts for evidence, by their magic bytes.
SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
)


class RejectedUpload(DomainError):
    default_message = _("This file cannot be accepted.")


def sniff_content_type(head: bytes) -> str | None:
    for signature, content_type in SIGNATURES:
        if head.startswith(signature):
            return content_type
    return None


@transaction.atomic
def store_document(
    *,
    party: Party,
    upload: UploadedFile,
    kind: str,
    by: Any,
    application: Application | None = None,
    information_request: InformationRequest | None = None,
) -> Document:
    """The party's own users and officers upload documents for the party. A document that
    answers an information request names it; the request is one of the same application."""
    if not (by.has_perm("licensing.act_for_party", party) or by.has_perm("licensing.add_document")):
        raise PermissionDenied()
    if information_request is not None and (
        application is None or information_request.application_id != application.pk
    ):
        raise DomainError(_("The information request is not one of this application."))
    if upload.size is None or upload.size == 0:
        raise RejectedUpload(_("The file is empty."))
    if upload.size > settings.DOCUMENT_MAX_BYTES:
        raise RejectedUpload(
            _("The file is larger than %(mb)d MB.") % {"mb": settings.DOCUMENT_MAX_BYTES // 2**20}
        )
    upload.seek(0)
    content_type = sniff_content_type(upload.read(16))
    if content_type is None:
        raise RejectedUpload(_("Upload a PDF, PNG or JPEG file."))
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    document = Document(
        party=party,
        application=application,
        information_request=information_request,
        kind=kind,
        original_name=(upload.name or "upload")[-200:],
        content_type=content_type,
        size=upload.size,
        sha256=digest.hexdigest(),
        uploaded_by=by,
    )
    with storage_errors("document"):
        document.file.save("upload", upload, save=False)
    document.save()
    record_event(
        document,
        verb=Verb.CREATED,
        by=by,
        changes={"sha256": document.sha256, "size": document.size, "kind": kind},
    )
    return document
