"""Batch printing, the service and its job: every printable licence printed once through the one
printing service, licences that are no longer valid skipped with the reason, a failure recorded
on its item without stopping the batch, and a job run twice (or resumed) printing nothing twice."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from django.conf import settings
from django.utils import timezone

from licensing import audit_chain, tasks
from licensing.audit_verify import verify_chain
from licensing.celery import app as celery_app
from licensing.exceptions import PermissionDenied, ReasonRequired
from licensing.models import (
    AuditChainLink,
    AuditEvent,
    IssuedDocument,
    IssuedDocumentKind,
    PrintBatch,
    PrintBatchItemState,
    PrintBatchState,
    Verb,
)
from licensing.services import batch_printing, batches
from licensing.services.issuing import issue_licence_document
from licensing.services.printing import MAX_HTML_BYTES
from tests.callbacks import side_effects
from tests.factories import ConditionFactory, IssuedDocumentFactory, LicenceFactory

pytestmark = pytest.mark.django_db

PRINTED, SKIPPED, FAILED = (
    PrintBatchItemState.PRINTED,
    PrintBatchItemState.SKIPPED,
    PrintBatchItemState.FAILED,
)


@pytest.fixture
def print_batch(django_capture_on_commit_callbacks):
    """``print_batch(licence_ids=..., by=...)``: a batch started, and its job run (eagerly) once the
    batch has committed."""

    def run(**kwargs) -> PrintBatch:
        with django_capture_on_commit_callbacks(execute=True):
            batch = batches.start_batch(**kwargs)
        batch.refresh_from_db()
        return batch

    return run


def outcomes(batch: PrintBatch) -> dict[str, str]:
    return {item.licence.number: item.state for item in batch.items.select_related("licence")}


def test_the_job_prints_every_valid_licence_and_skips_the_others(
    registrar, django_capture_on_commit_callbacks
):
    active, suspended = LicenceFactory(), LicenceFactory(suspended=True)
    ended = [
        LicenceFactory(revoked=True),
        LicenceFactory(expired=True),
        LicenceFactory(transferred=True),
        LicenceFactory(surrendered=True),
    ]
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        batch = batches.start_batch(
            licence_ids=[active.pk, suspended.pk, *(x.pk for x in ended)], by=registrar
        )
    assert len(side_effects(callbacks)) == 1  # the job, queued once the batch is committed
    batch.refresh_from_db()
    assert batch.state == PrintBatchState.FINISHED
    assert (batch.total, batch.printed_count, batch.skipped_count, batch.failed_count) == (
        6,
        2,
        4,
        0,
    )
    assert batch.finished_at is not None
    assert outcomes(batch) == {
        active.number: PRINTED,
        suspended.number: PRINTED,
        **{x.number: SKIPPED for x in ended},
    }
    for item in batch.items.filter(state=PRINTED).select_related("document"):
        assert item.document.licence_id == item.licence_id
        assert item.document.version == 1
        assert item.document.issued_by == registrar
        assert item.document.idempotency_key == f"batch:{batch.pk}:{item.pk}"
        assert item.attempts == 1
    skipped = batch.items.filter(state=SKIPPED).first()
    assert "no longer valid" in skipped.message_display()
    assert not IssuedDocument.objects.filter(licence__in=ended).exists()
    event = AuditEvent.objects.for_object(batch).get()
    assert (event.verb, event.actor) == (Verb.PRINT_BATCH_STARTED, registrar)
    assert event.changes["licences"] == 6 and event.changes["to_print"] == 2


def test_licences_printed_before_are_skipped_or_reprinted_with_the_reason(
    registrar, refused, print_batch
):
    printed, fresh = LicenceFactory(), LicenceFactory()
    issue_licence_document(licence_id=printed.pk, by=registrar)
    ids = [printed.pk, fresh.pk]

    with refused(ReasonRequired):
        batches.start_batch(licence_ids=ids, by=registrar, policy="reprint", reason="  ")
    assert not PrintBatch.objects.exists()

    first = print_batch(licence_ids=ids, by=registrar)
    assert outcomes(first) == {printed.number: SKIPPED, fresh.number: PRINTED}
    assert "printed before" in first.items.get(licence=printed).message_display()

    second = print_batch(
        licence_ids=ids, by=registrar, policy="reprint", reason="New emblem on the paper"
    )
    assert outcomes(second) == {printed.number: PRINTED, fresh.number: PRINTED}
    versions = IssuedDocument.objects.filter(licence__in=ids).order_by("licence_id", "version")
    assert [(d.licence_id, d.version, d.reprint_reason) for d in versions] == [
        (printed.pk, 1, ""),
        (printed.pk, 2, "New emblem on the paper"),
        (fresh.pk, 1, ""),
        (fresh.pk, 2, "New emblem on the paper"),
    ]


def test_a_decision_letter_is_not_a_printed_licence(registrar, print_batch):
    # Art. 6.3(a): the suspension letter is about the licence, but the licence itself has
    # never been printed, so a batch of licences never printed includes it.
    letter = IssuedDocumentFactory(suspension_letter=True)
    licence = letter.licence

    preview = batches.preview_batch(licence_ids=[licence.pk], by=registrar)
    batch = print_batch(licence_ids=[licence.pk], by=registrar)

    assert (preview.never_printed, preview.printed_before) == (1, 0)
    assert outcomes(batch) == {licence.number: PRINTED}
    assert batch.items.get().document.kind == IssuedDocumentKind.LICENCE


@pytest.mark.parametrize("role", ["officer", "inspector", "auditor"])
def test_only_those_who_print_may_start_a_batch(request, role, refused):
    with refused(PermissionDenied):
        batches.start_batch(licence_ids=[LicenceFactory().pk], by=request.getfixturevalue(role))
    assert not PrintBatch.objects.exists()


def test_a_batch_larger_than_the_limit_is_refused(registrar, settings, refused):
    settings.PRINT_BATCH_MAX_LICENCES = 2
    ids = [LicenceFactory().pk for _ in range(3)]
    with refused(batches.BatchTooLarge) as info:
        batches.start_batch(licence_ids=ids, by=registrar)
    assert "at most 2" in str(info.value)
    assert batches.start_batch(licence_ids=ids[:2], by=registrar).total == 2


def test_a_refused_print_fails_its_item_and_the_batch_goes_on(registrar, print_batch):
    """Art. 6.3(a): a licence whose document cannot be printed (here a condition too long for
    one document) is recorded as failed with the refusal, not retried; the others print."""
    too_long = LicenceFactory()
    ConditionFactory(licence=too_long, application=None, text="x" * (MAX_HTML_BYTES + 1))
    good = [LicenceFactory(), LicenceFactory()]
    batch = print_batch(licence_ids=[too_long.pk, *(x.pk for x in good)], by=registrar)
    assert batch.state == PrintBatchState.FINISHED_WITH_FAILURES
    assert (batch.printed_count, batch.failed_count) == (2, 1)
    failed = batch.items.get(licence=too_long)
    assert (failed.state, failed.attempts) == (FAILED, 1)
    assert failed.message == "This document is too large to print."  # the msgid, for display
    assert not IssuedDocument.objects.filter(licence=too_long).exists()


def test_a_technical_failure_is_retried_then_recorded(
    registrar, settings, tmp_path, django_capture_on_commit_callbacks
):
    """Storage that cannot be written: the item is tried again, up to PRINT_BATCH_ATTEMPTS
    times, then recorded as failed, and the batch finishes."""
    settings.PRINT_BATCH_ATTEMPTS = 2
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("")
    settings.MEDIA_ROOT = blocked
    with django_capture_on_commit_callbacks(execute=False):
        batch = batches.start_batch(licence_ids=[LicenceFactory().pk], by=registrar)
    with pytest.raises(batch_printing.RetryItemLater):
        batch_printing.run_batch(batch_id=batch.pk)
    item = batch.items.get()
    assert (item.state, item.attempts) == (PrintBatchItemState.PENDING, 1)

    # The task retries, as on a worker (where a task's exception is not raised to the caller).
    celery_app.conf.task_eager_propagates = False  # put back by the eager-Celery fixture
    tasks.run_print_batch.delay(batch.pk)
    item.refresh_from_db()
    assert (item.state, item.attempts) == (FAILED, 2)
    assert item.message == batches.FAILED_TECHNICAL
    batch.refresh_from_db()
    assert batch.state == PrintBatchState.FINISHED_WITH_FAILURES
    assert not IssuedDocument.objects.exists()


def test_running_the_job_twice_prints_nothing_the_second_time(
    registrar, django_capture_on_commit_callbacks
):
    licences = [LicenceFactory() for _ in range(3)]
    with django_capture_on_commit_callbacks(execute=False):
        batch = batches.start_batch(licence_ids=[x.pk for x in licences], by=registrar)
    # A worker printed the first item and was killed before the item was marked: the print
    # committed under the item's key, the item is still pending.
    first = batch.items.order_by("position").first()
    lost = issue_licence_document(
        licence_id=first.licence_id, by=registrar, idempotency_key=f"batch:{batch.pk}:{first.pk}"
    )
    assert tasks.run_print_batch.delay(batch.pk).get() == 1  # one chunk, run at once (eager)
    first.refresh_from_db()
    assert (first.state, first.document) == (PRINTED, lost)
    assert IssuedDocument.objects.count() == 3  # the lost print was found, not printed again
    events = AuditEvent.objects.count()

    assert tasks.run_print_batch.delay(batch.pk).get() == 0  # redelivered: nothing pending
    assert IssuedDocument.objects.count() == 3
    assert AuditEvent.objects.count() == events
    batch.refresh_from_db()
    assert (batch.state, batch.printed_count) == (PrintBatchState.FINISHED, 3)


def test_the_job_queues_one_task_per_chunk_and_the_last_one_finishes_the_batch(
    registrar, settings, django_capture_on_commit_callbacks, monkeypatch
):
    settings.PRINT_BATCH_CHUNK = 2
    licences = [LicenceFactory() for _ in range(5)]
    with django_capture_on_commit_callbacks(execute=False):
        batch = batches.start_batch(licence_ids=[x.pk for x in licences], by=registrar)
    queued: list[list[int]] = []
    monkeypatch.setattr(tasks.print_batch_chunk, "delay", lambda _batch, ids: queued.append(ids))
    assert tasks.run_print_batch.delay(batch.pk).get() == 3
    positions = [[batch.items.get(pk=pk).position for pk in item_ids] for item_ids in queued]
    assert positions == [[1, 2], [3, 4], [5]]
    batch.refresh_from_db()
    assert (batch.state, batch.printed_count, batch.remaining) == (PrintBatchState.RUNNING, 0, 5)
    assert batch.started_at is not None

    # The chunks end in any order, on any worker; the last one finishes the batch.
    for item_ids in reversed(queued):
        assert not batch.is_finished
        assert tasks.print_batch_chunk.apply(args=(batch.pk, item_ids)).get() == len(item_ids)
        batch.refresh_from_db()
    assert (batch.state, batch.printed_count) == (PrintBatchState.FINISHED, 5)
    assert batch.finished_at is not None


def test_a_chunk_delivered_twice_prints_nothing_again(registrar, print_batch, settings):
    settings.PRINT_BATCH_CHUNK = 2
    batch = print_batch(licence_ids=[LicenceFactory().pk for _ in range(3)], by=registrar)
    assert (batch.state, batch.printed_count) == (PrintBatchState.FINISHED, 3)
    documents, events = IssuedDocument.objects.count(), AuditEvent.objects.count()
    attempts = sorted(batch.items.values_list("attempts", flat=True))
    updated = batch.updated_at

    first_chunk = list(batch.items.order_by("position").values_list("pk", flat=True)[:2])
    assert tasks.print_batch_chunk.delay(batch.pk, first_chunk).get() == 0  # redelivered
    assert (IssuedDocument.objects.count(), AuditEvent.objects.count()) == (documents, events)
    assert sorted(batch.items.values_list("attempts", flat=True)) == attempts  # none counted
    batch.refresh_from_db()
    assert (batch.state, batch.printed_count, batch.updated_at) == (
        PrintBatchState.FINISHED,
        3,
        updated,
    )


def test_a_chunk_recounts_when_it_ends_though_another_job_printed_its_last_item(
    registrar, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        batch = batches.start_batch(
            licence_ids=[LicenceFactory().pk for _ in range(3)], by=registrar
        )
    first, second, last = batch.items.order_by("position").values_list("pk", flat=True)
    assert tasks.print_batch_chunk.delay(batch.pk, [last]).get() == 1  # another job
    batch.refresh_from_db()
    assert (batch.printed_count, batch.remaining) == (1, 2)

    assert tasks.print_batch_chunk.delay(batch.pk, [first, second, last]).get() == 2
    batch.refresh_from_db()
    assert (batch.state, batch.printed_count, batch.remaining) == (
        PrintBatchState.FINISHED,
        3,
        0,
    )


def test_the_counts_follow_the_items_while_a_chunk_prints(
    registrar, django_capture_on_commit_callbacks, monkeypatch
):
    """The batch's page reads the counts: recounted with an item every RECOUNT_SECONDS."""
    monkeypatch.setattr(batch_printing, "RECOUNT_SECONDS", 0.0)
    licences = [LicenceFactory() for _ in range(3)]
    with django_capture_on_commit_callbacks(execute=False):
        batch = batches.start_batch(licence_ids=[x.pk for x in licences], by=registrar)
    seen: list[int] = []
    issue = batch_printing.issue_licence_document

    def watched(**kwargs):
        seen.append(PrintBatch.objects.get(pk=batch.pk).printed_count)
        return issue(**kwargs)

    monkeypatch.setattr(batch_printing, "issue_licence_document", watched)
    assert tasks.run_print_batch.delay(batch.pk).get() == 1
    assert seen == [0, 1, 2]
    batch.refresh_from_db()
    assert (batch.state, batch.printed_count) == (PrintBatchState.FINISHED, 3)


