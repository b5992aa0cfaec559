"""The tamper-evident audit trail (docs/audit-chain.md; ASVS V16.4.2, V16.4.3).

Each event carries a keyed digest of its content (``AuditEvent.digest``, computed on insert).
After the business transaction commits, ``link_pending_events`` appends the new events to a
chain of links, each hashing the previous one, in its own short transaction under one lock:
linking inside the business transaction would hold a global lock until every commit. The
nightly job links what a failed or lost linking left behind, verifies the whole chain
(``licensing.audit_verify``), seals a checkpoint and alerts the senior officers on a break."""

from __future__ import annotations

import logging
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from django.db import IntegrityError, connection, transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone

from licensing.audit_hashing import (
    GENESIS,
    chain_key,
    checkpoint_mac,
    event_digest,
    link_hash,
    same,
)
from licensing.models.audit import AuditChainLink, AuditCheckpoint, AuditEvent, Verb

logger = logging.getLogger(__name__)

# pg_advisory_xact_lock's key for appending to the chain ("audit" in ASCII).
LOCK_KEY = 0x6175646974
# After a commit, the transaction's own events are linked, and any other unlinked event above
# this many ids below the chain's head (one whose own linking is still waiting for the lock).
# Older stragglers (a linking that failed): the nightly job.
LOOKBACK_IDS = 200
BATCH = 1000


