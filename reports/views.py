"""The Party's aggregate report in the admin (Art. 20.1, 32): the period form, the preview of
every table, and its download as CSV or XLSX. Senior officers and auditors only (Art. 20.3);
anyone else on the staff gets 403, the admin's own check keeps out the rest."""

from __future__ import annotations

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

from licensing.exchange.export import ExportFormat
from reports.export import FORMATS, PDF, export_report, report_pdf
from reports.forms import PeriodForm, last_year
from reports.party_report import may_read, party_report


def party_report_view(request: HttpRequest) -> HttpResponse:
    if not may_read(request.user):
        raise PermissionDenied
    asked = "starts_on" in request.GET or "ends_on" in request.GET
    form = PeriodForm(request.GET if asked else last_year())
    report = None
    if form.is_valid():
        report = party_report(**form.cleaned_data)
        download = request.GET.get("download", "")
        exported = None
        if download == PDF:
            exported = report_pdf(report=report, by=request.user)
        elif download in {fmt.value for fmt in FORMATS}:
            exported = export_report(report=report, fmt=ExportFormat(download), by=request.user)
        if exported is not None:
            response = HttpResponse(exported.content, content_type=exported.content_type)
            response["Content-Disposition"] = f'attachment; filename="{exported.filename}"'
            response["X-Content-Type-Options"] = "nosniff"
            return response
    context = {
        **admin.site.each_context(request),
        "title": _("The Party's aggregate report"),
        "form": form,
        "report": report,
        "formats": FORMATS,
    }
    return TemplateResponse(request, "admin/reports/party_report.html", context)
