"""Batch printing of licences (Art. 6), the jobs' side: the pending items of a batch
(``services.batches``) are split into chunks of ``PRINT_BATCH_CHUNK``, one Celery task per
chunk, so that every worker process prints a share of the batch at the same time, each item
through ``issuing.issue_licence_document``, the one door for printing.

Safe to run twice or to be killed half way (DESIGN.md, Jobs):
- each item prints with the idempotency key ``batch:<batch>:<item>``, so a redelivered or
  restarted job finds the document it printed and prints nothing again;
- a job takes an item only while it is pending and no other job holds it (``SELECT ... FOR
  UPDATE SKIP LOCKED``), and keeps the row locked while it prints, so two jobs never print the
  same item at once, whether a chunk was delivered twice or the batch was resumed;
- the attempt is counted in its own transaction before the print, so an item that kills its
  worker (or keeps failing for a technical reason) is given up after ``PRINT_BATCH_ATTEMPTS``;
- the batch's counts are recounted under the batch's row lock while a job prints (every
  ``RECOUNT_SECONDS``) and when its chunk ends, so chunks finishing at once on several workers
  count every item once, and the last to end finishes the batch.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from typing import Any

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Exists, F, OuterRef
from django.utils import timezone, translation

from licensing.audit_chain import linking_deferred
from licensing.exceptions import DomainError
from licensing.models.batches import (
    PrintBatch,
    PrintBatchItem,
    PrintBatchItemState,
    PrintBatchState,
    ReprintPolicy,
)
from licensing.models.issued import IssuedDocument, IssuedDocumentKind
from licensing.services.batches import (
    FAILED_TECHNICAL,
    PRINTABLE_STATES,
    SKIPPED_NOT_VALID,
    SKIPPED_PRINTED_BEFORE,
    recount_batch,
)
from licensing.services.issuing import alert_signing_failed, issue_licence_document
from licensing.signing.signer import SigningFailed
from licensing.storage import StorageUnavailable

logger = logging.getLogger(__name__)

# While a job prints, it recounts its batch at most this often (each recount takes the batch's
# row lock), and always when its chunk ends: the batch's page reads the counts.
RECOUNT_SECONDS = 1.0


class RetryItemLater(Exception):
    """A technical failure (storage, database, renderer): the job tries the item again later.
    The attempt has been counted and committed."""


def _mark_running(batch_id: int) -> None:
    PrintBatch.objects.filter(pk=batch_id, state=PrintBatchState.QUEUED).update(
        state=PrintBatchState.RUNNING, started_at=timezone.now(), updated_at=timezone.now()
    )


def _free_items() -> Any:
    """Items that no other job holds, locked when read, each alone. Without ``of`` and an order
    of their own, the items' default order (by their batch) joins the batch and ``FOR UPDATE``
    locks the batch's row as well: every other job would then skip every item of the batch for
    as long as one item prints."""
    return PrintBatchItem.objects.select_for_update(skip_locked=True, of=("self",)).order_by("pk")


def _claim(item_id: int, batch_id: int) -> bool:
    """Count an attempt at the item and commit it before the print starts (one statement);
    False when the item is no longer pending or another job holds it. An item whose earlier
    attempts all ended without closing it (each killed its worker: memory, the hard time
    limit) is given up here, as failed, once ``PRINT_BATCH_ATTEMPTS`` are spent."""
    own_transaction = not connection.in_atomic_block
    with transaction.atomic():
        if own_transaction and connection.vendor == "postgresql":
            # Not waited for on disk (a few ms an item): it is visible at once, so a worker
            # killed later finds it counted; only a crash of the database server itself could
            # lose it, and that crash loses the print too, whose commit would have flushed it.
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit TO OFF")
        free = _free_items().filter(
            pk=item_id, batch_id=batch_id, state=PrintBatchItemState.PENDING
        )
        tried = PrintBatchItem.objects.filter(
            pk__in=free.filter(attempts__lt=settings.PRINT_BATCH_ATTEMPTS).values("pk")
        ).update(attempts=F("attempts") + 1, updated_at=timezone.now())
        if tried:
            return True
        spent = free.first()  # pending and free, so its attempts are spent
        if spent is not None:
            _close(spent, PrintBatchItemState.FAILED, FAILED_TECHNICAL)
            recount_batch(batch_id)
        return False


def _english(error: DomainError) -> str:
    """The message's source text, for translation when it is shown."""
    with translation.override(None):
        return str(error)


def _close(
    item: PrintBatchItem, state: str, message: str = "", document: IssuedDocument | None = None
) -> None:
    item.state = state
    item.message = message
    item.document = document
    item.processed_at = timezone.now()
    item.save(update_fields=["state", "message", "document", "processed_at", "updated_at"])


