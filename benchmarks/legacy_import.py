"""``make bench``, the legacy register import: a register of ``BENCH_IMPORT_ROWS`` rows
(default 1,000,000) checked and written as the import's jobs do, beside ``COPY`` of exactly the
rows it wrote into the same tables with the same indexes, in the same run.

The register is generated into a temporary CSV file: new holders mostly (legal persons with a
registration number, one row in ten a natural person), one row in eight a second licence of the
previous row's holder, one in five with a site. Then, on the benchmark database:

1. the check (``check_register_file``, the dry run's job), timed;
2. the write (``write_register_file`` inside one transaction, as the write job runs it), timed
   up to and including the deferred foreign-key checks (``SET CONSTRAINTS ALL IMMEDIATE``);
   every row it wrote (licences, parties, sites, licence sites, terms, versions, audit events,
   screening keys) is copied out with ``COPY ... TO`` into temporary files and the transaction
   is rolled back;
3. ``VACUUM (ANALYZE)`` of those tables, so that the baseline meets them as the import did
   (the server runs without autovacuum: rolled-back rows would stay in the indexes);
4. the baseline: ``COPY ... FROM`` those files into the same tables, in a second transaction,
   timed the same way, rolled back too, and the tables vacuumed again.

The figure is the import's rate as a share of COPY's (goal: at least 25%), for the write alone
and for the check and the write together, with the peak resident memory of the process. The
database ends as it started: every row written is rolled back and vacuumed away (the sequences
stay advanced). Linking the audit chain after the commit is not in the figure (nothing
commits): it runs in batches of ``audit_chain.BATCH`` afterwards."""

from __future__ import annotations

import csv
import datetime as dt
import os
import platform
import resource
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from benchmarks.common import Figure, bench_django

ROWS = int(os.environ.get("BENCH_IMPORT_ROWS", "1000000"))
GOAL = 0.25
# What the import writes, in the order COPY loads it back (foreign keys first).
TABLES = (
    "licensing_party",
    "licensing_site",
    "licensing_licence",
    "licensing_licence_sites",
    "licensing_licenceterm",
    "licensing_recordversion",
    "licensing_auditevent",
    "duediligence_screeningkey",
)
HEADERS = [
    "number",
    "holder_kind",
    "legal_name",
    "registration_number",
    "country",
    "address",
    "email",
    "date_of_incorporation",
    "place_of_incorporation",
    "headquarters_address",
    "principal_place_of_business",
    "date_of_birth",
    "activities",
    "valid_from",
    "expires_on",
    "state",
    "site_name",
    "site_street_address",
    "site_postal_code",
    "site_municipality",
    "site_country",
]


def generate(path: Path, rows: int, tag: str) -> None:
    """A valid register of ``rows`` rows whose numbers and holders are new to the database."""
    from django.utils import timezone

    today = timezone.localdate()
    valid_from = (today - dt.timedelta(days=400)).isoformat()
    expires_on = (today + dt.timedelta(days=700)).isoformat()
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(HEADERS)
        holder = 0
        for n in range(rows):
            if n % 8 != 7:
                holder = n  # one row in eight: another licence of the previous holder
            site = (
                [f"Lager {n}", f"Bryggen {n % 500 + 1}", f"{5000 + n % 999}", "Bergen", "NO"]
                if n % 5 == 0
                else ["", "", "", "", ""]
            )
            if holder % 10 == 9:
                party = [
                    "natural",
                    f"Bench Person {tag} {holder}",
                    "",
                    "NO",
                    f"Gate {holder % 90 + 1}\n5003 Bergen",
                    f"p{holder}@example.org",
                    "",
                    "",
                    "",
                    "",
                    "1970-01-01",
                ]
            else:
                party = [
                    "legal",
                    f"Bench Import {tag} {holder} AS",
                    f"{tag}{holder:09d}",
                    "NO",
                    f"Postboks {holder % 900 + 1}\n5003 Bergen",
                    f"c{holder}@example.com",
                    "2001-02-03",
                    "Bergen",
                    f"Strandkaien {holder % 90 + 1}\n5013 Bergen",
                    f"Bryggen {holder % 90 + 1}\n5003 Bergen",
                    "",
                ]
            writer.writerow(
                [
                    f"LB{tag}/{n:07d}",
                    *party,
                    "import;wholesale",
                    valid_from,
                    expires_on,
                    "active",
                    *site,
                ]
            )


