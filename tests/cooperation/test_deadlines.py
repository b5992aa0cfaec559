"""Deadlines of requests received (Art. 28): the handling officer is reminded before the answer
is due, the senior officers are told once it is late; each once however often the job runs,
never for a case answered or declined, never for a request this authority sent."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone

from cooperation.models import AssistanceCase, Direction, SubjectKind
from cooperation.services import cases
from cooperation.tasks import chase_assistance_deadlines
from licensing.models import AuditEvent, Notification, Verb
from tests.cooperation.helpers import inbound, versioned_licence
from tests.factories.cooperation import CompetentAuthorityFactory


def requests(officer: Any, senior: Any, officer2: Any) -> dict[str, AssistanceCase]:
    licence, _ = versioned_licence()
    today = timezone.localdate()
    soon = inbound(officer, licence, due_on=today + dt.timedelta(days=3))
    cases.assign_case(case_id=soon.pk, to=officer2, by=senior)
    late = inbound(
        officer,
        licence,
        received_on=today - dt.timedelta(days=30),
        due_on=today - dt.timedelta(days=2),
    )
    far = inbound(officer, licence, due_on=today + dt.timedelta(days=40))
    declined = inbound(
        officer,
        licence,
        received_on=today - dt.timedelta(days=30),
        due_on=today - dt.timedelta(days=1),
    )
    cases.decline_case(case_id=declined.pk, by=officer, ground="no_records", reason="None held.")
    cases.record_case(
        case=AssistanceCase(
            direction=Direction.OUTBOUND,
            authority=CompetentAuthorityFactory(),
            received_on=today - dt.timedelta(days=30),
            due_on=today - dt.timedelta(days=1),
            subject_kind=SubjectKind.CONSIGNMENT,
            consignment="MSKU 1234567",
            question="?",
        ),
        by=officer,
    )
    return {"soon": soon, "late": late, "far": far}


@pytest.mark.django_db
def test_reminded_before_escalated_after_each_once(
    officer: Any, officer2: Any, senior: Any, django_capture_on_commit_callbacks: Any
) -> None:
    found = requests(officer, senior, officer2)
    with django_capture_on_commit_callbacks(execute=True):
        assert chase_assistance_deadlines.delay().get() == {"reminded": 1, "escalated": 1}
    with django_capture_on_commit_callbacks(execute=True):
        assert chase_assistance_deadlines.delay().get() == {"reminded": 0, "escalated": 0}
    soon, late = (AssistanceCase.objects.get(pk=found[k].pk) for k in ("soon", "late"))
    assert soon.reminded_on == timezone.localdate() and soon.escalated_on is None
    assert late.escalated_on == timezone.localdate()
    # The reminder to the assigned officer; the escalation to the senior officers.
    reminder = Notification.objects.get(key=f"assistance_due:{soon.pk}:{officer2.pk}")
    assert reminder.recipient == officer2.email
    assert (
        Notification.objects.filter(key__startswith=f"assistance_overdue:{late.pk}:").count() == 1
    )
    subjects = sorted(m.subject for m in mail.outbox)
    assert f"Assistance request {late.reference} is overdue" in subjects
    assert f"Assistance request {soon.reference} is due on {soon.due_on.isoformat()}" in subjects
    assert AuditEvent.objects.filter(verb=Verb.REMINDED).count() == 1
    assert AuditEvent.objects.filter(verb=Verb.ESCALATED).count() == 1


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_chases_each_request_once(
    celery_worker: Any, officer: Any, officer2: Any, senior: Any
) -> None:
    requests(officer, senior, officer2)
    assert chase_assistance_deadlines.delay().get(timeout=30) == {"reminded": 1, "escalated": 1}
    assert chase_assistance_deadlines.delay().get(timeout=30) == {"reminded": 0, "escalated": 0}
