"""Anyone may check a licence (the QR code on a printed licence leads here) and browse the
register of active licences. Thin views: licensing/verify/reads.py decides what is public."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils.datastructures import MultiValueDict
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_POST

from licensing.models.activities import activity_labels
from licensing.ratelimit import ratelimit
from licensing.signing.checks import UnreadablePdf
from licensing.verify.forms import (
    RegisterSearchForm,
    VerifyDocumentForm,
    VerifyForm,
    VerifyUploadForm,
)
from licensing.verify.reads import (
    DocumentVerification,
    Verification,
    VerificationStatus,
    document_for_verification,
    licence_for_verification,
    public_register,
)
from licensing.verify.uploads import BoundedMemoryUpload, declared_too_large, verify_upload


def explanation(verification: Verification) -> str:
    """Why the licence is or is not valid today, in the reader's language."""
    status = verification.status
    licence = verification.licence
    if status == VerificationStatus.VALID:
        return _("This licence is valid today.")
    if status == VerificationStatus.NOT_YET_VALID and licence and licence.valid_from:
        return _("This licence is not valid yet: its term starts on %(date)s.") % {
            "date": date_format(licence.valid_from)
        }
    if status == VerificationStatus.SUSPENDED:
        return _(
            "This licence is suspended: the holder may not carry on the licensed activities "
            "until the authority reinstates it."
        )
    if status == VerificationStatus.REVOKED:
        return _("This licence has been revoked by the authority and is no longer valid.")
    if status == VerificationStatus.EXPIRED and licence and licence.expires_on:
        return _("This licence expired on %(date)s and is no longer valid.") % {
            "date": date_format(licence.expires_on)
        }
    if status == VerificationStatus.TRANSFERRED:
        if verification.successor_number:
            return _(
                "This licence was transferred to a new holder and is no longer valid. It was "
                "replaced by licence %(number)s."
            ) % {"number": verification.successor_number}
        return _("This licence was transferred to a new holder and is no longer valid.")
    if status == VerificationStatus.SURRENDERED:
        return _("The holder surrendered this licence; it is no longer valid.")
    if status == VerificationStatus.MISTYPED:
        return _(
            "This number is mistyped: its last character, the check character, does not match "
            "the rest. Compare each character with the printed licence."
        )
    if status == VerificationStatus.MALFORMED:
        return _("This is not a licence number. A licence number looks like TL-2026-000123-K.")
    return _(
        "No licence has this number. If you copied it correctly, the document is not a licence "
        "issued by the authority."
    )


def _context(verification: Verification) -> dict[str, Any]:
    licence = verification.licence
    successor_url = ""
    if verification.successor_number:
        successor_url = reverse("verify:licence", args=[verification.successor_number])
    try:
        json_url = reverse("verify:licence_json", args=[verification.number])
    except NoReverseMatch:  # nothing typed that a URL can carry
        json_url = ""
    return {
        "verification": verification,
        "explanation": explanation(verification),
        "activities": activity_labels(licence.activities) if licence else [],
        "successor_url": successor_url,
        "json_url": json_url,
    }


@require_GET
@never_cache
@ratelimit("verify")
def verify_form(request: HttpRequest) -> HttpResponse:
    context: dict[str, Any] = {}
    if "number" in request.GET:
        form = VerifyForm(request.GET)
        if form.is_valid():
            context = _context(licence_for_verification(form.cleaned_data["number"]))
    else:
        form = VerifyForm()
    return render(request, "verify/verify.html", {"form": form, **context})


@require_GET
@never_cache
@ratelimit("verify")
def verify_licence(request: HttpRequest, number: str) -> HttpResponse:
    verification = licence_for_verification(number)
    form = VerifyForm(initial={"number": verification.number})
    return render(request, "verify/verify.html", {"form": form, **_context(verification)})


@require_GET
@never_cache
@ratelimit("verify", as_json=True)
def verify_licence_json(request: HttpRequest, number: str) -> JsonResponse:
    verification = licence_for_verification(number)
    licence = verification.licence
    data: dict[str, Any] = {
        "number": verification.number,
        "valid": verification.is_valid,
        "status": verification.status.value,
        "explanation": explanation(verification),
        "successor_number": verification.successor_number or None,
        "licence": None,
    }
    if licence is not None:
        data["licence"] = {
            "trade_name": licence.trade_name,
            "activities": [
                {"code": code, "label": label}
                for code, label in zip(
                    licence.activities, activity_labels(licence.activities), strict=True
                )
            ],
            "valid_from": licence.valid_from.isoformat() if licence.valid_from else None,
            "expires_on": licence.expires_on.isoformat() if licence.expires_on else None,
        }
        # Reg. (EU) 2018/574 Art. 15, 17: a legal person's codes; none for a natural person.
        data["identifier_codes"] = {
            "operator": licence.operator_code or None,
            "facilities": licence.facility_codes,
        }
    return JsonResponse(data, json_dumps_params={"ensure_ascii": False})


