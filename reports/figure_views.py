"""The management pages read from monthly figures (``reports.figure_sources``), and the open
cases per officer (issue 22): senior officers and auditors. Each chart's data is the table
beside it, and its CSV; a count that a list can filter as the page does links to that list."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Min, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _

from licensing.dashboard import chart_frame, month_bars
from licensing.models import Application
from licensing.models.applications import OPEN_STATES
from reports import figures
from reports.case_flow import next_month
from reports.export import may_read_management
from reports.forms import FigureForm, this_year_by_month
from reports.models import MonthlyFigure
from reports.views import csv_response

AGE_BANDS = (30, 60, 90)


def _cell(value: Decimal, money: bool) -> str:
    return number_format(value, 2 if money else 0, force_grouping=False)


def figure_view(request: HttpRequest, slug: str) -> HttpResponse:
    figure = figures.get(slug)
    if figure is None:
        raise Http404
    if not may_read_management(request.user):
        raise PermissionDenied()
    asked = "first" in request.GET or "last" in request.GET
    form = FigureForm(
        request.GET if asked else this_year_by_month(),
        regions=figures.regions(figure),
        officers=figures.officers(figure) if figure.by_officer else None,
    )
    context: dict[str, Any] = {
        **admin.site.each_context(request),
        "title": figure.title,
        "figure": figure,
        "form": form,
        "pages": figures.all_figures(),
    }
    if form.is_valid():
        first, last, activity, region = (
            form.cleaned_data[k] for k in ("first", "last", "activity", "region")
        )
        officer = form.cleaned_data.get("officer", 0)
        found = figures.table(figure, first, last, activity, region, officer)
        headings = [_("Month"), *(str(s.label) for s in found.series)]
        parts = _breakdown(figure, found)
        if request.GET.get("download") == "csv":
            changes = {
                "first": f"{first:%Y-%m}",
                "last": f"{last:%Y-%m}",
                "activity": activity or "all",
                "region": region or "all",
                "officer": officer or "all",
            }
            name = figure.slug
            lines = [
                [f"{month:%Y-%m}", *(_cell(v, figure.money) for v in values)]
                for month, values in found.rows
            ]
            if request.GET.get("table") == "breakdown" and parts:
                name, headings = f"{figure.slug}-breakdown", parts["headings"]
                lines = [[row["label"], *row["cells"], row["total"]] for row in parts["rows"]]
            return csv_response(
                request,
                name=name,
                model=MonthlyFigure,
                lines=lines,
                headings=headings,
                changes=changes,
            )
        linkable = figure.link is not None and not (activity or region or officer)
        rows = []
        for month, values in found.rows:
            cells = []
            for series, value in zip(found.series, values, strict=True):
                url = ""
                if linkable and series.linked and figure.link is not None:
                    url = figure.link(month, next_month(month), series.key)
                cells.append({"text": _cell(value, figure.money), "url": url})
            rows.append({"month": date_format(month, "YEAR_MONTH_FORMAT"), "cells": cells})
        keys = [s.key for s in found.series]
        charted = figure.charted if figure.charted in keys else keys[0]
        column = found.column(charted)
        bars = month_bars({m: int(v.to_integral_value()) for m, v in column.items()}, list(column))
        context.update(
            headings=headings,
            rows=rows,
            totals=[
                "" if s.stock else _cell(v, figure.money)
                for s, v in zip(found.series, found.totals, strict=True)
            ],
            empty=found.empty,
            charted=found.series[keys.index(charted)].label,
            chart=bars,
            chart_frame=chart_frame(bars),
            query=_without_download(request) if asked else "",
            breakdown=parts,
            distribution=_distribution(figure, found),
        )
    return TemplateResponse(request, "admin/reports/figure.html", context)


def _without_download(request: HttpRequest) -> str:
    """The page's filters as a query, to which a download link adds what it downloads."""
    query = request.GET.copy()
    for key in ("download", "table"):
        query.pop(key, None)
    return query.urlencode()


