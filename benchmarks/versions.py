"""``make bench``, record versions: a party as the authority knew it, and the migration that
turned the existing records into version 1, at ``BENCH_LICENCES`` licences (default 1,000,000).

Runs on the licence benchmarks' database (``BENCH_DATABASE_URL``, as ``benchmarks``), seeding it
first if it has fewer licences. When the licence holders have no versions yet (``seed_demo``
writes none, and migration 0024 ran on the empty database before seeding), it runs the
migration's forward function over them once, timed, and keeps what it wrote.

Then times, each beside its physical baseline (five runs after a warm-up, the median, and the
queries of one run):

- ``party_as_of`` of a licence holder picked at random (fixed seed), a year ago and now, against
  the current-record read through the ORM and the bare as-of SQL through a cursor;
- the party's admin change page (with its "History" panel);
- migration 0024's forward function over every licence holder, each run in a transaction that
  is rolled back (the deferred foreign-key checks forced before the clock stops), against
  copying the same rows into a scratch table.

The migration figure starts from the state the migration finds, committed: no versions and no
party approved. Afterwards the forward function runs once more and is committed, so the
database ends as migrated. Any other version in the benchmark database is lost on the way:
this is synthetic data, never a database anyone keeps.

Prints a Markdown table for docs/benchmarks.md and the plan of the as-of query."""

from __future__ import annotations

import datetime as dt
import importlib
import os
import platform
import random
import statistics
import sys
import time
import types
from collections.abc import Callable
from typing import Any

from benchmarks.common import LICENCES, RUNS, bench_django, timed

SEED = 2026
MIGRATION = "licensing.migrations.0024_versions_of_existing_records"
BARE_AS_OF = (
    "SELECT id, record_type, record_id, party_id, version, valid_from, valid_to, data, ended, "
    "source, application_id, approved_by_id FROM licensing_recordversion "
    "WHERE party_id = %s AND valid_from <= %s AND (valid_to IS NULL OR valid_to > %s) "
    "AND NOT ended ORDER BY record_type, record_id"
)


def seed_if_needed() -> None:
    """The licence benchmarks' data, as ``python -m benchmarks`` seeds it."""
    from django.core.management import call_command
    from django.db import connection

    from licensing.models import Licence

    have = Licence.objects.count()
    if have < LICENCES:
        print(f"seeding {LICENCES - have:,} licences (once; kept for the next run)", flush=True)
        start = time.perf_counter()
        call_command("seed_demo", licences=LICENCES - have, stdout=sys.stderr)
        print(f"seeded in {time.perf_counter() - start:,.0f} s", flush=True)
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")


def run_migration() -> None:
    """Migration 0024's forward function, on the models as they are now."""
    from django.apps import apps
    from django.db import connection

    module = importlib.import_module(MIGRATION)
    module.forwards(apps, types.SimpleNamespace(connection=connection))


def before_migration() -> None:
    """The state migration 0024 finds: no versions, no party approved yet. Committed."""
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("TRUNCATE licensing_recordversion")
        cursor.execute(
            "UPDATE licensing_party SET approved_at = NULL WHERE approved_at IS NOT NULL"
        )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE licensing_party")


