"""Returns for the exchange of information with another Party's authority (Art. 21.1(a), (b):
the licensee's trade, its suppliers and customers, its payments): a CSV of the chosen returns,
one row per product line, supplier or customer, and payment, each with its period, licence
number, licensee and version. Opened in spreadsheets, so every cell goes through the core's
formula escaping; one ``exported`` audit event names what left the authority."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import tablib
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import timezone

from licensing.exceptions import PermissionDenied
from licensing.exchange.escaping import escaped
from licensing.exchange.export import CONTENT_TYPES, EXPORT_PERMISSION, ExportFile, ExportFormat
from licensing.models.audit import Verb
from licensing.services.audit import record_event
from returns.models import QUANTITIES, Return, ReturnPeriod

VIEW_PERMISSION = "returns.view_return"

COMMON = (
    "return_id",
    "period_starts_on",
    "period_ends_on",
    "licence_number",
    "licensee",
    "licensee_registration_number",
    "version",
    "filed_at",
    "row_kind",
)
LINE = ("product_type", "measure", *QUANTITIES)
COUNTERPART = (
    "role",
    "name",
    "country",
    "registration_number",
    "tax_number",
    "counterpart_licence_number",
    "quantity",
    "traded_on",
)
PAYMENT = ("method", "bank_name", "bank_country", "amount", "currency")
# product_type and measure are shared by lines and counterparts: one column each.
HEADERS = tuple(dict.fromkeys((*COMMON, *LINE, *COUNTERPART, *PAYMENT)))


def may_export_returns(user: Any) -> bool:
    """Holders of ``export_records`` (Art. 21.1(a)) who may also read returns."""
    return bool(
        user.is_active and user.has_perm(EXPORT_PERMISSION) and user.has_perm(VIEW_PERMISSION)
    )


def current_returns(periods: QuerySet[ReturnPeriod]) -> QuerySet[Return]:
    """The current (latest) version of each of ``periods`` that has one."""
    latest = (
        Return.objects.filter(period_id=OuterRef("period_id"))
        .order_by("-version")
        .values("version")[:1]
    )
    return Return.objects.filter(period__in=periods.values("pk"), version=Subquery(latest))


def _text(value: Any) -> Any:
    """Codes as text (a country is its ISO code), dates as ISO, numbers kept as numbers."""
    if value is None:
        return ""
    code = getattr(value, "code", None)  # django-countries' Country
    if code is not None:
        return code or ""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def _rows(filed: Return) -> Iterator[list[Any]]:
    period = filed.period
    common = {
        "return_id": str(filed.public_id),
        "period_starts_on": period.starts_on,
        "period_ends_on": period.ends_on,
        "licence_number": period.licence.number,
        "licensee": period.party.legal_name,
        "licensee_registration_number": period.party.registration_number,
        "version": filed.version,
        "filed_at": timezone.localtime(filed.filed_at),
    }
    for kind, items, fields in (
        ("line", filed.lines.all(), LINE),
        ("counterpart", filed.counterparts.all(), COUNTERPART),
        ("payment", filed.payments.all(), PAYMENT),
    ):
        for item in items:
            row = {**common, "row_kind": kind}
            for name in fields:
                source = "licence_number" if name == "counterpart_licence_number" else name
                row[name] = getattr(item, source)
            yield [_text(row.get(header)) for header in HEADERS]


@transaction.atomic
def export_returns(*, returns: QuerySet[Return], by: Any, purpose: str = "") -> ExportFile:
    """Art. 21.1(a). Users who may export records and read returns. Changes nothing but the
    audit trail: one ``exported`` event on the kind "return", naming the returns' ids."""
    if not may_export_returns(by):
        raise PermissionDenied()
    chosen = list(
        returns.select_related("period__licence", "period__party")
        .prefetch_related("lines", "counterparts", "payments")
        .order_by("period__party_id", "period__starts_on", "version", "pk")
    )
    dataset = tablib.Dataset(headers=list(HEADERS), title="returns")
    for filed in chosen:
        for row in _rows(filed):
            dataset.append(row)
    # CSV has only text: the leading quote keeps a spreadsheet from running a cell.
    content = str(escaped(dataset).export("csv")).encode("utf-8-sig")
    ids = [filed.pk for filed in chosen]
    record_event(
        ContentType.objects.get_for_model(Return),
        verb=Verb.EXPORTED,
        by=by,
        reason=purpose.strip(),
        changes={"format": "csv", "records": len(ids), "rows": len(dataset), "ids": ids},
    )
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    return ExportFile(
        content=content,
        content_type=CONTENT_TYPES[ExportFormat.CSV],
        filename=f"returns-{stamp}.csv",
        count=len(ids),
    )
