"""Issuing documents (Art. 6): the printed licence is stored exactly as printed, with its
SHA-256, a version per licence and a public code that the document carries, so that anyone
holding the paper can check at ``/verify/document/<code>/`` that it is authentic and current.

``issue_document`` is the one path every kind of document takes (the licence here, the decision
letters, the destruction certificate, the inspection report): a fresh code, the caller's
rendering, the authority's signature (``licensing.signing``), then the SHA-256 of the signed
file, the stored row and the audit event."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
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
from licensing.signing.signer import SigningFailed, sign_pdf
from licensing.storage import storage_errors

logger = logging.getLogger(__name__)

PRINT_PERMISSION = "licensing.print_document"
# Who is told when a document cannot be signed: the registrars, besides whoever asked.
SIGNING_ALERT_GROUPS = ("registrar",)


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
    with storage_errors("printed document"):
        document.file.save(f"{document.kind}.pdf", ContentFile(pdf), save=False)
    try:
        with transaction.atomic():
            document.save()
    except IntegrityError:
        try:
            document.file.delete(save=False)
        except Exception:  # the store failing now: the retention job removes the file later
            logger.warning("could not remove %s after a duplicate print", document.file.name)
        done = IssuedDocument.objects.filter(idempotency_key=idempotency_key).first()
        if idempotency_key and done is not None:
            return done
        raise
    return document


def issue_document(
    document: IssuedDocument,
    render: Callable[[str], bytes],
    *,
    subject: Any,
    by: Any,
    details: dict[str, Any] | None = None,
    changes: dict[str, Any] | None = None,
    idempotency_key: str = "",
) -> IssuedDocument:
    """Render, sign, store and record one version of a document, in the caller's transaction.

    ``document`` is the unsaved row with its kind, subject, version, language and reprint
    fields; ``render(code)`` returns the PDF that carries the code. The audit event goes on
    ``subject`` with ``details`` beside the code, version and SHA-256, and ``changes`` at the
    top level. A failure to sign (``SigningFailed``) stores nothing. With an idempotency key
    stored meanwhile by another delivery, that delivery's document is returned, unrecorded."""
    code = unused_code()
    document.code = code
    try:
        signed = sign_pdf(render(code), code=code, language=document.language)
    except SigningFailed as error:
        # The cause, for the operator (the user sees the translated message only).
        logger.error("%s %s not issued: not signed: %s", document.kind, code, error.detail)
        raise
    document.signature_level = signed.level
    document.signed_by = signed.signer
    document.signed_at = signed.signed_at
    document.signer_certificate_sha256 = signed.certificate_sha256
    document = store_issued_pdf(document, signed.pdf, idempotency_key=idempotency_key)
    if document.code != code:
        return document  # the same key, stored by the other delivery
    record_event(
        subject,
        verb=Verb.DOCUMENT_REPRINTED if document.is_reprint else Verb.DOCUMENT_ISSUED,
        by=by,
        reason=document.reprint_reason,
        changes={
            "document": {
                **(details or {}),
                "code": code,
                "version": document.version,
                "sha256": document.sha256,
                "signature": document.signature_level,
            },
            **(changes or {}),
        },
    )
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
    document = IssuedDocument(
        kind=IssuedDocumentKind.LICENCE,
        licence=licence,
        version=version,
        language=licence_language(licence),
        issued_by=by,
        is_reprint=previous is not None,
        reprint_reason=reason if previous is not None else "",
    )
    return issue_document(
        document,
        lambda code: licence_pdf(
            licence_id=licence.pk, document_code=code, document_version=version
        ),
        subject=licence,
        by=by,
        idempotency_key=idempotency_key,
    )


def alert_signing_failed(*, what: str, detail: str, requested_by: Any, key: str) -> None:
    """Tell the registrars (and whoever asked for the print) that a document was not issued
    because it could not be signed: the print job fails, it never issues the document
    unsigned. One mail per job and recipient, however often the job is delivered."""
    from django.conf import settings
    from django.urls import reverse
    from django.utils import timezone

    from licensing.services.notifications import queue_staff_alert

    queue_staff_alert(
        groups=SIGNING_ALERT_GROUPS,
        also=requested_by,
        key=f"signing_failed:{key[:120]}",
        template="signing_failed",
        context={
            "what": what,
            "detail": detail[:500],
            "requested_at": timezone.now().strftime("%Y-%m-%d %H:%M:%S"),
            "admin_url": settings.PORTAL_BASE_URL.rstrip("/") + reverse("admin:index"),
        },
    )
