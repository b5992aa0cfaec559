"""``make bench``, the tamper-evident audit trail (licensing/audit_chain.py): what sealing and
linking add to each event an officer's action writes, and how fast the nightly verification
walks the chain.

Runs on ``BENCH_DATABASE_URL`` (as ``benchmarks``). Seeds, once, ``AUDIT_BENCH_EVENTS`` events
(default 100,000) with valid digests in bulk and links them (timed: the nightly job's
catch-up). Then, each in its own committed transaction, ``AUDIT_BENCH_WRITES`` times (default
1,000):

- a bare ``INSERT`` of the same row through a cursor into a scratch copy of the table;
- ``record_event`` with the linking after the commit switched off (the digest and the ORM);
- ``record_event`` as the services call it (digest, insert, commit, then the linking under the
  advisory lock in its own transaction);

and ``verify_chain(full=True)`` over every link, in events per second. The events written here
stay in the benchmark database's trail, linked: this is synthetic data."""

from __future__ import annotations

import os
import platform
import statistics
import sys
import time
from collections.abc import Callable

from benchmarks.common import bench_django

EVENTS = int(os.environ.get("AUDIT_BENCH_EVENTS", "100000"))
WRITES = int(os.environ.get("AUDIT_BENCH_WRITES", "1000"))


def per_call_ms(call: Callable[[int], object], count: int) -> tuple[float, float]:
    """Median and 95th percentile milliseconds of ``count`` calls."""
    samples = []
    for n in range(count):
        start = time.perf_counter()
        call(n)
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.95)]


def main() -> int:
    if not bench_django():
        return 2
    from django.contrib.auth import get_user_model
    from django.contrib.contenttypes.models import ContentType
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    from licensing import audit_chain
    from licensing.audit_hashing import event_digest, json_safe
    from licensing.audit_verify import verify_chain
    from licensing.models import AuditChainLink, AuditEvent, Verb
    from licensing.services import audit

    call_command("migrate", verbosity=0)
    user, _ = get_user_model().objects.get_or_create(username="bench-auditor")
    content_type = ContentType.objects.get_for_model(user)

    have = AuditEvent.objects.count()
    if have < EVENTS:
        print(f"seeding {EVENTS - have:,} audit events (once)", file=sys.stderr, flush=True)
        for first in range(have, EVENTS, 5000):
            batch = []
            for n in range(first, min(first + 5000, EVENTS)):
                event = AuditEvent(
                    at=timezone.now(),
                    actor=user,
                    actor_label=user.username,
                    content_type=content_type,
                    object_id=str(user.pk),
                    object_repr=f"bench {n}",
                    verb=Verb.EDITED,
                    reason=f"Benchmark event {n}.",
                    changes=json_safe({"field": {"from": n, "to": n + 1}}),
                )
                event.digest = event_digest(event)
                batch.append(event)
            AuditEvent.objects.bulk_create(batch)
    unlinked = AuditEvent.objects.filter(chain_link__isnull=True).count()
    start = time.perf_counter()
    linked = audit_chain.link_pending_events(full=True)
    catch_up = time.perf_counter() - start

    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_auditevent")
        cursor.execute("CREATE TABLE bench_auditevent (LIKE licensing_auditevent INCLUDING ALL)")

    def bare(n: int) -> None:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO bench_auditevent (at, actor_id, actor_label, content_type_id, "
                "object_id, object_repr, verb, from_state, to_state, reason, ip, changes, "
                "digest) VALUES (now(), %s, %s, %s, %s, %s, 'edited', '', '', %s, NULL, %s, '')",
                [
                    user.pk,
                    user.username,
                    content_type.pk,
                    str(user.pk),
                    f"bench {n}",
                    f"Write {n}.",
                    '{"field": {"from": 1, "to": 2}}',
                ],
            )

    def recorded(n: int) -> None:
        with transaction.atomic():
            audit.record_event(
                user,
                verb=Verb.EDITED,
                by=user,
                reason=f"Write {n}.",
                changes={"field": {"from": 1, "to": 2}},
            )

    rows: list[tuple[str, float, float]] = [("bare INSERT (cursor)", *per_call_ms(bare, WRITES))]
    real_link = audit.link_after_commit
    audit.link_after_commit = lambda event: None
    try:
        rows.append(("record_event, no linking", *per_call_ms(recorded, WRITES)))
    finally:
        audit.link_after_commit = real_link
    audit_chain.link_pending_events(full=True)  # those just written, before the next row
    rows.append(("record_event with linking after commit", *per_call_ms(recorded, WRITES)))

    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE bench_auditevent")
        cursor.execute("ANALYZE licensing_auditevent")
        cursor.execute("ANALYZE licensing_auditchainlink")
        cursor.execute("SHOW server_version")
        version = cursor.fetchone()[0]

    start = time.perf_counter()
    report = verify_chain(full=True)
    verify_s = time.perf_counter() - start
    total = AuditChainLink.objects.count()

    print(
        f"\n{total:,} linked audit events; PostgreSQL {version}; {platform.platform()}; "
        f"{os.cpu_count()} cores; {WRITES:,} writes each, one committed transaction per write\n"
    )
    print("| what | median ms | p95 ms |")
    print("| --- | ---: | ---: |")
    for label, median, p95 in rows:
        print(f"| {label} | {median:.2f} | {p95:.2f} |")
    print(
        f"\nnightly catch-up: {linked:,} of {unlinked:,} unlinked events linked in "
        f"{catch_up:,.1f} s ({linked / max(catch_up, 0.001):,.0f} events/s)"
    )
    print(
        f"verify_chain(full=True): {report.events_verified:,} events in {verify_s:,.1f} s "
        f"({report.events_verified / max(verify_s, 0.001):,.0f} events/s), "
        f"{'intact' if report.ok else f'BROKEN at {report.first_broken}'}"
    )
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
