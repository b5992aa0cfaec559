"""Deadlines of requests received (Art. 28): the officer handling an open request is reminded
``ASSISTANCE_REMIND_DAYS`` before its answer is due (the licence officers, while nobody is
assigned); a request still open after its due date is escalated to the senior officers. Each
once: the day is written on the case with its mail and audit event, in one transaction, so a
second run, at once or after a crash, sends nothing twice."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from cooperation.models import AssistanceCase, Direction
from cooperation.models.cases import OPEN_STATES
from licensing.models.audit import Verb
from licensing.services.audit import record_event
from licensing.services.notifications import queue_staff_alert

HANDLERS = ("licence officer",)
SENIORS = ("senior officer",)


def _context(case: AssistanceCase, today: dt.date) -> dict[str, Any]:
    due_on = case.due_on or today  # a request received always has one
    return {
        "case": case.reference,
        "authority_name": str(case.authority),
        "their_reference": case.their_reference,
        "due_on": due_on.isoformat(),
        "days_left": (due_on - today).days,
        "days_late": (today - due_on).days,
        "admin_url": settings.PORTAL_BASE_URL.rstrip("/")
        + reverse("admin:cooperation_assistancecase_change", args=[case.pk]),
    }


def _open_requests() -> Any:
    return AssistanceCase.objects.filter(
        direction=Direction.INBOUND, state__in=OPEN_STATES, due_on__isnull=False
    )


def chase(today: dt.date | None = None) -> dict[str, int]:
    today = today or timezone.localdate()
    remind_from = today + dt.timedelta(days=settings.ASSISTANCE_REMIND_DAYS)
    reminded = escalated = 0
    due = _open_requests().filter(
        reminded_on__isnull=True, due_on__lte=remind_from, due_on__gte=today
    )
    for pk in due.values_list("pk", flat=True).order_by("due_on", "pk"):
        reminded += _remind(pk, today)
    late = _open_requests().filter(escalated_on__isnull=True, due_on__lt=today)
    for pk in late.values_list("pk", flat=True).order_by("due_on", "pk"):
        escalated += _escalate(pk, today)
    return {"reminded": reminded, "escalated": escalated}


@transaction.atomic
def _remind(pk: int, today: dt.date) -> int:
    case = AssistanceCase.objects.select_for_update().select_related("authority").get(pk=pk)
    if case.reminded_on is not None or case.state not in OPEN_STATES:
        return 0
    case.reminded_on = today
    case.save(update_fields=["reminded_on", "updated_at"])
    queue_staff_alert(
        groups=() if case.assigned_to_id else HANDLERS,
        also=case.assigned_to,
        key=f"assistance_due:{case.pk}",
        template="assistance_due",
        context=_context(case, today),
    )
    record_event(case, verb=Verb.REMINDED, by=None, changes={"due_on": str(case.due_on)})
    return 1


@transaction.atomic
def _escalate(pk: int, today: dt.date) -> int:
    case = AssistanceCase.objects.select_for_update().select_related("authority").get(pk=pk)
    if case.escalated_on is not None or case.state not in OPEN_STATES:
        return 0
    case.escalated_on = today
    case.save(update_fields=["escalated_on", "updated_at"])
    queue_staff_alert(
        groups=SENIORS,
        also=case.assigned_to,
        key=f"assistance_overdue:{case.pk}",
        template="assistance_overdue",
        context=_context(case, today),
    )
    record_event(case, verb=Verb.ESCALATED, by=None, changes={"due_on": str(case.due_on)})
    return 1
