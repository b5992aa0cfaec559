"""The licence as the authority printed it, and the letters about its decisions (Art. 6,
6.3(a)), for the users who act for the holder or applicant."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponseNotAllowed
from django.http.response import HttpResponseBase
from django.urls import reverse

from licensing.models import IssuedDocument
from licensing.models.issued import LETTER_KINDS
from licensing.portal.case_access import portal_applications, portal_licences
from licensing.portal.licences import licence_for
from licensing.services.issuing import latest_document
from licensing.storage import open_stored


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


@login_required
def letter_pdf(request: HttpRequest, public_id: Any) -> HttpResponseBase:
    """A decision letter, as an attachment: only a letter about an application or licence of
    a party the user acts for; any other is a 404, whoever it belongs to, whatever the
    method (the access check comes first)."""
    user = request.user
    document = (
        IssuedDocument.objects.filter(public_id=public_id, kind__in=LETTER_KINDS)
        .filter(Q(application__in=portal_applications(user)) | Q(licence__in=portal_licences(user)))
        .select_related("application", "licence")
        .first()
    )
    if document is None:
        raise Http404
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD"])
    return pdf_attachment(document)


def letter_url(document: IssuedDocument) -> str:
    return reverse("portal:letter_pdf", kwargs={"public_id": document.public_id})


def pdf_attachment(document: IssuedDocument) -> FileResponse:
    response = FileResponse(
        open_stored(document.file),
        as_attachment=True,
        filename=document.download_name(),
        content_type="application/pdf",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
