"""``make bench``: the national-scale figures, each beside its physical baseline, in one table.

Runs against its own PostgreSQL database (``BENCH_DATABASE_URL``, default
``postgres://postgres@127.0.0.1:5432/licensing_bench``). Seeds it once up to ``BENCH_LICENCES``
licences (default 1,000,000) with ``seed_demo`` (its time is kept in the database and reported
as the seeding figure), runs ``VACUUM ANALYZE`` as autovacuum would in production, then asks each
area's module for its figures, in one process and one run: seeding, the legacy register import,
the periodic jobs, the officers' pages, the PDFs, and the portal and verification under load
(gunicorn and locust). Prints one Markdown table (figure, project, baseline, ratio, goal, met)
for docs/benchmarks.md, with the machine and the command. ``BENCH_ONLY=pages,jobs`` runs some
areas only. Never a timed unit test: these numbers depend on the machine."""

from __future__ import annotations

import importlib
import os
import platform
import sys
import time
import traceback

from benchmarks.common import LICENCES, Figure, bench_django, print_table

# The order they run in: the import and the load test write and roll back, or use their own
# processes; the pages and jobs read.
AREAS = ("seeding", "jobs", "pages", "management", "pdf", "load", "legacy_import", "returns")


def seed_if_needed() -> int:
    from django.core.management import call_command
    from django.db import connection

    from licensing.models import Licence

    call_command("migrate", verbosity=0)
    have = Licence.objects.count()
    if have < LICENCES:
        print(f"seeding {LICENCES - have:,} licences (once; kept for the next run)", flush=True)
        from benchmarks.seeding import seed

        seed(LICENCES - have)
        with connection.cursor() as cursor:
            # What autovacuum does in production: statistics, and the visibility map that lets
            # the counts by state and expiry be index-only scans.
            cursor.execute("VACUUM ANALYZE")
    return Licence.objects.count()


def machine() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        version = cursor.fetchone()[0]
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return (
        f"{platform.platform()}; {os.cpu_count()} cores; Python {platform.python_version()}; "
        f"PostgreSQL {version} on the same machine; load average at the end {load}"
    )


def run_area(name: str) -> list[Figure]:
    start = time.perf_counter()
    print(f"-- {name}", file=sys.stderr, flush=True)
    try:
        module = importlib.import_module(f"benchmarks.{name}")
        figures: list[Figure] = module.figures()
    except Exception as exc:  # a broken area is reported in the table, the others still run
        traceback.print_exc()
        figures = [Figure(f"{name}: the benchmark failed", str(exc)[:120], "-", None, "-", False)]
    for figure in figures:
        print(figure.row(), file=sys.stderr, flush=True)
    print(f"-- {name}: {time.perf_counter() - start:,.0f} s", file=sys.stderr, flush=True)
    return figures


def main() -> int:
    if not bench_django():
        return 2
    total = seed_if_needed()
    only = [a for a in os.environ.get("BENCH_ONLY", "").split(",") if a]
    figures: list[Figure] = []
    for area in AREAS:
        if not only or area in only:
            figures += run_area(area)
    print(f"\n{total:,} licences; {machine()}\n")
    print_table(figures)
    missed = [f for f in figures if f.met is False]
    print(f"\n{len(figures) - len(missed)} of {len(figures)} figures met their goal or have none.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
