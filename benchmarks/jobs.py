"""``make bench``, the periodic jobs: each job's reads beside a bare index scan of the same
window, and the proof that a job costs what is due, not what the register holds.

For each job that reads licences or their e-mail (the reminders on their first night and in the
steady state, the expiry of due licences, the notification sweep) the job's reads are timed in
turns with the physical baseline, one SQL statement through a cursor that reads the same window
through the same index (the plans of both are checked: same index, no sequential scan): the
ratio's goal is 1.5x. Then as many licences again as the database holds are added that are not
due (the same rows, new numbers, their terms five years on) and as many sent e-mails again, and
each job is timed again: the figure is its time with twice the rows over its time before, each
as a multiple of its bare scan timed in turns with it (the machine's load drifts between the
two), goal 1.2x (flat: the job reads what is due and nothing else), beside the pages its
queries read, counted, which no load changes.

The rows added are committed and vacuumed, as autovacuum leaves them between two nights: rows
still uncommitted in a transaction leave the planner believing half the table's pages need a
visit for every index entry, and it plans the job and the bare scan for that. The steady state
of the reminders is a night on which every reminder due was sent on an earlier one; the expiry
job is timed as it would run 30 days from now (the seed has no active licence past its date).
Every row added is marked and removed at the end, or at the start of the next run if one was
cut short; the indexes it grew are rebuilt and the sequences set back (``benchmarks.jobs_rows``),
so the next module, and the next run, find the database as it was. ``python -m benchmarks.jobs``
runs it alone."""

from __future__ import annotations

import datetime as dt
import logging
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from typing import Any

from benchmarks.common import RUNS, Figure, median, ratio_figure, run_alone
from benchmarks.jobs_rows import (
    QUEUED_NOTIFICATIONS,
    TABLES,
    Found,
    check,
    double_licences,
    forget_reminders,
    queued_notifications,
    remove_marked,
    rows_of,
    send_every_due_reminder,
    sent_notifications,
    settle,
)

GOAL = 1.5  # the job's reads over a bare index scan of the same window
FLAT = 1.2  # the job's time with twice the licences over its time before
EXPIRY_DAYS_AHEAD = 30
WRITE_SAMPLE = 1000
SAMPLE_MS = 100.0
# Samples of each in turns: more than the other modules' RUNS, for ratios near 1 of times
# of tens of milliseconds on a machine shared with other work.
PAIRS = max(RUNS, 9)


def repeats(call: Callable[[], object]) -> int:
    """How many calls make one sample of at least ``SAMPLE_MS``: a run of a few milliseconds
    is timed over many, so that the machine's noise does not decide the ratio."""
    start = time.perf_counter()
    call()
    once = (time.perf_counter() - start) * 1000
    return max(1, min(200, int(SAMPLE_MS / max(once, 0.01))))


def sample(call: Callable[[], object], count: int) -> tuple[float, float]:
    """Milliseconds of one call, and of this process's CPU in it (Django's share)."""
    start, cpu = time.perf_counter(), time.process_time()
    for _ in range(count):
        call()
    return (
        (time.perf_counter() - start) * 1000 / count,
        (time.process_time() - cpu) * 1000 / count,
    )


def paired(
    project: Callable[[], object], baseline: Callable[[], object]
) -> tuple[tuple[float, float], tuple[float, float]]:
    """Median milliseconds of one call of each, and of this process's CPU in it, timed in
    turns, so that the machine's load drifts over both alike."""
    counts = repeats(project), repeats(baseline)
    ours, bare = [], []
    for _ in range(PAIRS):
        ours.append(sample(project, counts[0]))
        bare.append(sample(baseline, counts[1]))
    return (
        (median([w for w, _ in ours]), median([c for _, c in ours])),
        (median([w for w, _ in bare]), median([c for _, c in bare])),
    )


