"""``make bench``: the officers' lists, their dashboard, and the nightly scans over many licences.

Runs against its own PostgreSQL database (``BENCH_DATABASE_URL``, default
``postgres://postgres@127.0.0.1:5432/licensing_bench``), seeds it once up to
``BENCH_LICENCES`` licences (default 1,000,000) with ``seed_demo`` and then times, in process,
what an officer waits for: each admin page is requested five times and the median is reported
with its query count. Results go to standard output as a Markdown table for
docs/benchmarks.md. Never a timed unit test: these numbers depend on the machine."""

from __future__ import annotations

import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

BENCH_URL = os.environ.get(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/licensing_bench"
)
LICENCES = int(os.environ.get("BENCH_LICENCES", "1000000"))
RUNS = 5


def ensure_database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    server = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(server, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def timed(call: Callable[[], object]) -> tuple[float, int]:
    """Median milliseconds over RUNS calls, and the queries of one call."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    call()  # warm caches the way a second officer would find them
    samples = []
    for _ in range(RUNS):
        start = time.perf_counter()
        call()
        samples.append((time.perf_counter() - start) * 1000)
    with CaptureQueriesContext(connection) as captured:
        call()
    return statistics.median(samples), len(captured)


def bench_django() -> bool:
    """Django on the benchmarks' own PostgreSQL database; False (and said) on anything else."""
    if not BENCH_URL.startswith("postgres"):
        print("make bench needs PostgreSQL (BENCH_DATABASE_URL=postgres://...).", file=sys.stderr)
        return False
    ensure_database(BENCH_URL)
    os.environ["DATABASE_URL"] = BENCH_URL
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "licensing.settings")
    import django

    django.setup()
    return True


