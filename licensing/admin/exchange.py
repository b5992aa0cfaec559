"""The export action on the party and licence lists (Art. 21.1(a)): a page to choose the
format, then the file as an attachment. Shown only to holders of ``export_records``
(``KeptAdmin.has_export_records_permission``); the service checks again."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from licensing.exchange.export import ExportFormat, export_records, may_export


class ExportForm(forms.Form):
    format = forms.ChoiceField(label=_("Format"), choices=ExportFormat.choices)
    purpose = forms.CharField(
        label=_("Recipient or purpose"),
        required=False,
        max_length=500,
        help_text=_("Kept in the audit trail with the export, e.g. the requesting authority."),
    )


def attachment(content: bytes, *, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    # The name is built from the model name, a timestamp and the format: ASCII, no quotes.
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    return response


@admin.action(
    description=_("Export selected records as CSV / XLSX / JSON"),
    permissions=["export_records"],
)
def export_selected_records(
    modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[Any]
) -> HttpResponse | None:
    if not may_export(request.user):
        raise PermissionDenied
    form = ExportForm(request.POST if "_export" in request.POST else None)
    if form.is_valid():
        exported = export_records(
            records=queryset,
            fmt=form.cleaned_data["format"],
            by=request.user,
            purpose=form.cleaned_data["purpose"],
        )
        return attachment(
            exported.content, content_type=exported.content_type, filename=exported.filename
        )
    opts = modeladmin.model._meta
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": _("Export records"),
        "opts": opts,
        "form": form,
        "count": queryset.count(),
        "selected": request.POST.getlist(helpers.ACTION_CHECKBOX_NAME),
        "select_across": request.POST.get("select_across", "0"),
        "action_name": "export_selected_records",
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
    }
    return TemplateResponse(request, "admin/licensing/export_records.html", context)
