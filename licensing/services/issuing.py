"""Issuing documents (Art. 6): the printed licence is stored exactly as printed, with its
SHA-256, a version per licence and a public code that the document carries, so that anyone
holding the paper can check at ``/verify/document/<code>/`` that it is authentic and current."""

from __future__ import annotations

import hashlib
from typing import Any

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from licensing.exceptions import PermissionDenied, ReasonRequired
from licensing.models.audit import Verb
from licensing.models.issued import IssuedDocument, IssuedDocumentKind, new_document_code
from licensing.models.licences import Licence
from licensing.services.audit import record_event
from licensing.services.printing import licence_language, licence_pdf

PRINT_PERMISSION = "licensing.print_document"


class ReprintReasonRequired(ReasonRequired):
    default_message = _("A reprint needs a reason.")


def may_print(user: Any) -> bool:
    return bool(user is not None and user.is_active and user.has_perm(PRINT_PERMISSION))


def latest_document(
    licence: Licence, kind: str = IssuedDocumentKind.LICENCE
) -> IssuedDocument | None:
    return IssuedDocument.objects.filter(licence=licence, kind=kind).order_by("-version").first()


def unused_code() -> str:
    while True:
        code = new_document_code()
        if not IssuedDocument.objects.filter(code=code).exists():
            return code


def store_issued_pdf(
    document: IssuedDocument, pdf: bytes, *, idempotency_key: str = ""
) -> IssuedDocument:
    """Write the PDF under a random name and save the row with it. When the same idempotency
    key was stored meanwhile (two deliveries at once; SQLite has no row lock), the file is
    removed again and the other delivery's document returned: the caller sees that its code
    is not the returned one and writes no audit event."""
    document.sha256 = hashlib.sha256(pdf).hexdigest()
    document.size = len(pdf)
    document.idempotency_key = idempotency_key or None
    document.file.save(f"{document.kind}.pdf", ContentFile(pdf), save=False)
    try:
        with transaction.atomic():
            document.save()
    except IntegrityError:
        document.file.delete(save=False)
        done = IssuedDocument.objects.filter(idempotency_key=idempotency_key).first()
        if idempotency_key and done is not None:
            return done
        raise
    return document


@transaction.atomic
def issue_licence_document(
    *, licence_id: int, by: Any, reason: str = "", idempotency_key: str = ""
) -> IssuedDocument:
    """Print the licence and keep the PDF as version n+1. Registrars and senior officers
    (``print_document``). A reprint (a version already exists) needs a reason, recorded on the
    document and in the audit trail. With ``idempotency_key``, a second call with the same key
    returns the document of the first and prints nothing."""
    # The licence's row only: the holder is read, and printing its other licences goes on.
    licence = (
        Licence.objects.select_for_update(of=("self",)).select_related("holder").get(pk=licence_id)
    )
    if idempotency_key:
        done = IssuedDocument.objects.filter(idempotency_key=idempotency_key).first()
        if done is not None:
            return done
    if not may_print(by):
        raise PermissionDenied()
    reason = reason.strip()
    previous = latest_document(licence)
    if previous is not None and not reason:
        raise ReprintReasonRequired()
    version = previous.version + 1 if previous is not None else 1
    code = unused_code()
    pdf = licence_pdf(licence_id=licence.pk, document_code=code, document_version=version)
    document = IssuedDocument(
        kind=IssuedDocumentKind.LICENCE,
        licence=licence,
        version=version,
        code=code,
        language=licence_language(licence),
        issued_by=by,
        is_reprint=previous is not None,
        reprint_reason=reason if previous is not None else "",
    )
    document = store_issued_pdf(document, pdf, idempotency_key=idempotency_key)
    if document.code != code:
        return document  # the same key, stored by the other delivery
    record_event(
        licence,
        verb=Verb.DOCUMENT_REPRINTED if document.is_reprint else Verb.DOCUMENT_ISSUED,
        by=by,
        reason=document.reprint_reason,
        changes={
            "document": {"code": code, "version": version, "sha256": document.sha256},
        },
    )
    return document