def test_a_chunk_links_its_audit_events_into_the_chain_once_when_it_ends(
    registrar, settings, django_capture_on_commit_callbacks, monkeypatch
):
    settings.PRINT_BATCH_CHUNK = 2
    with django_capture_on_commit_callbacks(execute=False):
        batch = batches.start_batch(
            licence_ids=[LicenceFactory().pk for _ in range(3)], by=registrar
        )
    linkings: list[list[int]] = []
    link = audit_chain.link_pending_events

    def counted(**kwargs):
        linkings.append(sorted(kwargs.get("event_ids", ())))
        return link(**kwargs)

    monkeypatch.setattr(audit_chain, "link_pending_events", counted)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert tasks.run_print_batch.delay(batch.pk).get() == 2
    # One linking per chunk, after the commit (here the test's transaction), none per print.
    assert [type(c) for c in callbacks].count(audit_chain._LinkAfterCommit) == 2
    issued = AuditEvent.objects.filter(verb=Verb.DOCUMENT_ISSUED).order_by("pk")
    assert [len(ids) for ids in linkings] == [2, 1]  # one linking per chunk
    assert sorted(pk for ids in linkings for pk in ids) == [e.pk for e in issued]
    assert AuditChainLink.objects.filter(event__in=issued).count() == 3
    assert verify_chain().ok


