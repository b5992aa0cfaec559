"""Verifying the audit trail's hash chain (docs/audit-chain.md; ASVS V16.4.2).

Walks the links in position order, a batch at a time (memory stays flat for millions of
events), recomputes every event's digest from its row as it is now, and checks each link's
previous hash, hash and position; then the checkpoints' seals and that the chain still holds
what each intact checkpoint saw; then the events that were never linked. Names the first
broken link."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone

from licensing.audit_chain import Break, ChainReport
from licensing.audit_hashing import GENESIS, chain_key, checkpoint_mac, event_digest, link_hash
from licensing.audit_hashing import same as _same
from licensing.models.audit import AuditChainLink, AuditCheckpoint, AuditEvent

BATCH = 2000


def _start(report: ChainReport, key: bytes) -> AuditCheckpoint | None:
    """The latest intact checkpoint whose seal holds and whose link is still there, to start
    an incremental walk from (None: walk everything)."""
    latest = AuditCheckpoint.objects.filter(ok=True).order_by("-position", "-pk").first()
    if latest is None or latest.position == 0:
        return None
    link = AuditChainLink.objects.filter(position=latest.position).first()
    if (
        link is None
        or not _same(link.hash, latest.hash)
        or not _same(checkpoint_mac(key, latest), latest.mac)
    ):
        return None  # _checkpoints reports it
    report.position, report.hash, report.last_event_id = link.position, link.hash, link.event_id
    return latest


def _walk(report: ChainReport, key: bytes, start: AuditCheckpoint | None) -> None:
    position, previous = (start.position, start.hash) if start else (0, GENESIS)
    while True:
        links = list(
            AuditChainLink.objects.filter(position__gt=position).order_by("position")[:BATCH]
        )
        if not links:
            return
        events = AuditEvent.objects.in_bulk([link.event_id for link in links])
        for link in links:
            if link.position != position + 1:
                missing = (
                    f"link {position + 1} is missing"
                    if link.position == position + 2
                    else f"links {position + 1} to {link.position - 1} are missing"
                )
                report.broken(Break(position + 1, None, f"{missing} (deleted)"))
            elif not _same(link.previous_hash, previous):
                report.broken(
                    Break(
                        link.position,
                        link.event_id,
                        "the previous hash does not match the link before it",
                    )
                )
            expected = link_hash(
                key,
                previous_hash=link.previous_hash,
                position=link.position,
                event_id=link.event_id,
                digest=link.event_digest,
            )
            event = events.get(link.event_id)
            if not _same(expected, link.hash):
                report.broken(Break(link.position, link.event_id, "the link has been altered"))
            elif event is None:
                report.broken(Break(link.position, link.event_id, "the event has been deleted"))
            elif not _same(event_digest(event, key), link.event_digest):
                report.broken(Break(link.position, link.event_id, "the event has been altered"))
            elif not _same(event.digest, link.event_digest):
                report.broken(
                    Break(link.position, link.event_id, "the event's digest has been altered")
                )
            report.events_verified += 1
            position, previous = link.position, link.hash
            report.position, report.hash, report.last_event_id = (
                link.position,
                link.hash,
                link.event_id,
            )


def _checkpoints(report: ChainReport, key: bytes) -> None:
    """Every checkpoint's seal; and each intact one's position still holds the hash it saw,
    so a chain cut short or rewritten after a checkpoint shows."""
    for checkpoint in AuditCheckpoint.objects.order_by("position", "pk").iterator(BATCH):
        if not _same(checkpoint_mac(key, checkpoint), checkpoint.mac):
            report.broken(
                Break(
                    None,
                    None,
                    f"checkpoint {checkpoint.pk} has been forged or altered",
                )
            )
            continue
        if not checkpoint.ok or checkpoint.position == 0:
            continue
        link = AuditChainLink.objects.filter(position=checkpoint.position).first()
        if link is None or not _same(link.hash, checkpoint.hash):
            report.broken(
                Break(
                    checkpoint.position,
                    checkpoint.last_event_id,
                    f"the chain no longer holds what checkpoint {checkpoint.pk} of "
                    f"{checkpoint.verified_at:%Y-%m-%d %H:%M} UTC saw "
                    f"({'truncated' if link is None else 'rewritten'})",
                )
            )


def _unlinked(report: ChainReport, key: bytes, start: AuditCheckpoint | None) -> None:
    """Events outside the chain after the grace period: a valid digest is a straggler (the
    nightly job links it first), an invalid one a row inserted or altered behind the app."""
    grace = dt.timedelta(seconds=settings.AUDIT_CHAIN_GRACE_SECONDS)
    unlinked = AuditEvent.objects.filter(chain_link__isnull=True, at__lt=timezone.now() - grace)
    if start is not None:
        unlinked = unlinked.filter(at__gte=start.verified_at - grace)
    for event in unlinked.order_by("pk").iterator(BATCH):
        if _same(event_digest(event, key), event.digest):
            report.stragglers += 1
        else:
            report.broken(Break(None, event.pk, "an event outside the chain, not written here"))


def verify_chain(*, full: bool = True) -> ChainReport:
    """Verify the chain. ``full=False`` starts at the latest intact checkpoint (every
    checkpoint's seal is still checked). Reads only; the nightly job seals the result."""
    key = chain_key()
    report = ChainReport()
    start = None if full else _start(report, key)
    _walk(report, key, start)
    _checkpoints(report, key)
    _unlinked(report, key, start)
    return report
