"""Celery tasks: thin and idempotent. They take ids, and call services."""

from __future__ import annotations

import logging
from smtplib import SMTPException

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.contrib.auth import get_user_model

from licensing import tallies
from licensing.exceptions import DomainError
from licensing.models.licences import Licence
from licensing.services import (
    batch_printing,
    batches,
    issuing,
    letters,
    notifications,
    reminders,
    retention,
)
from licensing.services import licences as licence_services
from licensing.signing.signer import SigningFailed

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
def compact_state_tallies() -> int:
    """Hourly: fold the counts by state the triggers appended (licensing.tallies)."""
    return tallies.compact()


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
    except SigningFailed as error:
        # Not a refusal: the job fails and the registrars are told (issue 20).
        logger.error("licence %s not printed: it could not be signed: %s", licence_id, error.detail)
        number = Licence.objects.filter(pk=licence_id).values_list("number", flat=True).first()
        issuing.alert_signing_failed(
            what=number or f"#{licence_id}",
            detail=error.detail,
            requested_by=user,
            key=key,
        )
        raise
    except DomainError as error:
        logger.warning("licence %s not printed for user %s: %s", licence_id, user_id, error)
        return None
    return document.pk


@shared_task(acks_late=True, time_limit=120, soft_time_limit=90)
def run_print_batch(batch_id: int) -> int:
    """Start a batch: mark it running and queue one ``print_batch_chunk`` per chunk of its
    pending items (``PRINT_BATCH_CHUNK``), so that every worker process prints a share of it
    at the same time. Returns how many chunks were queued (0: nothing is pending).

    Safe to deliver twice, and what the sweep runs for a stalled batch: the chunks queued again
    cover the items still pending only, and a chunk skips an item that another chunk holds or
    has finished (``services.batch_printing``)."""
    chunks = batch_printing.pending_chunks(batch_id=batch_id)
    for item_ids in chunks:
        print_batch_chunk.delay(batch_id, item_ids)
    return len(chunks)


@shared_task(bind=True, acks_late=True, time_limit=300, soft_time_limit=240, max_retries=20)
def print_batch_chunk(self, batch_id: int, item_ids: list[int]) -> int:
    """Print the items of one chunk of a batch that are still pending; the last item to end
    finishes the batch. A redelivered chunk finds its items printed (no longer pending, or
    their documents stored under the item's key) and prints nothing again. Returns how many
    items this delivery ended.

    A technical failure of one item is retried after a pause, at most ``PRINT_BATCH_ATTEMPTS``
    times for that item (then it is recorded as failed and the batch goes on); the task's own
    ``max_retries`` only bounds a chunk whose every item keeps failing."""
    try:
        return batch_printing.print_items(batch_id=batch_id, item_ids=item_ids)
    except batch_printing.RetryItemLater as error:
        raise self.retry(exc=error, countdown=min(10 * (self.request.retries + 1), 120)) from error
    except SoftTimeLimitExceeded:
        # The item being printed was rolled back; its attempt counts. The rest of the chunk
        # goes on in a new task (what is done is no longer pending there).
        logger.warning("print batch %s: chunk stopped by the soft time limit", batch_id)
        print_batch_chunk.delay(batch_id, item_ids)
        return 0


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
    except SigningFailed as error:
        logger.error("letter for event %s not printed: not signed: %s", event_id, error.detail)
        issuing.alert_signing_failed(
            what=letters.decision_reference(event_id),
            detail=error.detail,
            requested_by=user,
            key=key,
        )
        raise
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


@shared_task(acks_late=True)
def check_legacy_import(import_id: int) -> str:
    """Art. 9.2: check an uploaded legacy register (docs/legacy-import.md), streamed; writes
    nothing but the import's state, progress and report. A second delivery finds it checked
    (or being checked) and does nothing. Returns the import's state."""
    from licensing.services.import_jobs import check_import

    return str(check_import(import_id=import_id).state)


@shared_task(acks_late=True)
def write_legacy_import(import_id: int) -> str:
    """Art. 9.2: write a confirmed legacy register in one transaction, every row or none. A
    second delivery finds it written, failed, or held by the write at work, and does
    nothing. Returns the import's state."""
    from licensing.services.import_jobs import write_import

    return str(write_import(import_id=import_id).state)


@shared_task(acks_late=True)
def resume_legacy_imports() -> int:
    """Queue the job again for imports whose check or write has not moved for a while (a lost
    message or worker). Each run counts an attempt; past ``IMPORT_JOB_ATTEMPTS`` the import
    is refused or failed with that reason. Safe to run at any time."""
    from licensing.models import ImportState
    from licensing.services.import_jobs import stalled_imports

    stalled = stalled_imports()
    for pk, state in stalled:
        task = write_legacy_import if state == ImportState.WRITING else check_legacy_import
        task.delay(pk)
    if stalled:
        logger.info("resumed %d stalled legacy imports", len(stalled))
    return len(stalled)