def test_an_item_that_keeps_killing_its_worker_is_given_up(
    registrar, settings, django_capture_on_commit_callbacks
):
    """The hard time limit or the memory limit ends the worker in the middle of a print: the
    attempt was counted before, nothing else was written. Once the attempts are spent, the
    next delivery records the item as failed without printing it again, and the batch goes on."""
    settings.PRINT_BATCH_ATTEMPTS = 2
    doomed, good = LicenceFactory(), LicenceFactory()
    with django_capture_on_commit_callbacks(execute=False):
        batch = batches.start_batch(licence_ids=[doomed.pk, good.pk], by=registrar)
    killed = batch.items.get(licence=doomed)
    killed.attempts = 2  # two deliveries, each killed half way through this item
    killed.save(update_fields=["attempts"])

    assert tasks.run_print_batch.delay(batch.pk).get() == 1
    killed.refresh_from_db()
    assert (killed.state, killed.attempts, killed.message) == (
        FAILED,
        2,
        batches.FAILED_TECHNICAL,
    )
    assert not IssuedDocument.objects.filter(licence=doomed).exists()
    batch.refresh_from_db()
    assert batch.state == PrintBatchState.FINISHED_WITH_FAILURES
    assert (batch.printed_count, batch.failed_count) == (1, 1)


