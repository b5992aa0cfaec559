"""The registry's messages as a file (Reg. (EU) 2018/574 Art. 15(3), 17(3), 19(3); Annex II,
Chapter II, Section 1): CSV with one column per registry field, escaped as every CSV export of
the project (``escaping.py``), or JSON, a list of the messages exactly as kept. Senior
officers and registrars (``export_registry_messages``); one ``exported`` audit event each."""

from __future__ import annotations

import json
from typing import Any

import tablib
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.utils import timezone

from licensing.exceptions import PermissionDenied
from licensing.exchange.escaping import escaped
from licensing.exchange.export import CONTENT_TYPES, ExportFile, ExportFormat
from licensing.models.audit import Verb
from licensing.models.identifiers import RegistryMessage
from licensing.registry_fields import EXPORT_FIELDS, export_row
from licensing.services.audit import record_event

EXPORT_PERMISSION = "licensing.export_registry_messages"


def may_export_messages(user: Any) -> bool:
    return bool(user is not None and user.is_active and user.has_perm(EXPORT_PERMISSION))


@transaction.atomic
def export_registry_messages(
    *, messages: models.QuerySet[RegistryMessage], fmt: ExportFormat | str, by: Any
) -> ExportFile:
    """The messages in the order they were written, as CSV or JSON (not XLSX: the registry
    takes data). Changes nothing but the audit trail."""
    if not may_export_messages(by):
        raise PermissionDenied()
    fmt = ExportFormat(fmt)
    if fmt not in (ExportFormat.CSV, ExportFormat.JSON):
        raise PermissionDenied()
    rows = list(messages.order_by("pk").values_list("pk", "payload"))
    if fmt == ExportFormat.JSON:
        content = json.dumps([payload for _pk, payload in rows], ensure_ascii=False).encode()
    else:
        dataset = tablib.Dataset(headers=list(EXPORT_FIELDS))
        for _pk, payload in rows:
            dataset.append(export_row(payload))
        content = str(escaped(dataset).export("csv")).encode("utf-8-sig")
    record_event(
        ContentType.objects.get_for_model(RegistryMessage),
        verb=Verb.EXPORTED,
        by=by,
        changes={"format": fmt.value, "records": len(rows), "ids": [pk for pk, _p in rows]},
    )
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    return ExportFile(
        content=content,
        content_type=CONTENT_TYPES[fmt],
        filename=f"registry-messages-{stamp}.{fmt.value}",
        count=len(rows),
    )
