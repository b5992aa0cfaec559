"""What the API does when the core tells it a licence changed (``licensing.signals``, sent
after the commit): the fan-out is a task, so a slow or failing partner endpoint, or a broker
that is down, never reaches the officer who made the change (the sweep catches up)."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from licensing.jobs import enqueue
from licensing.models import Application, ApplicationState, Licence
from licensing.signals import state_changed


@receiver(state_changed, sender=Licence, dispatch_uid="api-licence-changed")
def licence_changed(sender: Any, *, event_id: int | None = None, **kwargs: Any) -> None:
    from api.tasks import fan_out_task

    if event_id is not None:
        enqueue(fan_out_task, event_id)


@receiver(state_changed, sender=Application, dispatch_uid="api-licence-issued")
def application_approved(sender: Any, *, pk: int, to_state: str, **kwargs: Any) -> None:
    """Issuing a licence sends no ``state_changed`` of its own: its application's approval
    does (a renewal's licence sends its own, listened to above)."""
    from api.tasks import fan_out_issued

    if to_state == ApplicationState.APPROVED:
        enqueue(fan_out_issued, pk)