def test_run_batch_prints_one_chunk_in_this_process(
    registrar, settings, django_capture_on_commit_callbacks
):
    settings.PRINT_BATCH_CHUNK = 2
    licences = [LicenceFactory() for _ in range(5)]
    with django_capture_on_commit_callbacks(execute=False):
        batch = batches.start_batch(licence_ids=[x.pk for x in licences], by=registrar)
    assert batch_printing.run_batch(batch_id=batch.pk) == 3  # one chunk; three still pending
    batch.refresh_from_db()
    assert (batch.state, batch.printed_count, batch.remaining) == (PrintBatchState.RUNNING, 2, 3)


def test_a_stalled_batch_is_resumed_by_the_sweep(
    registrar, time_machine, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):  # the message is lost
        batch = batches.start_batch(licence_ids=[LicenceFactory().pk], by=registrar)
    assert tasks.resume_print_batches.delay().get() == 0  # not stalled yet
    time_machine.move_to(
        timezone.now() + dt.timedelta(seconds=settings.PRINT_BATCH_RESUME_AFTER_SECONDS + 60)
    )
    assert tasks.resume_print_batches.delay().get() == 1
    batch.refresh_from_db()
    assert batch.state == PrintBatchState.FINISHED
    assert tasks.resume_print_batches.delay().get() == 0


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_prints_a_batch_to_the_end(celery_worker, registrar, settings):
    """Through Redis and a worker thread with its own database connection: the job queued on
    commit queues its chunks, which print the batch and finish it."""
    settings.PRINT_BATCH_CHUNK = 2
    licences = [LicenceFactory() for _ in range(3)]
    batch = batches.start_batch(
        licence_ids=[x.pk for x in [*licences, LicenceFactory(revoked=True)]], by=registrar
    )
    # Waiting for another thread's work: polled against a deadline, not timed.
    deadline = time.monotonic() + 90
    while not PrintBatch.objects.get(pk=batch.pk).is_finished:
        assert time.monotonic() < deadline, "the worker did not finish the batch"
        time.sleep(0.2)
    batch.refresh_from_db()
    assert (batch.state, batch.printed_count, batch.skipped_count) == (
        PrintBatchState.FINISHED,
        3,
        1,
    )
    assert IssuedDocument.objects.filter(licence__in=licences).count() == 3
    # Run once more, as a redelivered message would: nothing is printed again.
    assert tasks.run_print_batch.delay(batch.pk).get(timeout=30) == 0
    assert IssuedDocument.objects.count() == 3