def _print_item(item_id: int, batch: PrintBatch, *, recount: bool) -> bool:
    """Print one item of ``batch`` (loaded once per chunk with its registrar, whose
    permissions are then read once) and, with ``recount``, recount the batch whatever became
    of the item, in one transaction. True when the item ended here (printed, skipped or
    failed)."""
    retry: Exception | None = None
    key = f"batch:{batch.pk}:{item_id}"
    others = IssuedDocument.objects.filter(
        licence_id=OuterRef("licence_id"), kind=IssuedDocumentKind.LICENCE
    ).exclude(idempotency_key=key)
    with transaction.atomic():
        item = (
            _free_items()
            .filter(pk=item_id, batch_id=batch.pk, state=PrintBatchItemState.PENDING)
            .annotate(licence_state=F("licence__state"), printed_elsewhere=Exists(others))
            .first()
        )
        if item is None:  # another job holds it, or has finished it
            if recount:
                recount_batch(batch.pk)
            return False
        # The licence may have changed since the batch was started: checked again here.
        if item.licence_state not in PRINTABLE_STATES:
            _close(item, PrintBatchItemState.SKIPPED, SKIPPED_NOT_VALID)
        elif item.printed_elsewhere and batch.policy == ReprintPolicy.NEW_ONLY:
            _close(item, PrintBatchItemState.SKIPPED, SKIPPED_PRINTED_BEFORE)
        else:
            try:
                # Its own savepoint: a failed print is rolled back, the item's outcome kept.
                document = issue_licence_document(
                    licence_id=item.licence_id,
                    by=batch.requested_by,
                    reason=batch.reason,
                    idempotency_key=key,
                )
            except SoftTimeLimitExceeded:
                raise  # the item is rolled back, its attempt counted: the job goes on later
            except StorageUnavailable as error:
                # The store is down (issue 21): not a refusal, tried again like any fault.
                logger.warning("print batch %s: item %s: %s", batch.pk, item.pk, error)
                if item.attempts >= settings.PRINT_BATCH_ATTEMPTS:
                    _close(item, PrintBatchItemState.FAILED, FAILED_TECHNICAL)
                else:
                    retry = error
            except DomainError as error:
                # A refusal (permission withdrawn, a document too large) is final: not retried.
                # So is a document that cannot be signed: the registrars are told, once a batch.
                _close(item, PrintBatchItemState.FAILED, _english(error))
                if isinstance(error, SigningFailed):
                    alert_signing_failed(
                        what=f"#{batch.pk}",
                        detail=error.detail,
                        requested_by=batch.requested_by,
                        key=f"batch:{batch.pk}",
                    )
            except Exception as error:
                logger.exception("print batch %s: item %s failed", batch.pk, item.pk)
                if item.attempts >= settings.PRINT_BATCH_ATTEMPTS:
                    _close(item, PrintBatchItemState.FAILED, FAILED_TECHNICAL)
                else:
                    retry = error
            else:
                _close(item, PrintBatchItemState.PRINTED, document=document)
        if recount:
            recount_batch(batch.pk)
    if retry is not None:
        raise RetryItemLater(f"print batch item {item_id}") from retry
    return True


def pending_chunks(*, batch_id: int) -> list[list[int]]:
    """The batch's pending items in their order, in chunks of ``PRINT_BATCH_CHUNK``: one task
    each. Marks a queued batch as running; a batch with nothing pending is finished (its
    counts written) if it was not yet."""
    _mark_running(batch_id)
    ids = list(
        PrintBatchItem.objects.filter(batch_id=batch_id, state=PrintBatchItemState.PENDING)
        .order_by("position")
        .values_list("pk", flat=True)
    )
    if not ids:
        with transaction.atomic():
            recount_batch(batch_id)
        return []
    size = max(int(settings.PRINT_BATCH_CHUNK), 1)
    return [ids[start : start + size] for start in range(0, len(ids), size)]


def print_items(*, batch_id: int, item_ids: Iterable[int]) -> int:
    """Print the items of one chunk that are still pending and held by no other job, each in
    its own transaction, and return how many ended here; their audit events are linked into
    the chain once, when the chunk ends. The batch is recounted with an item every
    ``RECOUNT_SECONDS`` and with the chunk's last, so the batch's page follows the progress and
    the last chunk to end finishes the batch. After a technical failure worth another try the
    others are printed first, then ``RetryItemLater`` is raised: the job retries the chunk
    later, where only the items still pending are printed."""
    batch = PrintBatch.objects.select_related("requested_by").get(pk=batch_id)
    wanted = list(item_ids)
    ended = 0
    retry: RetryItemLater | None = None
    counted_at = time.monotonic()
    uncounted = False
    # The audit events of the chunk's prints join the hash chain together, when it ends.
    with linking_deferred():
        for position, item_id in enumerate(wanted, start=1):
            if not _claim(item_id, batch_id):
                continue
            due = time.monotonic() - counted_at >= RECOUNT_SECONDS
            recount = due or position == len(wanted)
            try:
                done = _print_item(item_id, batch, recount=recount)
            except RetryItemLater as error:
                retry, done = retry or error, False  # still pending, its attempt counted
            ended += done
            if recount:
                counted_at, uncounted = time.monotonic(), False
            else:
                uncounted = uncounted or done
        if uncounted:
            with transaction.atomic():
                recount_batch(batch_id)
    if retry is not None:
        raise retry
    return ended


def run_batch(*, batch_id: int, limit: int | None = None) -> int:
    """Print up to ``limit`` pending items (``PRINT_BATCH_CHUNK``) of the batch in this
    process, and return how many are still pending (some may be held by another job)."""
    chunks = pending_chunks(batch_id=batch_id)
    wanted = [item_id for chunk in chunks for item_id in chunk][
        : limit or settings.PRINT_BATCH_CHUNK
    ]
    if wanted:
        print_items(batch_id=batch_id, item_ids=wanted)
    return PrintBatchItem.objects.filter(
        batch_id=batch_id, state=PrintBatchItemState.PENDING
    ).count()