def _lock() -> None:
    """One appender at a time. On SQLite the file's write lock serialises writers anyway, and a
    second appender that read the same head fails on the unique position and retries."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])


def _unlinked_above(after: int) -> list[AuditEvent]:
    """The first unlinked events above an id, in id order. Both sides are bounded, so
    PostgreSQL merges two index range scans instead of reading every link."""
    linked = AuditChainLink.objects.filter(event_id=OuterRef("pk"), event_id__gt=after)
    return list(
        AuditEvent.objects.filter(pk__gt=after).filter(~Exists(linked)).order_by("pk")[:BATCH]
    )


def _append_batch(
    key: bytes, *, after: int | None, event_ids: Collection[int] = ()
) -> tuple[int, int | None]:
    """Link one batch of pending events with ids above ``after`` (``after=None``: the recent
    ids below the head), and the named events, in id order. Returns how many were linked and
    the last id looked at, or None when there is nothing more to look at."""
    with transaction.atomic():
        _lock()
        head = AuditChainLink.objects.order_by("-position").first()
        if after is None:
            after = head.event_id - LOOKBACK_IDS if head is not None else 0
        events = _unlinked_above(after)
        scanned = len(events)
        last = events[-1].pk if scanned == BATCH else None
        older = [pk for pk in event_ids if pk <= after]
        if older:
            events = sorted(
                [*events, *AuditEvent.objects.filter(pk__in=older, chain_link__isnull=True)],
                key=lambda event: event.pk,
            )
        position = head.position if head is not None else 0
        previous = head.hash if head is not None else GENESIS
        links = []
        for event in events:
            digest = event_digest(event, key)
            if not same(digest, event.digest):
                # Never link a row that record_event did not write with this key: the verifier
                # reports it as inserted or altered (licensing.audit_verify).
                logger.warning("audit event %s has an invalid digest: not linked", event.pk)
                continue
            position += 1
            current = link_hash(
                key, previous_hash=previous, position=position, event_id=event.pk, digest=digest
            )
            links.append(
                AuditChainLink(
                    position=position,
                    event=event,
                    event_digest=digest,
                    previous_hash=previous,
                    hash=current,
                )
            )
            previous = current
        AuditChainLink.objects.bulk_create(links)
    return len(links), last


def link_pending_events(
    *, full: bool = False, event_ids: Collection[int] = (), since: int | None = None
) -> int:
    """Append committed events that have no link yet: ``event_ids`` and the recent ids (after
    each commit), every unlinked event from id ``since`` on (a bulk write's range), or every
    event (``full``: the nightly job); ``BATCH`` events per transaction. Safe to run at any
    time and concurrently. Returns the number of events linked."""
    key = chain_key()
    linked = 0
    after: int | None = 0 if full else None
    if since is not None and not full:
        after = since - 1
    attempts = 0
    while True:
        try:
            count, last = _append_batch(key, after=after, event_ids=event_ids)
        except IntegrityError:
            # Another appender took the same position (SQLite only): read the head again.
            attempts += 1
            if attempts > 5:
                raise
            continue
        linked += count
        if last is None:
            return linked
        after, event_ids = last, ()


class _LinkAfterCommit:
    """The callback ``record_event`` registers; it remembers having run, so a transaction
    registers a new one only while none of its own is still waiting."""

    def __init__(self) -> None:
        self.ran = False
        self.event_ids: list[int] = []
        # The first id of events written in bulk: linked as a range, not named one by one.
        self.since: int | None = None

    def __call__(self) -> None:
        self.ran = True
        try:
            link_pending_events(event_ids=self.event_ids, since=self.since)
        except Exception:
            # Never fails the user's request: the nightly job links what is left.
            logger.exception("linking the audit chain failed; the nightly job will catch up")


# Set inside ``linking_deferred``: what the block's commits wrote, linked when it ends.
_deferred: ContextVar[_LinkAfterCommit | None] = ContextVar("audit_linking_deferred", default=None)


@contextmanager
def linking_deferred() -> Iterator[None]:
    """Link the events that the block's transactions commit once, when the block ends, instead
    of once per commit: for a job that commits many short transactions in a row (a print
    batch's chunk), one linking instead of one each, with its lock and its commit. An event
    whose transaction rolled back does not exist and is not linked; a block that never ends
    (its process killed) leaves its events to the next linking or the nightly job."""
    if _deferred.get() is not None:
        yield  # an outer block links them
        return
    pending = _LinkAfterCommit()
    token = _deferred.set(pending)
    try:
        yield
    finally:
        _deferred.reset(token)
        if pending.event_ids or pending.since is not None:
            if connection.in_atomic_block:
                transaction.on_commit(pending)  # never under the caller's transaction
            else:
                pending()


def _callback() -> _LinkAfterCommit:
    deferred = _deferred.get()
    if deferred is not None:
        return deferred
    for entry in connection.run_on_commit:
        func = entry[1]
        if isinstance(func, _LinkAfterCommit) and not func.ran:
            return func
    callback = _LinkAfterCommit()
    transaction.on_commit(callback)
    return callback


def link_after_commit(event: AuditEvent) -> None:
    """Called by ``record_event``: link this transaction's events once it commits, with one
    callback per transaction however many events it writes."""
    _callback().event_ids.append(event.pk)


def link_range_after_commit(first_id: int) -> None:
    """Called by ``record_events``: link every event from ``first_id`` on once the transaction
    commits, in batches of ``BATCH`` (a million events are a thousand short transactions, and
    their ids are never held in a list)."""
    callback = _callback()
    callback.since = first_id if callback.since is None else min(callback.since, first_id)


@dataclass(frozen=True)
class Break:
    """The first broken link: its position (None for an event outside the chain), the event
    it names and why."""

    position: int | None
    event_id: int | None
    reason: str

    def __str__(self) -> str:
        where = f"position {self.position}" if self.position is not None else "outside the chain"
        event = f", event {self.event_id}" if self.event_id is not None else ""
        return f"{where}{event}: {self.reason}"


@dataclass
class ChainReport:
    ok: bool = True
    events_verified: int = 0
    position: int = 0  # the head: the last link verified
    hash: str = ""
    last_event_id: int | None = None
    first_broken: Break | None = None
    breaks: int = 0
    stragglers: int = 0  # events with a valid digest that were never linked

    def broken(self, found: Break) -> None:
        self.ok = False
        self.breaks += 1
        if self.first_broken is None or (
            found.position is not None
            and (self.first_broken.position is None or found.position < self.first_broken.position)
        ):
            self.first_broken = found


def write_checkpoint(report: ChainReport) -> AuditCheckpoint:
    """Seal a verification's result under the chain's key."""
    checkpoint = AuditCheckpoint(
        position=report.position,
        hash=report.hash,
        last_event_id=report.last_event_id,
        events_verified=report.events_verified,
        verified_at=timezone.now(),
        ok=report.ok,
        first_broken=str(report.first_broken or ""),
    )
    checkpoint.mac = checkpoint_mac(chain_key(), checkpoint)
    checkpoint.save()
    return checkpoint


def run_nightly_verification() -> tuple[ChainReport, AuditCheckpoint]:
    """The nightly job: link stragglers, verify every link, seal a checkpoint, record the
    result in the trail and, on a break, alert every active senior officer by e-mail. A rerun
    writes another checkpoint and sends no second alert for the same break on the same day."""
    from licensing.audit_verify import verify_chain
    from licensing.services.audit import record_event

    link_pending_events(full=True)
    report = verify_chain(full=True)
    with transaction.atomic():
        checkpoint = write_checkpoint(report)
        record_event(
            checkpoint,
            verb=Verb.CHAIN_VERIFIED if report.ok else Verb.CHAIN_BROKEN,
            by=None,
            reason=checkpoint.first_broken,
            changes={
                "position": report.position,
                "events_verified": report.events_verified,
                "breaks": report.breaks,
                "stragglers": report.stragglers,
            },
        )
        if not report.ok:
            _alert_seniors(checkpoint)
    # A witness outside the database: the head's hash goes to the log as well.
    logger.info(
        "audit chain %s: %d events, position %d, hash %s",
        "verified" if report.ok else f"BROKEN at {report.first_broken}",
        report.events_verified,
        report.position,
        report.hash,
    )
    return report, checkpoint


def _alert_seniors(checkpoint: AuditCheckpoint) -> None:
    from django.conf import settings

    from licensing.services.notifications import queue_staff_alert

    day = timezone.now().date().isoformat()
    queue_staff_alert(
        groups=("senior officer",),
        key=f"audit_chain_broken:{day}:{checkpoint.first_broken[:80]}",
        template="audit_chain_broken",
        context={
            "first_broken": checkpoint.first_broken,
            "verified_at": checkpoint.verified_at.isoformat(timespec="seconds"),
            "admin_url": settings.PORTAL_BASE_URL.rstrip("/")
            + reverse("admin:licensing_auditevent_changelist"),
        },
    )


def chain_status() -> tuple[AuditCheckpoint | None, bool]:
    """The latest checkpoint, for the auditor's list of events, and whether its seal holds
    (a checkpoint forged in the database is not shown as a verified chain)."""
    checkpoint = AuditCheckpoint.objects.order_by("-verified_at", "-pk").first()
    if checkpoint is None:
        return None, False
    return checkpoint, same(checkpoint_mac(chain_key(), checkpoint), checkpoint.mac)