def _breakdown(figure: figures.Figure, found: figures.Table) -> dict[str, Any] | None:
    """The breakdown's table over the period (decisions by ground), each row with its total
    and its share of the largest row, drawn as a bar."""
    if figure.breakdown is None:
        return None
    labels = {s.key: str(s.label) for s in figure.series}
    found_rows = [
        (str(label), values, sum(values, Decimal(0)))
        for label, values in figures.broken_down(figure, found)
    ]
    peak = max((total for _l, _v, total in found_rows), default=Decimal(0)) or Decimal(1)
    rows = [
        {
            "label": label,
            "cells": [_cell(v, figure.money) for v in values],
            "total": _cell(total, figure.money),
            "share": round(100 * total / peak),
        }
        for label, values, total in found_rows
    ]
    return {
        "title": figure.breakdown.title,
        "headings": [
            str(figure.breakdown.heading),
            *(labels[key] for key in figure.breakdown.columns),
            _("Total"),
        ],
        "rows": rows,
    }


def _distribution(figure: figures.Figure, found: figures.Table) -> dict[str, Any] | None:
    """A snapshot page's last month of the range, series by series (licensees by risk
    score): its distribution, each count drawn as a bar beside it."""
    if not figure.snapshot or not found.rows:
        return None
    month, values = found.rows[-1]
    peak = max(values, default=Decimal(0)) or Decimal(1)
    return {
        "month": date_format(month, "YEAR_MONTH_FORMAT"),
        "rows": [
            {
                "label": str(series.label),
                "value": _cell(value, figure.money),
                "share": round(100 * value / peak),
            }
            for series, value in zip(found.series, values, strict=True)
        ],
        "empty": not any(values),
    }


def workload(today: dt.date) -> list[dict[str, Any]]:
    """The open cases of each officer (and the unassigned), by age since submission: one
    aggregate query over the open states."""
    now = timezone.now()
    bands = {
        f"over_{days}": Count("pk", filter=Q(submitted_at__lt=now - dt.timedelta(days=days)))
        for days in AGE_BANDS
    }
    rows = (
        Application.objects.filter(state__in=OPEN_STATES)
        .values("assigned_officer")
        .annotate(open=Count("pk"), oldest=Min("submitted_at"), **bands)
        .order_by("-open")
    )
    names = {
        user.pk: user.get_full_name() or user.get_username()
        for user in get_user_model().objects.filter(
            pk__in=[r["assigned_officer"] for r in rows if r["assigned_officer"]]
        )
    }
    base = reverse("admin:licensing_application_changelist") + "?queue=open"
    found = []
    for row in rows:
        officer = row["assigned_officer"]
        oldest = row["oldest"]
        found.append(
            {
                "officer": names.get(officer, "") if officer else _("Not assigned"),
                "open": row["open"],
                "bands": [row[f"over_{days}"] for days in AGE_BANDS],
                "oldest_days": (today - timezone.localtime(oldest).date()).days if oldest else "",
                "url": f"{base}&assigned_officer__exact={officer}"
                if officer
                else f"{base}&officer=none",
            }
        )
    return found


def workload_view(request: HttpRequest) -> HttpResponse:
    if not may_read_management(request.user):
        raise PermissionDenied()
    today = timezone.localdate()
    rows = workload(today)
    headings = [
        _("Officer"),
        _("Open cases"),
        *(_("Open over %(days)s days") % {"days": days} for days in AGE_BANDS),
        _("Oldest, days"),
    ]
    if request.GET.get("download") == "csv":
        lines = [[r["officer"], r["open"], *r["bands"], r["oldest_days"]] for r in rows]
        return csv_response(
            request,
            name="workload",
            model=MonthlyFigure,
            lines=lines,
            headings=headings,
            changes={"first": f"{today:%Y-%m-%d}", "last": f"{today:%Y-%m-%d}"},
        )
    peak = max((r["open"] for r in rows), default=0) or 1
    for row in rows:
        row["share"] = round(100 * row["open"] / peak)
    context = {
        **admin.site.each_context(request),
        "title": _("Open cases per officer"),
        "headings": headings,
        "rows": rows,
        "pages": figures.all_figures(),
    }
    return TemplateResponse(request, "admin/reports/workload.html", context)