def nodes(plan: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield plan
    for child in plan.get("Plans", []):
        yield from nodes(child)


class Reads:
    """What the queries of one call read, from ``EXPLAIN (ANALYZE, BUFFERS)`` of each: the
    indexes, the plan nodes, the pages, and the database's time (planning and execution)."""

    def __init__(self, call: Callable[[], object]) -> None:
        from django.db import connection, reset_queries
        from django.test.utils import CaptureQueriesContext

        reset_queries()  # a full log (9,000 queries) would capture nothing
        with CaptureQueriesContext(connection) as captured:
            call()
        self.indexes: set[str] = set()
        self.node_types: set[str] = set()
        self.read_whole: set[str] = set()  # tables read by a sequential scan
        self.pages = self.queries = 0
        self.database_ms = 0.0
        for query in captured:
            if not query["sql"].startswith("SELECT"):
                continue
            explain = "EXPLAIN (ANALYZE, BUFFERS, TIMING OFF, FORMAT JSON) "
            ((out,),) = rows_of(explain + query["sql"])
            root = out[0]["Plan"]
            self.queries += 1
            self.pages += root["Shared Hit Blocks"] + root["Shared Read Blocks"]
            self.database_ms += out[0]["Planning Time"] + out[0]["Execution Time"]
            for node in nodes(root):
                self.node_types.add(node["Node Type"])
                if node["Node Type"] == "Seq Scan":
                    self.read_whole.add(node["Relation Name"])
                if "Index Name" in node:
                    self.indexes.add(node["Index Name"])


def same_index(
    name: str, project: Callable[[], object], bare: Callable[[], object], index: str
) -> tuple[Reads, Reads]:
    """The honesty of a figure: the baseline reads through the job's index and only it, and
    the job reads through it too; neither reads the index's table whole (the reminders are,
    on the first night, when there are none)."""
    ours, theirs = Reads(project), Reads(bare)
    check(theirs.indexes == {index}, f"{name}: the bare scan read {theirs.indexes}")
    check(index in ours.indexes, f"{name}: the job read {ours.indexes}, not {index}")
    for reads in (ours, theirs):
        check(not reads.read_whole & set(TABLES[:2]), f"{name}: read {reads.read_whole} whole")
    check("Bitmap Heap Scan" not in theirs.node_types, f"{name}: the bare scan read the table")
    return ours, theirs


class Jobs:
    """The reads of each job and their bare scans, on one day."""

    def __init__(self, today: dt.date) -> None:
        from licensing.services import reminders

        self.today = today
        self.expiry_day = today + dt.timedelta(days=EXPIRY_DAYS_AHEAD)
        self.windows = [
            (t, today + dt.timedelta(days=lower + 1), today + dt.timedelta(days=t + 1))
            for t, lower in reminders.reminder_windows()
        ]

    def reminder_reads(self) -> int:
        """What ``send_due_expiry_reminders`` reads: every keyset batch of every window."""
        from licensing import selectors
        from licensing.services import reminders

        read = 0
        for threshold, lower in reminders.reminder_windows():
            due = partial(reminders.due_for_reminder, self.today, threshold, lower)
            for ids in selectors.expiry_batches(due):
                read += len(ids)
        return read

    def reminder_job(self) -> int:
        from licensing.services import reminders

        return reminders.send_due_expiry_reminders(today=self.today)

    def reminder_bare(self) -> int:
        from django.db import connection

        read = 0
        with connection.cursor() as cursor:
            for _threshold, start, end in self.windows:
                cursor.execute(
                    "SELECT expires_on, id FROM licensing_licence WHERE state = 'active' "
                    "AND expires_on >= %s AND expires_on < %s",
                    [start, end],
                )
                read += len(cursor.fetchall())
        return read

    def expiry_reads(self) -> int:
        """What ``expire_due_licences`` reads on ``expiry_day``, without expiring."""
        from licensing import selectors
        from licensing.models import Licence, LicenceState

        due = Licence.objects.filter(state=LicenceState.ACTIVE, expires_on__lte=self.expiry_day)
        batches = selectors.expiry_batches(lambda after: due.filter(selectors.after_key(after)))
        return sum(len(ids) for ids in batches)

    def expiry_bare(self) -> int:
        return len(
            rows_of(
                "SELECT expires_on, id FROM licensing_licence WHERE state = 'active' "
                "AND expires_on <= %s",
                [self.expiry_day],
            )
        )

    def sweep_reads(self) -> int:
        from licensing.services.notifications import unsent_notification_ids

        return len(unsent_notification_ids())

    def sweep_bare(self) -> int:
        from django.conf import settings
        from django.utils import timezone

        cutoff = timezone.now() - dt.timedelta(seconds=settings.NOTIFICATION_SWEEP_AFTER_SECONDS)
        return len(
            rows_of(
                "SELECT id FROM licensing_notification WHERE status IN ('queued', 'failed') "
                "AND attempts < 10 AND updated_at < %s ORDER BY updated_at, id LIMIT 500",
                [cutoff],
            )
        )


@dataclass
class Timing:
    """A job's reads beside their bare scan: milliseconds of each (``ours``, ``bare``), of this
    process's CPU in them, of the database's work (EXPLAIN ANALYZE), the queries, the pages."""

    ours: float
    bare: float
    ours_cpu: float
    bare_cpu: float
    ours_database: float
    bare_database: float
    ours_queries: int
    bare_queries: int
    pages: int

    def why(self) -> str:
        """What the time beyond the bare scan's is made of, measured."""
        return (
            f"the database: {self.ours_database:.1f} ms in {self.ours_queries} "
            f"{'query' if self.ours_queries == 1 else 'queries'} against "
            f"{self.bare_database:.1f} ms in {self.bare_queries}; this process's CPU (Django "
            f"building the queries and reading their rows): {self.ours_cpu:.1f} ms against "
            f"{self.bare_cpu:.1f} ms"
        )


class Measure:
    """One job's reads and their bare scan."""

    def __init__(self, name: str, index: str, project: Callable[[], int], bare: Callable[[], int]):
        self.name, self.index, self.project, self.bare = name, index, project, bare

    def run(self) -> Timing:
        ours, theirs = same_index(self.name, self.project, self.bare, self.index)
        (ours_ms, ours_cpu), (bare_ms, bare_cpu) = paired(self.project, self.bare)
        return Timing(
            ours_ms,
            bare_ms,
            ours_cpu,
            bare_cpu,
            ours.database_ms,
            theirs.database_ms,
            ours.queries,
            theirs.queries,
            ours.pages,
        )


def flat_figure(name: str, before: Timing, after: Timing, rows: str) -> Figure:
    """The job's time at 2x over its time at 1x, each taken as a multiple of the bare scan of
    the same window timed in turns with it: the two states are minutes apart, and the load of
    this shared machine changes more than that in minutes (the bare scan alone has measured
    1x to 6x its own time). The pages read are counted, not timed: no load changes them."""
    ratio = (after.ours / after.bare) / (before.ours / before.bare)
    note = ""
    if ratio > FLAT:
        note = (
            f"index pages read: {before.pages:,} at 1x, {after.pages:,} at 2x; the database's "
            f"time in the job's queries: {before.ours_database:.1f} ms at 1x, "
            f"{after.ours_database:.1f} ms at 2x"
        )
    return Figure(
        f"{name}: time with 2x licences / 1x, each over its bare scan (O(due))",
        f"2x ({rows}): {after.ours:,.1f} ms, bare scan {after.bare:,.1f} ms; "
        f"index pages read {after.pages:,}",
        f"1x: {before.ours:,.1f} ms, bare scan {before.bare:,.1f} ms; "
        f"index pages read {before.pages:,}",
        ratio,
        f"≤ {FLAT:g}x",
        ratio <= FLAT,
        note,
    )


def reminder_writes(jobs: Jobs) -> Figure:
    """The first night's writes: ``send_expiry_reminder`` for a sample of the licences due
    (reminder and notification rows, row locks; the e-mails leave after a commit and are not
    timed), rolled back."""
    from django.db import transaction

    from licensing.services import reminders

    ids: list[int] = []
    for threshold, lower in reminders.reminder_windows():
        due = reminders.due_for_reminder(jobs.today, threshold, lower)
        ids += due.order_by("expires_on", "pk").values_list("pk", flat=True)[:WRITE_SAMPLE]
    with transaction.atomic():
        start = time.perf_counter()
        written = sum(
            reminders.send_expiry_reminder(licence_id=pk, today=jobs.today) is not None
            for pk in ids[:WRITE_SAMPLE]
        )
        elapsed = time.perf_counter() - start
        transaction.set_rollback(True)
    return Figure(
        "Reminder job, first night: writes",
        f"{written / max(elapsed, 0.001):,.0f} reminders/s "
        f"({written:,} written, 2 e-mail rows each)",
        "-",
        None,
        "-",
        None,
    )


def progress(started: float, what: str) -> None:
    print(f"  {what} in {time.perf_counter() - started:,.0f} s", file=sys.stderr, flush=True)


def measured(jobs: Jobs, licences: int) -> list[Figure]:
    """The four states, in the order that writes least: the register as found; every reminder
    sent; twice the licences with every reminder sent; twice the licences, none sent."""
    first_night = Measure(
        "Reminder job, first night",
        "licence_active_expiry",
        jobs.reminder_reads,
        jobs.reminder_bare,
    )
    steady = Measure(
        "Reminder job, steady state", "licence_active_expiry", jobs.reminder_job, jobs.reminder_bare
    )
    expiry = Measure("Expiry job", "licence_active_expiry", jobs.expiry_reads, jobs.expiry_bare)
    sweep = Measure("Notification sweep", "notification_unsent", jobs.sweep_reads, jobs.sweep_bare)

    due = jobs.reminder_reads()
    check(due == jobs.reminder_bare(), "the job and the bare scan read different windows")
    expiring = jobs.expiry_reads()
    check(expiring == jobs.expiry_bare(), "the job and the bare scan read different rows")
    at_1x = {first_night: first_night.run(), expiry: expiry.run()}
    writes = reminder_writes(jobs)

    started = time.perf_counter()
    history = sent_notifications("1x")
    sent = send_every_due_reminder(jobs.windows)
    queued_notifications()
    settle(*TABLES)
    progress(started, f"{history + sent:,} sent e-mails and {sent:,} reminders")
    check(jobs.reminder_job() == 0, "the steady state found reminders to send")
    swept = jobs.sweep_reads()
    at_1x |= {steady: steady.run(), sweep: sweep.run()}

    started = time.perf_counter()
    added = double_licences()
    more = sent_notifications("2x")
    settle("licensing_licence", "licensing_notification")
    progress(started, f"+{added:,} licences and +{more:,} sent e-mails, none due")
    check(jobs.reminder_job() == 0, "the licences not due were reminded")
    check(jobs.expiry_reads() == expiring, "the licences not due were read for expiry")
    at_2x = {steady: steady.run(), sweep: sweep.run(), expiry: expiry.run()}
    forget_reminders()
    settle("licensing_expiryreminder")
    check(jobs.reminder_reads() == due, "the licences not due were read for reminders")
    at_2x[first_night] = first_night.run()

    def versus_bare(measure: Measure, title: str, extra: str, label: str) -> Figure:
        timing = at_1x[measure]
        return ratio_figure(
            title,
            timing.ours,
            timing.bare,
            goal=GOAL,
            project_extra=extra,
            baseline_label=label,
            note="" if timing.ours <= GOAL * timing.bare else timing.why(),
        )

    windows = "bare index scan of the same windows"
    rows = f"{licences + added:,} licences"
    return [
        versus_bare(
            first_night,
            "Reminder job, first night: reads of one run",
            f"{due:,} licences due",
            windows,
        ),
        versus_bare(
            expiry,
            f"Expiry job: reads of one run ({EXPIRY_DAYS_AHEAD} days on)",
            f"{expiring:,} licences due",
            "bare index scan of the same range",
        ),
        versus_bare(
            steady,
            "Reminder job, steady state (every reminder sent): one run",
            f"{sent:,} licences in the windows, 0 written",
            windows,
        ),
        versus_bare(
            sweep,
            "Notification sweep: one run",
            f"{swept:,} of {QUEUED_NOTIFICATIONS:,} queued, {history + sent:,} sent",
            "bare index scan of the same rows",
        ),
        *(
            flat_figure(measure.name, at_1x[measure], at_2x[measure], rows)
            for measure in (first_night, expiry, steady, sweep)
        ),
        writes,
    ]


def figures() -> list[Figure]:
    from django.utils import timezone

    from licensing.models import Licence

    logging.getLogger("licensing.services").setLevel(logging.WARNING)
    if remove_marked():
        print("  removed the rows a cut-short run left", file=sys.stderr, flush=True)
    settle(*TABLES)
    found = Found()
    licences = Licence.objects.count()
    try:
        return measured(Jobs(timezone.localdate()), licences)
    finally:
        started = time.perf_counter()
        remove_marked()
        grown = found.restore()
        progress(started, "the database set back as found")
        if grown:
            print(f"  indexes still larger than found: {', '.join(grown)}", file=sys.stderr)


def main() -> int:
    return run_alone(figures)


if __name__ == "__main__":
    sys.exit(main())
