"""Batch printing against real Celery workers: two worker subprocesses on a private Redis
(tests/licensing/worker_processes.py) share one batch, chunk by chunk, and a chunk delivered
twice at once, one copy to each worker, prints each of its licences once."""

from __future__ import annotations

import re
from collections import Counter

import pytest

from licensing import tasks
from licensing.audit_verify import verify_chain
from licensing.models import (
    AuditChainLink,
    AuditEvent,
    IssuedDocument,
    PrintBatch,
    PrintBatchState,
    Verb,
)
from licensing.services import batches
from tests.factories import LicenceFactory
from tests.licensing.worker_processes import Cluster, cluster, wait_for  # noqa: F401 (a fixture)

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

CHUNK = 2


@pytest.fixture
def workers(cluster, monkeypatch):  # noqa: F811 (the fixture imported above)
    """Two workers, each printing chunks of ``CHUNK`` licences; the job that starting a batch
    queues goes to their Redis."""
    monkeypatch.setenv("PRINT_BATCH_CHUNK", str(CHUNK))
    cluster.start_worker("one")
    cluster.start_worker("two")
    monkeypatch.setattr(batches, "enqueue", lambda task, *args: cluster.send(task, *args) is None)
    return cluster


def ended_chunks(log: str) -> int:
    return len(re.findall(r"print_batch_chunk\[[^]]+\] succeeded", log))


def chunks_ended(workers: Cluster, count: int) -> list[int]:
    """Each worker's count of chunks ended, once they add up to ``count``: the batch is
    finished by its last item, a moment before that chunk's task ends and is logged."""

    def counts() -> list[int] | None:
        ended = [ended_chunks(worker.log.read_text()) for worker in workers.workers]
        return ended if sum(ended) == count else None

    return list(wait_for(counts, timeout=30, what=f"{count} chunks ended"))


def finished(batch: PrintBatch) -> bool:
    return PrintBatch.objects.get(pk=batch.pk).is_finished


def assert_each_printed_once(batch: PrintBatch, licences: list) -> None:
    batch.refresh_from_db()
    assert (batch.state, batch.printed_count, batch.failed_count) == (
        PrintBatchState.FINISHED,
        len(licences),
        0,
    )
    printed = Counter(IssuedDocument.objects.values_list("licence_id", flat=True))
    assert printed == Counter(x.pk for x in licences)
    issued = AuditEvent.objects.filter(verb=Verb.DOCUMENT_ISSUED).count()
    assert issued == len(licences)
    for item in batch.items.select_related("document"):
        assert item.document.idempotency_key == f"batch:{batch.pk}:{item.pk}"


def test_a_batch_is_shared_by_the_workers_chunk_by_chunk(workers, registrar):
    licences = [LicenceFactory() for _ in range(7)]
    batch = batches.start_batch(licence_ids=[x.pk for x in licences], by=registrar)
    wait_for(lambda: finished(batch), timeout=120, what="the batch finished")
    assert_each_printed_once(batch, licences)
    chunks = chunks_ended(workers, 4)  # 7 licences in chunks of 2
    assert all(chunks), f"each worker printed a share: {chunks}"
    # Each chunk linked its audit events into the chain when it ended.
    issued = AuditEvent.objects.filter(verb=Verb.DOCUMENT_ISSUED)
    assert AuditChainLink.objects.filter(event__in=issued).count() == len(licences)
    assert verify_chain().ok


def test_a_chunk_delivered_twice_at_once_prints_each_licence_once(workers, registrar):
    """The same chunk message on both workers at once (a redelivery after the visibility
    timeout while the first delivery still prints): they take the items one at a time and
    skip those the other holds or has printed."""
    licences = [LicenceFactory() for _ in range(12)]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(batches, "enqueue", lambda task, *args: False)  # the job is lost
        batch = batches.start_batch(licence_ids=[x.pk for x in licences], by=registrar)
    item_ids = list(batch.items.order_by("position").values_list("pk", flat=True))
    workers.send(tasks.print_batch_chunk, batch.pk, item_ids)
    # The second copy once the first one is printing: a worker busy with a task takes no
    # other message, so the other worker takes it.
    wait_for(lambda: IssuedDocument.objects.exists(), timeout=60, what="the first print")
    workers.send(tasks.print_batch_chunk, batch.pk, item_ids)
    wait_for(lambda: finished(batch), timeout=120, what="the batch finished")
    assert_each_printed_once(batch, licences)
    assert chunks_ended(workers, 2) == [1, 1], "each worker had a copy"
