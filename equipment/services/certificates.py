"""The destruction certificate (Art. 6.3(i), 18): printed through the one document service
(``licensing.services.printing.render_pdf``) and kept as an ``IssuedDocument`` of the holder's
licence, with its SHA-256, version and public code. The certificate of seized stock, which may
belong to no licence, is kept on its own and recorded on the order's trail."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils import timezone

from licensing.models.audit import AuditEvent
from licensing.models.issued import IssuedDocument, IssuedDocumentKind
from licensing.services.issuing import issue_document
from licensing.services.printing import document_verification_url, party_language, render_pdf

TEMPLATE = "documents/destruction_certificate.html"


def certificate_pdf(*, order: Any, code: str, version: int, language: str) -> bytes:
    machines = list(order.machines.order_by("identifier"))
    return render_pdf(
        template=TEMPLATE,
        context={
            "order": order,
            "holder": order.holder,
            "licence": order.licence,
            "machines": machines,
            "parts": list(order.parts.order_by("identifier")),
            "lines": list(order.lines.order_by("pk")),
            "witnessed_on": timezone.localtime(order.witnessed_at),
            "method": order.get_witnessed_method_display() or order.get_method_display(),
            "inspector": order.inspector.get_full_name() or order.inspector.get_username(),
            "countersigned_by": order.countersigned_by.get_full_name()
            or order.countersigned_by.get_username(),
            "countersigned_at": timezone.localtime(order.countersigned_at),
            "authority": settings.AUTHORITY_NAME,
            "document_code": code,
            "document_version": version,
            "verification_url": document_verification_url(code),
        },
        language=language,
    )


def issue_certificate(*, order: Any, event: AuditEvent, by: Any) -> IssuedDocument:
    """Called by ``countersign_destruction`` inside its transaction; the certificate belongs
    to the countersignature's audit event, in the holder's language."""
    holder = order.holder
    language = party_language(holder) if holder is not None else settings.LANGUAGE_CODE
    return issue_document(
        IssuedDocument(
            kind=IssuedDocumentKind.DESTRUCTION_CERTIFICATE,
            licence=order.licence,
            event=event,
            version=1,
            language=language,
            issued_by=by,
        ),
        lambda code: certificate_pdf(order=order, code=code, version=1, language=language),
        subject=order.licence if order.licence is not None else order,
        by=by,
        changes={"kind": IssuedDocumentKind.DESTRUCTION_CERTIFICATE},
    )