def main() -> int:
    if not bench_django():
        return 2
    import datetime as dt

    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from licensing import selectors
    from licensing.models import Licence

    call_command("migrate", verbosity=0)
    have = Licence.objects.count()
    if have < LICENCES:
        print(f"seeding {LICENCES - have:,} licences (once; kept for the next run)", flush=True)
        start = time.perf_counter()
        call_command("seed_demo", licences=LICENCES - have, stdout=sys.stderr)
        print(f"seeded in {time.perf_counter() - start:,.0f} s", flush=True)
        with connection.cursor() as cursor:
            # What autovacuum does in production: statistics, and the visibility map that lets
            # the counts by state and expiry be index-only scans.
            cursor.execute("VACUUM ANALYZE")
    total = Licence.objects.count()

    officer, _ = get_user_model().objects.get_or_create(
        username="bench-officer", defaults={"is_staff": True}
    )
    officer.groups.add(Group.objects.get(name="licence officer"))
    client = Client(HTTP_HOST="localhost")
    client.force_login(officer)
    sample = Licence.objects.order_by("pk").values_list("number", flat=True)[total // 2]
    holder = quote(
        Licence.objects.order_by("pk").values_list("holder__legal_name", flat=True)[total // 3]
    )
    today = timezone.localdate()

    from licensing.services import reminders

    def windows() -> list[tuple[int, dt.date, dt.date]]:
        return [
            (t, today + dt.timedelta(days=lower + 1), today + dt.timedelta(days=t + 1))
            for t, lower in reminders.reminder_windows()
        ]

    def reminder_scan() -> int:
        """What send_due_expiry_reminders reads before it writes: every batch of ids."""
        read = 0
        for threshold, lower in reminders.reminder_windows():
            due = reminders.due_for_reminder(today, threshold, lower)
            for ids in reminders._batches(due, 500):
                read += len(ids)
        return read

    def bare_scan() -> int:
        read = 0
        with connection.cursor() as cursor:
            for _threshold, start, end in windows():
                cursor.execute(
                    "SELECT id FROM licensing_licence WHERE state = 'active' "
                    "AND expires_on >= %s AND expires_on < %s",
                    [start, end],
                )
                read += len(cursor.fetchall())
        return read

    def page(url: str) -> Callable[[], object]:
        def get() -> object:
            response = client.get(url)
            if response.status_code != 200:
                raise RuntimeError(f"{url} answered {response.status_code}")
            return response

        return get

    rows = [
        ("Licence list, first page (unfiltered)", page("/admin/licensing/licence/")),
        ("Licence list, page 100", page("/admin/licensing/licence/?p=100")),
        ("Licence list, expiring within 30 days", page("/admin/licensing/licence/?expires=30")),
        ("Licence list, search by number", page(f"/admin/licensing/licence/?q={sample}")),
        (
            "Licence list, search by a name that matches nothing",
            page("/admin/licensing/licence/?q=Tobakk"),
        ),
        (
            "Licence list, search by holder name",
            page(f"/admin/licensing/licence/?q={holder}"),
        ),
        ("Application queue, open cases", page("/admin/licensing/application/?queue=open")),
        ("Application list, first page (unfiltered)", page("/admin/licensing/application/")),
        (
            "Selector: active licences expiring in 30 days (count)",
            lambda: selectors.licences_expiring(today, today + dt.timedelta(days=30)).count(),
        ),
        ("Officers' dashboard (admin home page)", page("/admin/")),
        ("Reminder scan: ids due at every threshold (nightly job's reads)", reminder_scan),
        ("Bare index scan of the same windows (SQL, no reminder check)", bare_scan),
    ]
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        version = cursor.fetchone()[0]
    print(
        f"\n{total:,} licences; PostgreSQL {version}; {platform.platform()}; "
        f"{os.cpu_count()} cores; median of {RUNS}\n"
    )
    print("| what | median ms | queries |")
    print("| --- | ---: | ---: |")
    for label, call in rows:
        ms, queries = timed(call)
        print(f"| {label} | {ms:,.1f} | {queries} |", flush=True)
    print(f"\nreminder windows read: {reminder_scan():,} licences due; {bare_scan():,} in range")
    run_reminder_job(today)
    return 0


def run_reminder_job(today: Any, sample: int = 2000) -> None:
    """The job's writes, and its scan on a night when the reminders already exist. Both in
    transactions that are rolled back, so the next run finds the same licences due.

    Writes: ``send_expiry_reminder`` for the first ``sample`` licences due (reminder and
    notification rows, row locks; the e-mails leave after a commit, one task each, and are not
    timed). Steady state: every due reminder inserted in bulk, then the scan timed, which is
    what each hourly run costs once the first run has sent the backlog."""
    import datetime as dt
    import logging

    from django.db import connection, transaction

    from licensing.services import reminders

    logging.getLogger("licensing.services.reminders").setLevel(logging.WARNING)
    ids: list[int] = []
    for threshold, lower in reminders.reminder_windows():
        ids += list(
            reminders.due_for_reminder(today, threshold, lower).values_list("pk", flat=True)
        )
    with transaction.atomic():
        start = time.perf_counter()
        written = sum(
            reminders.send_expiry_reminder(licence_id=pk, today=today) is not None
            for pk in ids[:sample]
        )
        elapsed = time.perf_counter() - start
        transaction.set_rollback(True)
    print(
        f"reminder writes: {written:,} reminders (2 e-mail rows each) in {elapsed:,.1f} s, "
        f"{written / max(elapsed, 0.001):,.0f} per second; the first run at this size writes "
        f"{len(ids):,}",
        flush=True,
    )
    with transaction.atomic(), connection.cursor() as cursor:
        for threshold, lower in reminders.reminder_windows():
            window = [
                today + dt.timedelta(days=lower + 1),
                today + dt.timedelta(days=threshold + 1),
            ]
            cursor.execute(
                "INSERT INTO licensing_notification (created_at, updated_at, key, template, "
                "recipient, language, context, status, attempts, last_error) "
                "SELECT now(), now(), 'bench:' || id || ':' || expires_on || ':' || %s, "
                "'expiry_reminder', 'bench@example.com', 'en', '{}', 'sent', 1, '' "
                "FROM licensing_licence WHERE state = 'active' "
                "AND expires_on >= %s AND expires_on < %s",
                [threshold, *window],
            )
            cursor.execute(
                "INSERT INTO licensing_expiryreminder (created_at, updated_at, licence_id, "
                "term_expires_on, threshold, holder_notification_id) "
                "SELECT now(), now(), l.id, l.expires_on, %s, n.id FROM licensing_licence l "
                "JOIN licensing_notification n "
                "ON n.key = 'bench:' || l.id || ':' || l.expires_on || ':' || %s "
                "WHERE l.state = 'active' AND l.expires_on >= %s AND l.expires_on < %s",
                [threshold, threshold, *window],
            )
        cursor.execute("ANALYZE licensing_expiryreminder")
        samples = []
        for _ in range(RUNS):
            start = time.perf_counter()
            found = reminders.send_due_expiry_reminders(today=today)
            samples.append((time.perf_counter() - start) * 1000)
        transaction.set_rollback(True)
    print(
        f"reminder job, steady state (every due reminder already sent): "
        f"{statistics.median(samples):,.1f} ms median of {RUNS}, {found} written",
        flush=True,
    )


if __name__ == "__main__":
    sys.exit(main())
