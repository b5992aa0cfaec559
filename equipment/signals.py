"""What the equipment register does when the core tells it something changed."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from licensing.jobs import enqueue
from licensing.models.applications import Application, ApplicationState
from licensing.models.licences import Licence, LicenceState
from licensing.signals import state_changed

# An expiry is not listened to: the licence may be renewed in its grace period, and the
# nightly job (``require_disposal_for_ended_licences``) takes its machines when that has passed.
ENDING = {LicenceState.REVOKED, LicenceState.SURRENDERED}


@receiver(state_changed, sender=Licence, dispatch_uid="equipment-licence-ended")
def licence_ended(sender: Any, pk: int, transition: str, to_state: str, **kwargs: Any) -> None:
    """Sent after the commit: the machines are moved by a task, so that a failure here never
    reaches the officer who revoked the licence (and the nightly sweep catches a lost one)."""
    from equipment import tasks

    if to_state in ENDING:
        enqueue(tasks.require_disposal_for_licence, pk)


@receiver(state_changed, sender=Application, dispatch_uid="equipment-application-approved")
def application_approved(sender: Any, pk: int, to_state: str, **kwargs: Any) -> None:
    from equipment import tasks

    if to_state == ApplicationState.APPROVED:
        enqueue(tasks.declare_machines_of_application, pk)
