"""What every benchmark module shares: the benchmark database, timing, and the one table.

Each module of issue 16's figures exposes ``figures() -> list[Figure]``; ``python -m
benchmarks`` seeds the database once (``BENCH_LICENCES``, default 1,000,000), runs them in one
process and prints one table: figure, project, baseline, ratio, goal, met. A figure is always
measured beside its physical baseline in the same run (COPY, a bare index scan, the page's raw
SQL, WeasyPrint alone, a hello-world view): this machine is shared and noisy, so only the ratio
means much."""

from __future__ import annotations

import os
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass

BENCH_URL = os.environ.get(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/licensing_bench"
)
LICENCES = int(os.environ.get("BENCH_LICENCES", "1000000"))
RUNS = int(os.environ.get("BENCH_RUNS", "5"))


@dataclass
class Figure:
    """One row of the table. ``project`` and ``baseline`` are what was measured, as text
    (``"12.3 ms, 2 queries"``); ``ratio`` is project / baseline (None when there is no
    baseline); ``met`` is None when the figure has no goal. ``note`` says, for a goal missed,
    what stands in the way, measured."""

    figure: str
    project: str
    baseline: str
    ratio: float | None
    goal: str
    met: bool | None
    note: str = ""

    def row(self) -> str:
        ratio = "-" if self.ratio is None else f"{self.ratio:.2f}x"
        met = {True: "yes", False: "**no**", None: "-"}[self.met]
        return (
            f"| {self.figure} | {self.project} | {self.baseline} | {ratio} | {self.goal} | {met} |"
        )


def ensure_database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    server = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(server, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def samples(call: Callable[[], object], runs: int = RUNS) -> list[float]:
    """Milliseconds of ``runs`` calls after one warm-up call."""
    call()
    out = []
    for _ in range(runs):
        start = time.perf_counter()
        call()
        out.append((time.perf_counter() - start) * 1000)
    return out


def median(values: list[float]) -> float:
    return statistics.median(values)


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def queries_of(call: Callable[[], object]) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        call()
    return len(captured)


def timed(call: Callable[[], object]) -> tuple[float, int]:
    """Median milliseconds over RUNS calls, and the queries of one call."""
    return median(samples(call)), queries_of(call)


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


def ratio_figure(
    figure: str,
    project_ms: float,
    baseline_ms: float,
    *,
    goal: float,
    project_extra: str = "",
    baseline_label: str = "",
    unit: str = "ms",
    note: str = "",
) -> Figure:
    """A figure whose goal is ``project / baseline <= goal``."""
    ratio = project_ms / baseline_ms if baseline_ms else None
    project = f"{project_ms:,.1f} {unit}" + (f", {project_extra}" if project_extra else "")
    baseline = (f"{baseline_label}: " if baseline_label else "") + f"{baseline_ms:,.1f} {unit}"
    return Figure(
        figure,
        project,
        baseline,
        ratio,
        f"≤ {goal:g}x",
        None if ratio is None else ratio <= goal,
        note,
    )


def print_table(figures: list[Figure]) -> None:
    """The Markdown table of ``figures``, then the note of each that has one."""
    print("| figure | project | baseline | ratio | goal | met |")
    print("| --- | --- | --- | ---: | --- | --- |")
    for figure in figures:
        print(figure.row())
    notes = [f for f in figures if f.note]
    if notes:
        print()
        for figure in notes:
            print(f"- **{figure.figure}**: {figure.note}")


def run_alone(figures: Callable[[], list[Figure]]) -> int:
    """``python -m benchmarks.<area>``: the area's figures alone, on the benchmark database."""
    if not bench_django():
        return 2
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    print_table(figures())
    return 0
