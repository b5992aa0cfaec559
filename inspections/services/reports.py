"""The inspection report (Art. 6.3(e)): printed through the one document service
(``licensing.services.printing.render_pdf``) when an officer reviews the inspection, and kept
as an ``IssuedDocument`` of the licence, in the holder's language."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils import timezone

from inspections.checklist_texts import shown_lazy
from inspections.forms import YES_NO
from licensing.models.audit import AuditEvent
from licensing.models.issued import IssuedDocument, IssuedDocumentKind
from licensing.services.issuing import issue_document
from licensing.services.printing import document_verification_url, party_language, render_pdf

TEMPLATE = "documents/inspection_report.html"


def _name(user: Any) -> str:
    return (user.get_full_name() or user.get_username()) if user is not None else ""


def report_pdf(*, inspection: Any, code: str, version: int, language: str) -> bytes:
    # Yes / no / not applicable in the holder's language (labels are lazy: render_pdf
    # renders them in ``language``).
    labels = dict(YES_NO)
    answers = {a.question_id: labels.get(a.value) or a.value for a in inspection.answers.all()}
    questions = (
        list(inspection.template.questions.order_by("position")) if inspection.template else []
    )
    return render_pdf(
        template=TEMPLATE,
        context={
            "inspection": inspection,
            "licence": inspection.licence,
            "holder": inspection.licence.holder,
            "rows": [(q, shown_lazy(q.text), answers.get(q.pk, "")) for q in questions],
            "checklist_title": (
                shown_lazy(inspection.template.title) if inspection.template else ""
            ),
            "findings": list(inspection.findings.order_by("pk")),
            "photos": inspection.photos.count(),
            "inspector": _name(inspection.inspector),
            "reviewed_by": _name(inspection.reviewed_by),
            "reviewed_at": timezone.localtime(inspection.reviewed_at),
            "authority": settings.AUTHORITY_NAME,
            "document_code": code,
            "document_version": version,
            "verification_url": document_verification_url(code),
        },
        language=language,
    )


def issue_report(*, inspection: Any, event: AuditEvent, by: Any) -> IssuedDocument:
    """Called by ``review_inspection`` inside its transaction: a reviewed inspection always has
    its report. The report belongs to the review's audit event."""
    language = party_language(inspection.licence.holder)
    return issue_document(
        IssuedDocument(
            kind=IssuedDocumentKind.INSPECTION_REPORT,
            licence=inspection.licence,
            event=event,
            version=1,
            language=language,
            issued_by=by,
        ),
        lambda code: report_pdf(inspection=inspection, code=code, version=1, language=language),
        subject=inspection.licence,
        by=by,
        changes={"kind": IssuedDocumentKind.INSPECTION_REPORT, "inspection": inspection.pk},
    )
