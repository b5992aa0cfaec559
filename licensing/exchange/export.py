"""The export service: one door for every export, which checks the permission, renders the file
and writes one audit event in the same transaction. Exports go to another Party's authority
(Art. 21.1(a)) and are opened in spreadsheets, so no cell may run as a formula (a security
measure against CSV / formula injection): CSV cells that a spreadsheet would read as one get a
leading quote (escaping.py); XLSX cells are written as text cells, with no quote (workbook.py)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from licensing.exceptions import PermissionDenied
from licensing.exchange.escaping import escaped
from licensing.exchange.resources import RESOURCES
from licensing.exchange.workbook import workbook_bytes
from licensing.models.audit import Verb
from licensing.services.audit import record_event

EXPORT_PERMISSION = "licensing.export_records"


class ExportFormat(models.TextChoices):
    CSV = "csv", _("CSV (spreadsheet, text)")
    XLSX = "xlsx", _("XLSX (Excel workbook)")
    JSON = "json", _("JSON (data exchange, not for spreadsheets)")


CONTENT_TYPES = {
    ExportFormat.CSV: "text/csv; charset=utf-8",
    ExportFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ExportFormat.JSON: "application/json",
}


@dataclass(frozen=True)
class ExportFile:
    content: bytes
    content_type: str
    filename: str
    count: int


def may_export(user: Any) -> bool:
    return bool(user.is_active and user.has_perm(EXPORT_PERMISSION))


def _render(dataset: Any, fmt: ExportFormat, *, title: str) -> bytes:
    if fmt == ExportFormat.JSON:
        return str(dataset.export("json")).encode()  # data, not a spreadsheet: not escaped
    if fmt == ExportFormat.CSV:
        # CSV has only text: the quote is the one way to keep a spreadsheet from evaluating.
        # With a byte-order mark, spreadsheets read the names' accents as UTF-8.
        return str(escaped(dataset).export("csv")).encode("utf-8-sig")
    # XLSX has typed cells: text is written as text, exactly as held, never as a formula.
    return workbook_bytes(dataset, title=title)


@transaction.atomic
def export_records(
    *, records: models.QuerySet[Any], fmt: ExportFormat | str, by: Any, purpose: str = ""
) -> ExportFile:
    """Art. 21.1(a). Users holding ``export_records`` (senior officers, registrars). Changes
    nothing but the audit trail: one ``exported`` event naming the format, the number of records
    and their ids, recorded against the kind of record exported."""
    if not may_export(by):
        raise PermissionDenied()
    fmt = ExportFormat(fmt)
    model = records.model
    resource = RESOURCES[model]()
    dataset = resource.export(records.order_by("pk"))
    ids = [row[0] for row in dataset]  # the first column of every resource is the id
    content = _render(dataset, fmt, title=str(model._meta.model_name))
    record_event(
        ContentType.objects.get_for_model(model),
        verb=Verb.EXPORTED,
        by=by,
        reason=purpose.strip(),
        changes={"format": fmt.value, "records": len(ids), "ids": ids},
    )
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    filename = f"{model._meta.model_name}-records-{stamp}.{fmt.value}"
    return ExportFile(
        content=content, content_type=CONTENT_TYPES[fmt], filename=filename, count=len(ids)
    )
