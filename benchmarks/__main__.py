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


def main() -> int:
    if not BENCH_URL.startswith("postgres"):
        print("make bench needs PostgreSQL (BENCH_DATABASE_URL=postgres://...).", file=sys.stderr)
        return 2
    ensure_database(BENCH_URL)
    os.environ["DATABASE_URL"] = BENCH_URL
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "licensing.settings")
    import django

    django.setup()
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
            cursor.execute("ANALYZE")
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


def run_reminder_job(today: Any) -> None:
    """The whole job once, its writes included (reminder and notification rows, row locks), in
    one transaction that is rolled back, so the next run finds the same licences due. The
    e-mails are not sent: they leave after a commit, one task each."""
    import logging

    from django.db import transaction

    from licensing.services import reminders

    logging.getLogger("licensing.services.reminders").setLevel(logging.WARNING)
    start = time.perf_counter()
    with transaction.atomic():
        written = reminders.send_due_expiry_reminders(today=today)
        elapsed = time.perf_counter() - start
        transaction.set_rollback(True)
    print(
        f"reminder job, one run: {written:,} reminders written and queued in {elapsed:,.1f} s "
        f"({written / max(elapsed, 0.001):,.0f} per second); rolled back, no mail sent",
        flush=True,
    )


if __name__ == "__main__":
    sys.exit(main())
