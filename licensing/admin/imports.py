"""Import of a legacy licence register in the admin (Art. 9.2, 21.1(a)): from the licence list,
an upload page; the file is kept and checked in the background while the import's page shows
the rows checked; then every error by row and column, or a preview with a "Confirm import"
button; the confirmation writes the file that was checked in the background, the page showing
the rows written, then the result with a link to the imported licences. The page keeps itself
current as the print batch page does (licensing/import_progress.js polls the status URL).
Only holders of ``import_records`` see the button or reach the pages; the services check
again."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseNotAllowed,
    HttpResponseRedirect,
    JsonResponse,
)
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache

from licensing.admin.base import ReadOnlyAdmin
from licensing.exceptions import DomainError
from licensing.exchange.legacy_rows import OPTIONAL_COLUMNS, REQUIRED_COLUMNS
from licensing.exchange.reading import RowError, UnreadableFile
from licensing.models import ImportState, LegacyImport
from licensing.models.imports import may_import
from licensing.services.import_jobs import import_status
from licensing.services.legacy_import import confirm_import, receive_upload, report_of
from licensing.storage import StorageUnavailable

SHOWN_LICENCES = 50


class LegacyImportForm(forms.Form):
    file = forms.FileField(
        label=_("Register file"),
        help_text=_("CSV (UTF-8, separated by commas or semicolons) or XLSX (the first sheet)."),
    )


def _require(request: HttpRequest) -> None:
    if not may_import(None, request.user):
        raise PermissionDenied


def _context(modeladmin: admin.ModelAdmin, request: HttpRequest, **extra: Any) -> dict[str, Any]:
    return {
        **modeladmin.admin_site.each_context(request),
        "opts": modeladmin.model._meta,
        "upload_url": reverse("admin:licensing_licence_import"),
        **extra,
    }


def upload_view(modeladmin: admin.ModelAdmin, request: HttpRequest) -> HttpResponse:
    """The file: kept, and its check queued; then the import's page. A file too large or empty
    is refused here, before it is read, and nothing is kept."""
    _require(request)
    errors: list[RowError] = []
    form = LegacyImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            legacy = receive_upload(upload=form.cleaned_data["file"], by=request.user)
        except (UnreadableFile, StorageUnavailable) as exc:
            errors = [RowError(0, "", str(exc))]
        else:
            messages.info(
                request, _("The file is being checked in the background. This page shows how far.")
            )
            return HttpResponseRedirect(_detail_url(legacy))
    context = _context(
        modeladmin,
        request,
        title=_("Import legacy register"),
        form=form,
        errors=errors,
        error_count=len(errors),
        required_columns=REQUIRED_COLUMNS,
        optional_columns=OPTIONAL_COLUMNS,
        max_bytes=settings.IMPORT_MAX_BYTES,
        max_rows=settings.IMPORT_MAX_ROWS,
    )
    return TemplateResponse(request, "admin/licensing/legacy_import_upload.html", context)


def detail_view(modeladmin: admin.ModelAdmin, request: HttpRequest, public_id: Any) -> HttpResponse:
    """The progress of the check or the write, the preview with its "Confirm import" button,
    the result, or the report of why nothing was imported."""
    _require(request)
    legacy = get_object_or_404(
        LegacyImport.objects.select_related("uploaded_by", "confirmed_by"), public_id=public_id
    )
    is_imported = legacy.state == ImportState.IMPORTED
    changelist = reverse("admin:licensing_licence_changelist")
    context = _context(
        modeladmin,
        request,
        title=_("Legacy register import"),
        legacy=legacy,
        summary=legacy.summary,
        status=import_status(legacy),
        status_url=reverse("admin:licensing_legacyimport_status", args=[legacy.public_id]),
        confirm_url=reverse("admin:licensing_licence_import_confirm", args=[legacy.public_id]),
        is_pending=legacy.state == ImportState.VALIDATED,
        is_imported=is_imported,
        is_refused=legacy.state in (ImportState.REFUSED, ImportState.FAILED),
        errors=report_of(legacy),
        error_count=legacy.error_count,
        # The first licences only: a national register is seen whole in the licence list.
        licences=list(legacy.licences.select_related("holder").order_by("pk")[:SHOWN_LICENCES])
        if is_imported
        else [],
        licence_count=legacy.rows_written,
        licences_url=f"{changelist}?legacy_import__id__exact={legacy.pk}",
    )
    return TemplateResponse(request, "admin/licensing/legacy_import.html", context)


def confirm_view(
    modeladmin: admin.ModelAdmin, request: HttpRequest, public_id: Any
) -> HttpResponse:
    _require(request)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    legacy = get_object_or_404(LegacyImport, public_id=public_id)
    try:
        legacy = confirm_import(import_id=legacy.pk, by=request.user)
    except DomainError as exc:
        messages.warning(request, str(exc))
        return HttpResponseRedirect(_detail_url(legacy))
    messages.info(
        request,
        _(
            "The import is being written in the background, every row or none. This page "
            "shows how far."
        ),
    )
    return HttpResponseRedirect(_detail_url(legacy))


def _detail_url(legacy: LegacyImport) -> str:
    return reverse("admin:licensing_licence_import_detail", args=[legacy.public_id])


@admin.register(LegacyImport)
class LegacyImportAdmin(ReadOnlyAdmin):
    """The imports on record, read only (auditors too), each with its audit trail."""

    list_display = ("original_name", "state", "row_count", "uploaded_by", "created_at")
    list_filter = ("state",)
    list_select_related = ("uploaded_by",)
    fields = (
        "original_name",
        "file_format",
        "size",
        "sha256",
        "row_count",
        "state",
        "rows_checked",
        "rows_written",
        "error_count",
        "attempts",
        "uploaded_by",
        "created_at",
        "confirmed_by",
        "confirmed_at",
        "finished_at",
        "report",
    )
    readonly_fields = fields

    def get_urls(self) -> list[URLPattern]:
        return [
            path(
                "<uuid:public_id>/status/",
                never_cache(self.status_view),
                name="licensing_legacyimport_status",
            ),
            *super().get_urls(),
        ]

    def status_view(self, request: HttpRequest, public_id: Any) -> JsonResponse:
        """Polled by the import page's script: JSON, and a 403 rather than the log-in page for
        anyone who may not import."""
        user = request.user
        if not (user.is_authenticated and user.is_staff and may_import(None, user)):
            return JsonResponse({"error": "forbidden"}, status=403)
        legacy = get_object_or_404(LegacyImport, public_id=public_id)
        return JsonResponse(import_status(legacy))
