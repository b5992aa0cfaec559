"""Import of a legacy licence register in the admin (Art. 9.2, 21.1(a)): from the licence list,
an upload page; the dry run shows every error by row and column, or a preview with a "Confirm
import" button; the confirmation imports the file that was checked, then shows the result with
a link to the imported licences. Only holders of ``import_records`` see the button or reach the
pages; the services check again."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from licensing.admin.base import ReadOnlyAdmin
from licensing.exceptions import DomainError
from licensing.exchange.legacy_rows import OPTIONAL_COLUMNS, REQUIRED_COLUMNS
from licensing.models import ImportState, LegacyImport
from licensing.models.imports import may_import
from licensing.services.legacy_import import confirm_import, stage_import

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
    """The file, then the dry run: its errors here, or the staged import's preview."""
    _require(request)
    errors: list[Any] = []
    form = LegacyImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        dry_run = stage_import(upload=form.cleaned_data["file"], by=request.user)
        if dry_run.legacy_import is not None:
            return HttpResponseRedirect(_detail_url(dry_run.legacy_import))
        errors = dry_run.errors
    context = _context(
        modeladmin,
        request,
        title=_("Import legacy register"),
        form=form,
        errors=errors,
        required_columns=REQUIRED_COLUMNS,
        optional_columns=OPTIONAL_COLUMNS,
    )
    return TemplateResponse(request, "admin/licensing/legacy_import_upload.html", context)


def detail_view(modeladmin: admin.ModelAdmin, request: HttpRequest, public_id: Any) -> HttpResponse:
    """The preview with its "Confirm import" button, the result, or the refusal's report."""
    _require(request)
    legacy = get_object_or_404(LegacyImport, public_id=public_id)
    licences = legacy.licences.select_related("holder").order_by("pk")
    changelist = reverse("admin:licensing_licence_changelist")
    context = _context(
        modeladmin,
        request,
        title=_("Legacy register import"),
        legacy=legacy,
        summary=legacy.summary,
        confirm_url=reverse("admin:licensing_licence_import_confirm", args=[legacy.public_id]),
        is_pending=legacy.state == ImportState.VALIDATED,
        is_imported=legacy.state == ImportState.IMPORTED,
        is_failed=legacy.state == ImportState.FAILED,
        licences=licences[:SHOWN_LICENCES],
        licence_count=licences.count(),
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
    if legacy.state == ImportState.IMPORTED:
        messages.success(
            request,
            ngettext(
                "%(count)s licence was imported.",
                "%(count)s licences were imported.",
                legacy.row_count,
            )
            % {"count": legacy.row_count},
        )
    else:
        messages.error(request, _("Nothing was imported: the file no longer passes the checks."))
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
        "uploaded_by",
        "created_at",
        "confirmed_by",
        "confirmed_at",
        "report",
    )
    readonly_fields = fields
