"""Filing a return, and correcting one by a new version (Art. 9.1, 9.2). The one door for
both: the portal's form and its upload call ``file_return`` with the same ``ReturnData``."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from licensing.models import Verb
from licensing.selectors import acting_parties
from licensing.services.audit import record_event
from returns.errors import CorrectionNeedsReason, EmptyReturn, NotYourReturn, PeriodNotOpen
from returns.models import (
    Return,
    ReturnCounterpart,
    ReturnLine,
    ReturnPayment,
    ReturnPeriod,
    ReturnTask,
)
from returns.signals import return_filed


@dataclass
class ReturnData:
    """A return's rows, cleaned: each a dict of the model's field names
    (``returns.forms``: the same fields for the form and for an uploaded file's columns)."""

    lines: list[dict[str, Any]] = field(default_factory=list)
    counterparts: list[dict[str, Any]] = field(default_factory=list)
    payments: list[dict[str, Any]] = field(default_factory=list)


def may_file(user: Any, period: ReturnPeriod) -> bool:
    """Portal users acting for the period's licensee (the holder when it was opened)."""
    return bool(user.is_authenticated and acting_parties(user).filter(pk=period.party_id).exists())


@transaction.atomic
def file_return(
    *, period_id: int, by: Any, data: ReturnData, through: str, reason: str = ""
) -> Return:
    """A portal user acting for the licensee files the period's return: the first version,
    or a correction (the next version, with ``reason``). Nothing of an earlier version is
    changed. Closes the period's overdue task; the checks run once it commits."""
    period = ReturnPeriod.objects.select_for_update().get(pk=period_id)
    if not may_file(by, period):
        raise NotYourReturn()
    now = timezone.now()
    if period.starts_on > timezone.localdate(now):
        raise PeriodNotOpen()
    if not data.lines:
        raise EmptyReturn()
    last = period.returns.order_by("-version").values_list("version", flat=True).first()
    reason = reason.strip()
    if last and not reason:
        raise CorrectionNeedsReason()
    filed = Return(
        period=period,
        version=(last or 0) + 1,
        filed_by=by,
        filed_at=now,
        filed_through=through,
        reason=reason if last else "",
    )
    filed.full_clean()
    filed.save()
    ReturnLine.objects.bulk_create(ReturnLine(filed_return=filed, **row) for row in data.lines)
    ReturnCounterpart.objects.bulk_create(
        ReturnCounterpart(filed_return=filed, **row) for row in data.counterparts
    )
    ReturnPayment.objects.bulk_create(
        ReturnPayment(filed_return=filed, **row) for row in data.payments
    )
    if period.filed_at is None:
        period.filed_at = now
        period.save(update_fields=["filed_at", "updated_at"])
    ReturnTask.objects.filter(period=period, closed_at__isnull=True).update(
        closed_at=now, note="filed", updated_at=now
    )
    record_event(
        filed,
        verb=Verb.RETURN_CORRECTED if last else Verb.RETURN_FILED,
        by=by,
        reason=filed.reason,
        changes={
            "version": filed.version,
            "lines": len(data.lines),
            "counterparts": len(data.counterparts),
            "payments": len(data.payments),
        },
    )
    transaction.on_commit(lambda: return_filed.send(sender=Return, filed_return=filed))
    return filed
