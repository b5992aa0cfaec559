"""The Party's aggregate report as a file (CSV, XLSX or PDF): every table one after the other, each
under its title and column headings, after the report's own heading (what, which period,
when made, confidential). Text cells go through the core's formula escaping (CSV) or are
written as text (XLSX). Each download is one ``exported`` audit event (Art. 20.3)."""

from __future__ import annotations

from typing import Any

import tablib
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Model
from django.utils import formats, translation
from django.utils.translation import gettext as _

from licensing.exceptions import PermissionDenied
from licensing.exchange.escaping import escaped
from licensing.exchange.export import CONTENT_TYPES, ExportFile, ExportFormat
from licensing.exchange.workbook import workbook_bytes
from licensing.models.audit import Verb
from licensing.services.audit import record_event
from licensing.services.printing import render_pdf
from reports.models import PartyReport
from reports.party_report import Report, may_read

FORMATS = (ExportFormat.CSV, ExportFormat.XLSX)
PDF = "pdf"
MANAGEMENT_PERMISSION = "reports.view_management_information"


def may_read_management(user: Any) -> bool:
    """Senior officers and auditors (reports 0004): the management pages and their CSVs."""
    return bool(user.is_active and user.has_perm(MANAGEMENT_PERMISSION))


def _lines(report: Report) -> list[list[Any]]:
    period = _("%(start)s to %(end)s") % {
        "start": formats.date_format(report.starts_on, "SHORT_DATE_FORMAT"),
        "end": formats.date_format(report.ends_on, "SHORT_DATE_FORMAT"),
    }
    lines: list[list[Any]] = [
        [_("The Party's aggregate report (Art. 20.1, 32)")],
        [_("Period"), period],
        [_("Made at"), formats.date_format(report.made_at, "SHORT_DATETIME_FORMAT")],
        [_("Confidential (Art. 20.3)")],
    ]
    for table in report.tables:
        lines += [[], [f"{table.title} ({table.article})"], list(table.headings)]
        lines += [list(row) for row in table.rows] or [[_("Nothing in this period.")]]
        if table.note:
            lines.append([table.note])
    return lines


def _record(report: Report, fmt: str, by: Any) -> None:
    record_event(
        ContentType.objects.get_for_model(PartyReport),
        verb=Verb.EXPORTED,
        by=by,
        changes={
            "format": fmt,
            "starts_on": report.starts_on.isoformat(),
            "ends_on": report.ends_on.isoformat(),
        },
    )


def _filename(report: Report, extension: str) -> str:
    return f"party-report-{report.starts_on:%Y%m%d}-{report.ends_on:%Y%m%d}.{extension}"


@transaction.atomic
def report_pdf(*, report: Report, by: Any) -> ExportFile:
    """The report as a PDF in the reader's language, through the project's one document path
    (licensing/services/printing.py). Not an issued document: not signed, not stored."""
    if not may_read(by):
        raise PermissionDenied()
    content = render_pdf(
        template="documents/party_report.html",
        context={"authority": settings.AUTHORITY_NAME, "report": report},
        language=translation.get_language() or settings.LANGUAGE_CODE,
    )
    _record(report, PDF, by)
    return ExportFile(
        content=content,
        content_type="application/pdf",
        filename=_filename(report, PDF),
        count=len(report.tables),
    )


@transaction.atomic
def export_report(*, report: Report, fmt: ExportFormat | str, by: Any) -> ExportFile:
    """Senior officers and auditors (``may_read``). Changes nothing but the audit trail."""
    if not may_read(by):
        raise PermissionDenied()
    fmt = ExportFormat(fmt)
    if fmt not in FORMATS:
        raise PermissionDenied()
    lines = _lines(report)
    width = max(len(line) for line in lines)
    dataset = tablib.Dataset(title="report")
    for line in lines:
        dataset.append(line + [""] * (width - len(line)))
    if fmt == ExportFormat.CSV:
        content = str(escaped(dataset).export("csv")).encode("utf-8-sig")
    else:
        content = workbook_bytes(dataset, title="report")
    _record(report, fmt.value, by)
    return ExportFile(
        content=content,
        content_type=CONTENT_TYPES[fmt],
        filename=_filename(report, fmt.value),
        count=len(report.tables),
    )


def management_csv(
    *,
    name: str,
    model: type[Model],
    lines: list[Any],
    headings: list[str],
    changes: dict[str, Any],
    by: Any,
) -> ExportFile:
    """A management page's table as CSV (the chart's data, checkable in a spreadsheet). Staff
    who read the management pages; one ``exported`` event on ``model`` naming the page, the
    months and the filters."""
    if not may_read_management(by):
        raise PermissionDenied()
    dataset = tablib.Dataset(headers=headings, title=name)
    for line in lines:
        dataset.append(line)
    content = str(escaped(dataset).export("csv")).encode("utf-8-sig")
    record_event(
        ContentType.objects.get_for_model(model),
        verb=Verb.EXPORTED,
        by=by,
        changes={"format": "csv", "page": name, **changes},
    )
    return ExportFile(
        content=content,
        content_type=CONTENT_TYPES[ExportFormat.CSV],
        filename=f"{name}-{changes['first']}-{changes['last']}.csv",
        count=len(lines),
    )
