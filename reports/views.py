"""The management information in the admin (issue 22). The Party's aggregate report (Art.
20.1, 32): the period form, the preview of every table, and its download as CSV, XLSX or PDF.
The case flow: time to decision and the backlog by month, as a chart and its table. Senior
officers and auditors only (Art. 20.3); other staff get 403, the admin's own check keeps out
the rest."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import Model
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from licensing.admin.exchange import attachment
from licensing.dashboard import chart_frame, month_bars
from licensing.exchange.export import ExportFormat
from reports import case_flow, figures
from reports.export import (
    FORMATS,
    PDF,
    export_report,
    management_csv,
    may_read_management,
    report_pdf,
)
from reports.forms import MonthsForm, PeriodForm, last_year, this_year_by_month
from reports.models import CaseFlow
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
            return attachment(
                exported.content, content_type=exported.content_type, filename=exported.filename
            )
    context = {
        **admin.site.each_context(request),
        "title": _("The Party's aggregate report"),
        "form": form,
        "report": report,
        "formats": FORMATS,
    }
    return TemplateResponse(request, "admin/reports/party_report.html", context)


def csv_response(
    request: HttpRequest,
    *,
    name: str,
    model: type[Model],
    lines: list[Any],
    headings: list[str],
    changes: dict[str, Any],
) -> HttpResponse:
    """A management page's table as a CSV download, audited (``management_csv``)."""
    exported = management_csv(
        name=name, model=model, lines=lines, headings=headings, changes=changes, by=request.user
    )
    return attachment(
        exported.content, content_type=exported.content_type, filename=exported.filename
    )


def _days(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


def case_flow_view(request: HttpRequest) -> HttpResponse:
    """Time to decision and the backlog, month by month (issue 22): senior officers and
    auditors. The chart's data is the table beside it, and its CSV."""
    if not may_read_management(request.user):
        raise PermissionDenied
    asked = "first" in request.GET or "last" in request.GET
    form = MonthsForm(request.GET if asked else this_year_by_month())
    deadline = settings.DECISION_DEADLINE_DAYS
    headings = [
        _("Month"),
        _("Submitted"),
        _("Decided"),
        _("Withdrawn"),
        _("Open at the month's end"),
        _("Median days to decision"),
        _("90th percentile, days"),
        _("Decided after %(days)s days") % {"days": deadline},
    ]
    context: dict[str, Any] = {
        **admin.site.each_context(request),
        "title": _("Time to decision and backlog"),
        "form": form,
        "pages": figures.all_figures(),
        "headings": headings,
        "deadline": deadline,
    }
    if form.is_valid():
        first, last, kind = (form.cleaned_data[k] for k in ("first", "last", "kind"))
        found = case_flow.figures(first, last, [kind] if kind else [])
        rows = [
            [
                date_format(line.month, "YEAR_MONTH_FORMAT"),
                line.submitted,
                line.decided,
                line.withdrawn,
                line.open_at_end,
                _days(line.median_days),
                _days(line.p90_days),
                line.over_deadline,
            ]
            for line in found
        ]
        if request.GET.get("download") == "csv":
            changes = {"first": f"{first:%Y-%m}", "last": f"{last:%Y-%m}", "kind": kind or "all"}
            return csv_response(
                request,
                name="case-flow",
                model=CaseFlow,
                lines=rows,
                headings=headings,
                changes=changes,
            )
        bars = month_bars(
            {line.month: line.open_at_end for line in found}, [x.month for x in found]
        )
        context.update(
            rows=rows,
            empty=not any(line.submitted or line.open_at_end or line.decided for line in found),
            chart=bars,
            chart_frame=chart_frame(bars),
            query=request.GET.urlencode() if asked else "",
        )
    return TemplateResponse(request, "admin/reports/case_flow.html", context)