def document_heading(result: DocumentVerification) -> str:
    """The heading of a printed licence's check: whether the document is the authority's
    current version, and the licence's status today, so that an authentic copy of a suspended
    or revoked licence does not read as a clean bill (the text below says why)."""
    current = result.is_current
    if result.licence is None:
        if current:
            return _("Authentic and current document")
        return _("Authentic but superseded document")
    status = result.licence.status.label
    if current:
        return _("Authentic and current document: the licence is %(status)s") % {"status": status}
    return _("Authentic but superseded document: the licence is %(status)s") % {"status": status}


def _document_context(result: DocumentVerification) -> dict[str, Any]:
    context: dict[str, Any] = {"result": result}
    if result.licence is not None:
        context.update(_context(result.licence))
    if result.found and not result.is_letter:
        context["heading"] = document_heading(result)
    return context


@require_GET
@never_cache
@ratelimit("verify")
def verify_document_form(request: HttpRequest) -> HttpResponse:
    """A code typed from the paper, or the SHA-256 of a PDF file."""
    context: dict[str, Any] = {}
    if request.GET:
        form = VerifyDocumentForm(request.GET)
        if form.is_valid():
            context = _document_context(
                document_for_verification(
                    code=form.cleaned_data["code"], sha256=form.cleaned_data["sha256"]
                )
            )
    else:
        form = VerifyDocumentForm()
    context["upload_form"] = VerifyUploadForm()
    return render(request, "verify/document.html", {"form": form, **context})


def too_large_message() -> str:
    megabytes = settings.DOCUMENT_VERIFY_MAX_BYTES / (1024 * 1024)
    return _(
        "This file is larger than %(size)s MB. The authority's documents are much smaller: "
        "this is not one of them."
    ) % {"size": f"{megabytes:g}"}


def _refused_upload(message: str) -> VerifyUploadForm:
    """The upload form with ``message`` as the file's only error (the file was not read)."""
    form = VerifyUploadForm({}, MultiValueDict())
    form.full_clean()
    form.errors["pdf"] = form.error_class([message])
    return form


def _upload_page(
    request: HttpRequest, form: VerifyUploadForm, *, status: int = 200, **context: Any
) -> HttpResponse:
    context = {"form": VerifyDocumentForm(), "upload_form": form, **context}
    return render(request, "verify/document.html", context, status=status)


@csrf_exempt  # checked below, once the upload handler is in place (Django's upload docs)
@require_POST
@never_cache
@ratelimit("verify_upload")
def verify_document_upload(request: HttpRequest) -> HttpResponse:
    """A PDF file someone received: signed by the authority, unchanged, and which document.
    The file is read in memory (``BoundedMemoryUpload``) and nothing of it is kept. A body
    declared larger than the limit is refused before anything of it is read (the CSRF check
    would read it); the refusal changes nothing."""
    if declared_too_large(request):
        return _upload_page(request, _refused_upload(too_large_message()), status=413)
    handler = BoundedMemoryUpload(request, limit=settings.DOCUMENT_VERIFY_MAX_BYTES)
    request.upload_handlers = [handler]
    return _checked_upload(request, handler)


@csrf_protect
def _checked_upload(request: HttpRequest, handler: BoundedMemoryUpload) -> HttpResponse:
    form = VerifyUploadForm(request.POST, request.FILES)
    if handler.too_large:
        return _upload_page(request, _refused_upload(too_large_message()), status=413)
    if not form.is_valid():
        return _upload_page(request, form)
    try:
        upload = verify_upload(form.cleaned_data["pdf"].read())
    except UnreadablePdf as error:
        form.add_error("pdf", str(error))
        return _upload_page(request, form)
    context: dict[str, Any] = {"upload": upload}
    if upload.document is not None:
        context.update(_document_context(upload.document))
    return _upload_page(request, VerifyUploadForm(), **context)


@require_GET
@never_cache
@ratelimit("verify")
def verify_document(request: HttpRequest, code: str) -> HttpResponse:
    result = document_for_verification(code=code)
    form = VerifyDocumentForm(initial={"code": code})
    return render(
        request,
        "verify/document.html",
        {"form": form, "upload_form": VerifyUploadForm(), **_document_context(result)},
    )


@require_GET
@ratelimit("register")
def register(request: HttpRequest) -> HttpResponse:
    form = RegisterSearchForm(request.GET)
    filters = form.cleaned_data if form.is_valid() else {}
    page = public_register(
        name=filters.get("name", ""),
        municipality=filters.get("municipality", ""),
        activity=filters.get("activity", ""),
        after=filters.get("after", ""),
        before=filters.get("before", ""),
    )
    search = request.GET.copy()
    for cursor in ("after", "before"):
        search.pop(cursor, None)
    rows = [{"licence": row, "activities": activity_labels(row.activities)} for row in page.rows]

    def link(cursor: str, value: str) -> str:
        query = search.copy()
        query[cursor] = value
        return f"?{query.urlencode()}"

    return render(
        request,
        "verify/register.html",
        {
            "form": form,
            "rows": rows,
            "next_url": link("after", page.next_after) if page.next_after else "",
            "previous_url": link("before", page.previous_before) if page.previous_before else "",
        },
    )
