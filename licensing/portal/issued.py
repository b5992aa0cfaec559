"""The licence as the authority printed it, for the users who act for its holder."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponseNotAllowed
from django.http.response import HttpResponseBase

from licensing.models import IssuedDocument
from licensing.portal.licences import licence_for
from licensing.services.issuing import latest_document


@login_required
def licence_pdf(request: HttpRequest, public_id: Any) -> HttpResponseBase:
    """The latest printed version, as an attachment; 404 for another party's licence and
    while none has been printed. The access check comes first, so that any method on another
    party's licence is a 404."""
    licence = licence_for(request, public_id)
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD"])
    document = latest_document(licence)
    if document is None:
        raise Http404
    return pdf_attachment(document)


def pdf_attachment(document: IssuedDocument) -> FileResponse:
    response = FileResponse(
        document.file.open("rb"),
        as_attachment=True,
        filename=document.download_name(),
        content_type="application/pdf",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