def _max_ids(cursor: Any) -> dict[str, int]:
    ids = {}
    for table in TABLES:
        cursor.execute(f"SELECT coalesce(max(id), 0) FROM {table}")  # noqa: S608
        ids[table] = cursor.fetchone()[0]
    return ids


def _force_constraints(cursor: Any) -> None:
    # Django's foreign keys are checked at commit: forced now, so the clock includes them.
    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def _export(cursor: Any, before: dict[str, int], folder: Path) -> dict[str, int]:
    counts = {}
    for table in TABLES:
        target = folder / f"{table}.copy"
        with (
            target.open("wb") as out,
            cursor.cursor.copy(
                f"COPY (SELECT * FROM {table} WHERE id > {before[table]}) TO STDOUT"  # noqa: S608
            ) as copy,
        ):
            for block in copy:
                out.write(block)
        cursor.execute(f"SELECT count(*) FROM {table} WHERE id > %s", [before[table]])  # noqa: S608
        counts[table] = cursor.fetchone()[0]
    return counts


def _copy_in(cursor: Any, folder: Path) -> None:
    for table in TABLES:
        with (
            (folder / f"{table}.copy").open("rb") as source,
            cursor.cursor.copy(f"COPY {table} FROM STDIN") as copy,
        ):
            while block := source.read(1 << 20):
                copy.write(block)


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _import_record(
    tag: str, size: int, *, by_id: int | None = None, import_id: int | None = None
) -> tuple[Any, Any]:
    """The officer and the import the written rows name (again, with the same ids, for COPY)."""
    from django.contrib.auth import get_user_model

    from licensing.models import LegacyImport

    by = get_user_model().objects.create(pk=by_id, username=f"bench-import-{tag}")
    legacy = LegacyImport.objects.create(
        pk=import_id,
        file="imports/bench",
        original_name="register.csv",
        size=size,
        sha256="0" * 64,
        uploaded_by=by,
        confirmed_by=by,
    )
    return by, legacy


def _vacuum(cursor: Any) -> float:
    """Reclaim what a rolled-back phase left behind (the server runs without autovacuum), so
    that the next phase, and the next benchmark, meet the tables as they were. Seconds."""
    started = time.perf_counter()
    cursor.execute(f"VACUUM (ANALYZE) {', '.join(TABLES)}")
    return time.perf_counter() - started


def measure(rows: int = ROWS) -> dict[str, Any]:
    from django.db import connection, transaction

    from licensing.services.import_writing import check_register_file, write_register_file

    begun = time.perf_counter()
    tag = uuid.uuid4().hex[:6].upper()
    with tempfile.TemporaryDirectory(prefix="bench-import-") as scratch:
        folder = Path(scratch)
        register = folder / "register.csv"
        started = time.perf_counter()
        generate(register, rows, tag)
        generate_s = time.perf_counter() - started
        size = register.stat().st_size
        start_mb = _peak_mb()
        with register.open("rb") as file:
            started, cpu = time.perf_counter(), time.process_time()
            checked = check_register_file(file, "register.csv")
            check_s = time.perf_counter() - started
            check_cpu = time.process_time() - cpu
        if not checked.ok:
            raise RuntimeError(f"the generated register has errors: {checked.errors[:5]}")
        check_mb = _peak_mb()
        with transaction.atomic(), connection.cursor() as cursor:
            by, legacy = _import_record(tag, size)
            before = _max_ids(cursor)
            with register.open("rb") as file:
                started, cpu = time.perf_counter(), time.process_time()
                counts = write_register_file(file, "register.csv", legacy=legacy, by=by)
                write_cpu = time.process_time() - cpu
                _force_constraints(cursor)
                write_s = time.perf_counter() - started
            written = _export(cursor, before, folder)
            transaction.set_rollback(True)
        write_mb = _peak_mb()
        with connection.cursor() as cursor:
            vacuum_s = _vacuum(cursor)
        with transaction.atomic(), connection.cursor() as cursor:
            _import_record(tag, size, by_id=by.pk, import_id=legacy.pk)  # what the rows name
            started = time.perf_counter()
            _copy_in(cursor, folder)
            _force_constraints(cursor)
            copy_s = time.perf_counter() - started
            transaction.set_rollback(True)
        with connection.cursor() as cursor:
            vacuum_s += _vacuum(cursor)
    return {
        "rows": rows,
        "bytes": size,
        "generate_s": generate_s,
        "check_s": check_s,
        "write_s": write_s,
        "copy_s": copy_s,
        "check_cpu_s": check_cpu,
        "write_cpu_s": write_cpu,
        "vacuum_s": vacuum_s,
        "total_s": time.perf_counter() - begun,
        "counts": counts,
        "written": written,
        "peak_mb": {"start": start_mb, "check": check_mb, "write": write_mb},
    }


