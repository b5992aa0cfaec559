"""E-mail to applicants and licensees, in their language, exactly once per decision."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from licensing.authority import authority_name
from licensing.jobs import enqueue
from licensing.models.audit import AuditEvent
from licensing.models.notifications import SEND_ATTEMPTS, Notification, NotificationStatus
from licensing.models.parties import Party

logger = logging.getLogger(__name__)

# The context entry that lists the keys to blank once the mail is sent.
BLANK_AFTER_SENDING = "_blank_after_sending"


def queue_notification(
    *,
    key: str,
    template: str,
    party: Party | None = None,
    context: dict[str, Any],
    event: AuditEvent | None = None,
    recipient: str = "",
    language: str = "",
    secret: tuple[str, ...] = (),
) -> Notification:
    """Write the notification row in the caller's transaction; send it once that commits.

    The row, not the broker message, is the record of work to do: if the message is lost,
    ``sweep_notifications`` finds the row still queued and sends it.

    Mail about a party goes to the party's address in its language. Mail to a person (a portal
    account: its confirmation link, an invitation) names ``recipient`` and ``language``
    instead. The ``secret`` context keys (a link carrying a token) are blanked once the mail
    is sent, so the table does not keep working tokens."""
    if party is not None:
        recipient = recipient or party.email
        language = language or party.preferred_language
        context = {"party_name": str(party), **context}
    if not recipient or not language:
        raise ValueError("A notification needs a party, or a recipient and a language.")
    notification, created = Notification.objects.get_or_create(
        key=key,
        defaults={
            "template": template,
            "recipient": recipient,
            "language": language,
            "context": {
                "authority": settings.AUTHORITY_NAME,
                "portal_url": settings.PORTAL_BASE_URL,
                **context,
                **({BLANK_AFTER_SENDING: list(secret)} if secret else {}),
            },
            "event": event,
        },
    )
    if created:
        from licensing.tasks import send_notification_task

        transaction.on_commit(lambda: enqueue(send_notification_task, notification.pk))
    return notification


def queue_staff_alert(
    *,
    groups: tuple[str, ...],
    key: str,
    template: str,
    context: dict[str, Any],
    also: Any = None,
) -> None:
    """Mail to the active staff of ``groups`` (and ``also``, a user) who have an address, each
    in their language: an alert about the system itself (a broken audit chain, a document that
    could not be signed). One row per ``key`` and user, however often it is raised."""
    from django.contrib.auth import get_user_model
    from django.db.models import Q

    from licensing.services.accounts import language_of

    wanted = Q(groups__name__in=groups)
    if also is not None:
        wanted |= Q(pk=also.pk)
    users = (
        get_user_model()
        .objects.filter(wanted, is_active=True)
        .exclude(email="")
        .distinct()
        .order_by("pk")
    )
    for user in users:
        queue_notification(
            key=f"{key[:180]}:{user.pk}",
            template=template,
            recipient=user.email,
            language=language_of(user),
            context={"party_name": user.get_full_name() or user.get_username(), **context},
        )


def render_notification(notification: Notification) -> tuple[str, str]:
    """Subject and body in the recipient's language: the template's first line is the subject.
    The authority's name is put in at rendering, in that language (rows queued before keep
    the English default in their context)."""
    with translation.override(notification.language):
        context = {
            **notification.context,
            "authority": authority_name(
                str(notification.context.get("authority") or settings.AUTHORITY_NAME)
            ),
        }
        text = render_to_string(f"licensing/email/{notification.template}.txt", context)
    subject, _, body = text.strip().partition("\n")
    return subject.strip(), body.strip() + "\n"


def send_notification(*, notification_id: int) -> bool:
    """Send one queued notification. Returns False when it was already sent (a retry or a
    second delivery of the same task). Called by the task, which retries on failure."""
    error: Exception | None = None
    # The row lock is held while sending, so two deliveries of the task cannot both send.
    # E-mail is not transactional: if the row cannot be saved after the mail left, the retry
    # sends it again. At least once, never silently lost.
    with transaction.atomic():
        notification = Notification.objects.select_for_update().get(pk=notification_id)
        if notification.status == NotificationStatus.SENT:
            return False
        notification.attempts += 1
        try:
            subject, body = render_notification(notification)
            EmailMessage(
                subject=subject,
                body=body,
                from_email=settings.DEFAULT_FROM_EMAIL,
                to=[notification.recipient],
            ).send()
        except Exception as exc:
            error = exc
            notification.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            notification.status = NotificationStatus.FAILED
        else:
            notification.status = NotificationStatus.SENT
            notification.sent_at = timezone.now()
            notification.last_error = ""
            # A token that reached its recipient is not kept in the table as well.
            for name in notification.context.pop(BLANK_AFTER_SENDING, []):
                notification.context[name] = ""
        notification.save(
            update_fields=["attempts", "status", "sent_at", "last_error", "context", "updated_at"]
        )
    if error is not None:
        raise error  # after the commit, so the failure stays recorded; the task retries
    return True


def unsent_notification_ids(
    *, older_than_seconds: int | None = None, limit: int = 500
) -> list[int]:
    """Rows still queued or failed after ``NOTIFICATION_SWEEP_AFTER_SECONDS``: their message
    was lost (a crash between commit and send, a broker restarted without its queue). The
    longest waiting first, read as a range of the partial index ``notification_unsent``
    (only the rows still to send are in it), so a sweep costs what is left to send."""
    if older_than_seconds is None:
        older_than_seconds = settings.NOTIFICATION_SWEEP_AFTER_SECONDS
    cutoff = timezone.now() - dt.timedelta(seconds=older_than_seconds)
    return list(
        Notification.objects.filter(
            status__in=[NotificationStatus.QUEUED, NotificationStatus.FAILED],
            updated_at__lt=cutoff,
            attempts__lt=SEND_ATTEMPTS,
        )
        .order_by("updated_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