def statement_times(call: Callable[[], object]) -> list[tuple[str, float, int]]:
    """Runs ``call`` and returns each statement's first words, milliseconds and rows."""
    from django.db import connection

    found: list[tuple[str, float, int]] = []

    def wrapper(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        start = time.perf_counter()
        result = execute(sql, params, many, context)
        elapsed = (time.perf_counter() - start) * 1000
        found.append((sql, elapsed, context["cursor"].rowcount))
        return result

    with connection.execute_wrapper(wrapper):
        call()
    return found


def describe(sql: str) -> str:
    """Which table an INSERT ... SELECT of the migration reads (or the UPDATE of parties)."""
    if sql.startswith("UPDATE"):
        return "UPDATE licensing_party SET approved_at"
    start = sql.find("'licensing.")
    return sql[start + 1 : sql.find("'", start + 1)] if start >= 0 else sql[:40]


def timed_heavy(
    call: Callable[[], object], before: Callable[[], object] | None = None
) -> tuple[float, int]:
    """As ``timed``, for statements of seconds: a warm-up and RUNS runs (``before`` each,
    untimed), the queries counted in the last."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    samples = []
    for n in range(RUNS + 1):
        if before:
            before()
        if n == RUNS:
            with CaptureQueriesContext(connection) as captured:
                start = time.perf_counter()
                call()
                elapsed = time.perf_counter() - start
        else:
            start = time.perf_counter()
            call()
            elapsed = time.perf_counter() - start
        if n:
            samples.append(elapsed * 1000)
    return statistics.median(samples), len(captured)


def main() -> int:
    if not bench_django():
        return 2
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.test import Client
    from django.utils import timezone

    from licensing.admin import panels
    from licensing.admin.changes import history_panel
    from licensing.as_of import party_as_of, versions_at
    from licensing.models import (
        BankAccount,
        Licence,
        Party,
        Person,
        RecordVersion,
        Site,
        TaxRegistration,
    )

    call_command("migrate", verbosity=0)
    seed_if_needed()
    licences = Licence.objects.count()
    holders = sorted(set(Licence.objects.values_list("holder_id", flat=True).distinct()))

    # Licence holders without versions: the migration has not run over them yet.
    versioned = RecordVersion.objects.filter(record_type="licensing.party").count()
    if versioned < len(holders):
        print(
            f"{len(holders) - versioned:,} licence holders have no versions: running migration "
            "0024's forward function over every record (once; kept for the next run)",
            flush=True,
        )
        before_migration()
        start = time.perf_counter()
        with transaction.atomic():
            steps = statement_times(run_migration)
        elapsed = time.perf_counter() - start
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE licensing_recordversion, licensing_party")
        print(
            f"migration 0024: {RecordVersion.objects.count():,} versions in {elapsed:,.1f} s",
            flush=True,
        )
        for sql, ms, rows in steps:
            print(f"    {describe(sql)}: {rows:,} rows, {ms / 1000:,.1f} s", flush=True)

    rng = random.Random(SEED)  # noqa: S311 - picks a sample, not a secret
    party_id = rng.choice(holders)
    now = timezone.now()
    year_ago = now - dt.timedelta(days=365)
    found_now = party_as_of(party_id)
    found_then = party_as_of(party_id, year_ago)
    rows_now = len(versions_at(party_id, now))
    rows_then = len(versions_at(party_id, year_ago))
    history = RecordVersion.objects.filter(party_id=party_id).count()

    def current() -> object:
        party = Party.objects.get(pk=party_id)
        return (
            party,
            list(TaxRegistration.objects.filter(party_id=party_id)),
            list(BankAccount.objects.filter(party_id=party_id)),
            list(Person.objects.filter(party_id=party_id)),
            list(Site.objects.filter(party_id=party_id)),
        )

    def bare(when: dt.datetime) -> Callable[[], object]:
        def select() -> object:
            with connection.cursor() as cursor:
                cursor.execute(BARE_AS_OF, [party_id, when, when])
                return cursor.fetchall()

        return select

    admin, _created = get_user_model().objects.get_or_create(
        username="bench-admin", defaults={"is_staff": True, "is_superuser": True}
    )
    client = Client(HTTP_HOST="localhost")
    client.force_login(admin)
    change_url = f"/admin/licensing/party/{party_id}/change/"

    def page(url: str) -> Callable[[], object]:
        def get() -> object:
            response = client.get(url)
            if response.status_code != 200:
                raise RuntimeError(f"{url} answered {response.status_code}")
            return response

        return get

    def without_history(call: Callable[[], object]) -> Callable[[], object]:
        """``call`` with the party page's History panel unregistered for its duration."""

        def run() -> object:
            registered = panels._panels.get("licensing.party", [])
            panels._panels["licensing.party"] = [p for p in registered if p is not history_panel]
            try:
                return call()
            finally:
                panels._panels["licensing.party"] = registered

        return run

    # Each row: label, call, baseline label, baseline call, goal.
    pairs: list[tuple[str, Callable[[], object], str, Callable[[], object], str]] = [
        (
            f"`party_as_of(party)`, a year ago ({rows_then} versions current)",
            lambda: party_as_of(party_id, year_ago),
            "bare as-of SQL, same `when`, cursor",
            bare(year_ago),
            "≤ 3x, < 10 ms",
        ),
        (
            f"`party_as_of(party)`, now ({rows_now} versions current)",
            lambda: party_as_of(party_id),
            "bare as-of SQL, same `when`, cursor",
            bare(now),
            "≤ 3x, < 10 ms",
        ),
        (
            "`party_as_of(party)`, now",
            lambda: party_as_of(party_id),
            "current records through the ORM (party, tax numbers, bank accounts, persons, sites)",
            current,
            "",
        ),
        (
            "Party admin change page (with the History panel)",
            page(change_url),
            "the same page without the History panel",
            without_history(page(change_url)),
            "",
        ),
        (
            "Party admin change page, `?as_of=` a year ago (History and the party on that day)",
            page(f"{change_url}?as_of={timezone.localdate(year_ago).isoformat()}"),
            "the same page without the History panel",
            without_history(page(change_url)),
            "",
        ),
    ]

    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        version = cursor.fetchone()[0]
    print(
        f"\n{licences:,} licences, {len(holders):,} licence holders, "
        f"{RecordVersion.objects.count():,} record versions; party {party_id} "
        f"({history} versions, {'found' if found_now else 'not found'} now, "
        f"{'found' if found_then else 'not found'} a year ago); {version}; "
        f"{platform.platform()}; {os.cpu_count()} cores; median of {RUNS}\n"
    )
    print("| what | median ms | queries | baseline | median ms | queries | ratio | goal |")
    print("| --- | ---: | ---: | --- | ---: | ---: | ---: | --- |")
    for label, call, base_label, base_call, goal in pairs:
        ms, queries = timed(call)
        base_ms, base_queries = timed(base_call)
        print(
            f"| {label} | {ms:,.2f} | {queries} | {base_label} | {base_ms:,.2f} | "
            f"{base_queries} | {ms / base_ms:,.1f}x | {goal} |",
            flush=True,
        )

    migration_ms, migration_queries, versions, steps = time_migration()
    temp_ms, temp_queries = time_copy(indexed=False)
    indexed_ms, indexed_queries = time_copy(indexed=True)
    print(
        f"| Migration 0024's forward function ({versions:,} versions written, parties approved, "
        f"foreign keys checked) | {migration_ms:,.0f} | {migration_queries} | `INSERT INTO` a "
        f"temporary table `SELECT *` the same rows (no index) | {temp_ms:,.0f} | {temp_queries} "
        f"| {migration_ms / temp_ms:,.1f}x | ≤ 5x |"
    )
    print(
        f"| the same | {migration_ms:,.0f} | {migration_queries} | the same rows into a logged "
        f"table with the same indexes | {indexed_ms:,.0f} | {indexed_queries} | "
        f"{migration_ms / indexed_ms:,.1f}x | |",
        flush=True,
    )

    print("\nThe migration's statements, last run:\n")
    for sql, ms, rows in steps:
        print(f"    {describe(sql)}: {rows:,} rows, {ms / 1000:,.1f} s")

    for label, when in (("a year ago", year_ago), ("now", now)):
        sql, params = versions_at(party_id, when).query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
            plan = [row[0] for row in cursor.fetchall()]
        print(f"\nPlan of the as-of query, {label}:\n")
        for line in plan:
            print(f"    {line}")
    return 0


def time_migration() -> tuple[float, int, int, list[tuple[str, float, int]]]:
    """Migration 0024's forward function from the state it finds (no versions, no party
    approved), each run rolled back: the versions are truncated inside the run's transaction,
    so that a rollback leaves no dead rows behind. The deferred foreign-key checks of the
    inserted rows run before the clock stops, as they would at the migration's commit.
    Returns the median, the migration's statements, the versions written and the statements'
    times in the last run."""
    from django.db import connection, transaction

    from licensing.models import RecordVersion

    versions = RecordVersion.objects.count()
    before_migration()
    clock: list[float] = []
    steps: list[tuple[str, float, int]] = []

    def migrate() -> None:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("TRUNCATE licensing_recordversion")
            start = time.perf_counter()
            steps[:] = statement_times(run_migration)
            checks = time.perf_counter()
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            end = time.perf_counter()
            steps.append(("foreign-key checks", (end - checks) * 1000, 0))
            clock.append(end - start)
            transaction.set_rollback(True)

    def vacuum() -> None:
        with connection.cursor() as cursor:
            cursor.execute("VACUUM licensing_party")

    for _ in range(RUNS + 1):
        vacuum()
        migrate()
    queries = len(steps) - 1
    # Back to what the other figures read: the versions kept.
    with transaction.atomic():
        run_migration()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE licensing_recordversion, licensing_party")
    written = RecordVersion.objects.count()
    if written != versions:
        print(f"note: {versions:,} versions before, {written:,} after", file=sys.stderr)
    return statistics.median(clock[1:]) * 1000, queries, written, steps


def time_copy(*, indexed: bool) -> tuple[float, int]:
    """The physical baseline of the migration: the rows it wrote, copied as they are into a
    scratch table (a temporary one without indexes, or a logged one with the same indexes)."""
    from django.db import connection

    table = "bench_versions_copy" if indexed else "bench_versions_temp"
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {table}")
        if indexed:
            cursor.execute(
                f"CREATE TABLE {table} (LIKE licensing_recordversion INCLUDING DEFAULTS "
                "INCLUDING CONSTRAINTS INCLUDING INDEXES)"
            )
        else:
            cursor.execute(
                f"CREATE TEMP TABLE {table} AS SELECT * FROM licensing_recordversion LIMIT 0"  # noqa: S608
            )

    def empty() -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"TRUNCATE {table}")

    def copy() -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"INSERT INTO {table} SELECT * FROM licensing_recordversion")  # noqa: S608

    try:
        return timed_heavy(copy, before=empty)
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE {table}")


if __name__ == "__main__":
    sys.exit(main())