def _figures(result: dict[str, Any]) -> list[Figure]:
    rows = result["rows"]
    copy_rate = rows / result["copy_s"]
    written = sum(result["written"].values())
    baseline = f"COPY of the same {written:,} rows into the same tables: {copy_rate:,.0f} rows/s"
    peak = result["peak_mb"]
    memory = f"peak RSS {peak['check']:,.0f} MB checking, {peak['write']:,.0f} MB writing"
    figures = []
    for label, seconds in (
        ("write", result["write_s"]),
        ("check + write", result["check_s"] + result["write_s"]),
    ):
        rate = rows / seconds
        share = rate / copy_rate
        met = share >= GOAL
        python_s = result["write_cpu_s"] + (result["check_cpu_s"] if "check" in label else 0)
        note = (
            ""
            if met
            else f"{python_s:,.0f} s of the {seconds:,.0f} s are this process's own CPU time "
            f"({python_s / rows * 1e6:,.0f} µs a row: reading and checking each row, then "
            "building its records, keyed audit digests, versions and screening keys), against "
            f"{result['copy_s']:,.0f} s for COPY to store all of it; see the profile in "
            "docs/legacy-import.md"
        )
        figures.append(
            Figure(
                f"legacy register import, {rows:,} rows: {label} (share of COPY's rate)",
                f"{rate:,.0f} rows/s ({seconds:,.1f} s), {memory}",
                baseline,
                share,
                f"≥ {GOAL:.0%}",
                met,
                note,
            )
        )
    return figures


def figures() -> list[Figure]:
    return _figures(measure())


def main() -> None:
    if not bench_django():
        sys.exit(1)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    result = measure()
    print(
        f"\nLegacy register import, {result['rows']:,} rows ({result['bytes'] / 2**20:,.0f} MB), "
        f"{platform.python_implementation()} {platform.python_version()}, "
        f"load {os.getloadavg()[0]:.1f}: check {result['check_s']:.1f} s, "
        f"write {result['write_s']:.1f} s, COPY {result['copy_s']:.1f} s; generating the file "
        f"{result['generate_s']:.0f} s, vacuuming {result['vacuum_s']:.0f} s, in all "
        f"{result['total_s'] / 60:.1f} min"
    )
    print(f"counts {result['counts']}, rows written by table {result['written']}")
    print(
        f"CPU time of this process: check {result['check_cpu_s']:.1f} s, "
        f"write {result['write_cpu_s']:.1f} s"
    )
    print(f"peak RSS (MB) {result['peak_mb']}\n")
    print("| figure | project | baseline | ratio | goal | met |")
    print("| --- | --- | --- | --- | --- | --- |")
    for figure in _figures(result):
        print(figure.row())
        if figure.note:
            print(f"\n_{figure.note}_\n")


if __name__ == "__main__":
    main()
