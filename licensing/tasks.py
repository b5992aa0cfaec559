"""Celery tasks: thin and idempotent. They take ids, and call services."""

from __future__ import annotations

import logging
from smtplib import SMTPException

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.contrib.auth import get_user_model

from licensing.exceptions import DomainError
from licensing.services import batches, issuing, letters, notifications, reminders, retention
from licensing.services import licences as licence_services

logger = logging.getLogger(__name__)


@shared_task(
    bind=True,
    acks_late=True,
    autoretry_for=(SMTPException, OSError),
    retry_backoff=30,
    retry_backoff_max=3600,
    max_retries=8,
)
def send_notification_task(self, notification_id: int) -> bool:
    return notifications.send_notification(notification_id=notification_id)


@shared_task(acks_late=True)
def sweep_notifications() -> int:
    """Re-enqueue notifications left queued (a lost broker message) or failed (a mail outage)."""
    ids = notifications.unsent_notification_ids()
    for pk in ids:
        send_notification_task.delay(pk)
    if ids:
        logger.info("re-enqueued %d unsent notifications", len(ids))
    return len(ids)


@shared_task(acks_late=True)
def expire_due_licences() -> int:
    """Art. 6.3(f): expire every active licence whose term has ended. Safe to run twice."""
    return licence_services.expire_due_licences()


@shared_task(acks_late=True)
def apply_due_changes() -> int:
    """Art. 6.3(g): approved changes notified in advance take effect on their date, each
    exactly once. Safe to run twice or to be killed half way (one transaction per change)."""
    from licensing.services.approve_proposals import apply_due_changes as apply_changes

    return apply_changes()


@shared_task(acks_late=True)
def purge_unreferenced_uploads() -> int:
    """Remove uploaded files that no Document names (their transaction rolled back) once they
    are ``UPLOAD_ORPHAN_HOURS`` old. Safe to run twice: a second run finds nothing to remove."""
    removed = retention.purge_unreferenced_uploads(older_than=retention.default_orphan_age())
    return len(removed)


@shared_task(bind=True, acks_late=True, time_limit=180, soft_time_limit=150)
def print_licence(
    self, licence_id: int, user_id: int, reason: str = "", idempotency_key: str = ""
) -> int | None:
    """Print and store the licence for the registrar who asked. A second delivery of the same
    message (same key; without one, the same task id) finds the stored document and prints
    nothing. A refusal (no permission, no reason for a reprint) is logged, not retried."""
    task_id = self.request.id
    key = idempotency_key or (f"task:{task_id}" if task_id else "")
    user = get_user_model().objects.filter(pk=user_id).first()
    try:
        document = issuing.issue_licence_document(
            licence_id=licence_id, by=user, reason=reason, idempotency_key=key
        )
    except DomainError as error:
        logger.warning("licence %s not printed for user %s: %s", licence_id, user_id, error)
        return None
    return document.pk


@shared_task(bind=True, acks_late=True, time_limit=300, soft_time_limit=240, max_retries=20)
def run_print_batch(self, batch_id: int) -> str | None:
    """Print one chunk of a batch (``PRINT_BATCH_CHUNK`` items), then queue this task again
    for the rest: no task runs long, and a worker restarted half way goes on from the items
    still pending (the message is acknowledged only at the end, and each item's key makes a
    second print of it a no-op). Returns the id of the task queued for the rest, if any.

    A technical failure of one item is retried after a pause, at most ``PRINT_BATCH_ATTEMPTS``
    times for that item (then it is recorded as failed and the batch goes on); the task's own
    ``max_retries`` only bounds a batch whose every item keeps failing."""
    try:
        remaining = batches.run_batch(batch_id=batch_id)
    except batches.RetryItemLater as error:
        raise self.retry(exc=error, countdown=min(10 * (self.request.retries + 1), 120)) from error
    except SoftTimeLimitExceeded:
        # The item being printed was rolled back; its attempt counts. Go on in a new task.
        logger.warning("print batch %s: chunk stopped by the soft time limit", batch_id)
        remaining = 1
    if remaining:
        return str(run_print_batch.delay(batch_id).id)
    return None


@shared_task(acks_late=True)
def resume_print_batches() -> int:
    """Queue the job again for batches that have not moved for a while (a lost message). Safe
    to run at any time: a second job on the same batch skips the items the first one holds."""
    ids = batches.stalled_batch_ids()
    for pk in ids:
        run_print_batch.delay(pk)
    if ids:
        logger.info("resumed %d stalled print batches", len(ids))
    return len(ids)


@shared_task(bind=True, acks_late=True, time_limit=180, soft_time_limit=150)
def print_letter(
    self, event_id: int, user_id: int | None, reason: str = "", idempotency_key: str = ""
) -> int | None:
    """Print and store the letter about one decision (Art. 6, 6.3(a)): queued by the decision
    itself for the deciding officer, or by a registrar's reprint. A second delivery of the
    same message (same key; without one, the same task id) finds the stored letter and prints
    nothing. A refusal (no permission, no reason for a reprint) is logged, not retried."""
    task_id = self.request.id
    key = idempotency_key or (f"task:{task_id}" if task_id else "")
    user = get_user_model().objects.filter(pk=user_id).first() if user_id else None
    try:
        document = letters.issue_letter(
            event_id=event_id, by=user, reason=reason, idempotency_key=key
        )
    except DomainError as error:
        logger.warning("letter for event %s not printed for user %s: %s", event_id, user_id, error)
        return None
    return document.pk


@shared_task(acks_late=True)
def sweep_decision_letters() -> int:
    """Queue the letter of each recent decision that has none (its message was lost). The key
    is the decision's own, so a letter printed meanwhile is not printed again."""
    missing = letters.decisions_without_letter()
    for event_id, user_id in missing:
        print_letter.delay(
            event_id, user_id, "", idempotency_key=letters.decision_letter_key(event_id)
        )
    if missing:
        logger.info("queued %d missing decision letters", len(missing))
    return len(missing)


@shared_task(acks_late=True)
def send_expiry_reminders() -> int:
    """Art. 6.3(f): the reminders due today. Safe to run twice, at once or after a crash: each
    reminder is a row with a unique key, written before its e-mail is queued."""
    return reminders.send_due_expiry_reminders()


@shared_task(acks_late=True)
def chase_information_requests() -> int:
    """Chasers for information requests left unanswered; once per request and threshold."""
    return reminders.chase_information_requests()


@shared_task(acks_late=True)
def verify_audit_chain() -> bool:
    """Nightly: link the audit events a lost linking left out, verify the hash chain, seal a
    checkpoint, and alert the senior officers on a break (ASVS V16.4.2). Safe to run twice:
    a rerun writes another checkpoint and sends no second alert for the same break that day."""
    from licensing.audit_chain import run_nightly_verification

    report, _checkpoint = run_nightly_verification()
    return report.ok
