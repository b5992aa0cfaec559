"""The officers' overdue-return tasks (Art. 9.1, 9.2): opened by the chaser job
(``returns.services.reminders``), closed by a filed return (``returns.services.filing``) or
here, by an officer with a note."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from licensing.exceptions import PermissionDenied, ReasonRequired, TransitionNotAllowed
from licensing.models import Verb
from licensing.services.audit import record_event
from returns.models import ReturnTask

CLOSE_PERMISSION = "returns.change_returntask"


class TaskClosedAlready(TransitionNotAllowed):
    default_message = _("This task is closed already.")


class NoteRequired(ReasonRequired):
    default_message = _("A note is required.")


@transaction.atomic
def close_task(*, task_id: int, by: Any, note: str) -> ReturnTask:
    """Returns officers (``returns.change_returntask``) close an open task without a return,
    saying why (the licence has ended, the period was waived). Records the audit event."""
    task = ReturnTask.objects.select_for_update().get(pk=task_id)
    if not by.has_perm(CLOSE_PERMISSION):
        raise PermissionDenied()
    if task.closed_at is not None:
        raise TaskClosedAlready()
    note = (note or "").strip()
    if not note:
        raise NoteRequired()
    task.closed_at = timezone.now()
    task.closed_by = by
    task.note = note
    task.save(update_fields=["closed_at", "closed_by", "note", "updated_at"])
    record_event(task, verb=Verb.RETURN_TASK_CLOSED, by=by, reason=note)
    return task
