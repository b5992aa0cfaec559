"""``make bench``, periodic returns: a quarter's returns of ``BENCH_RETURN_LICENCES`` licences
(default 100,000) checked in batches, and the mirror check's reads alone, each beside the bare
SQL that reads the same rows.

- The quarter (``BENCH_RETURN_QUARTER``, default the last whole one) is seeded once with
  ``returns.seed`` (``manage.py seed_returns``: COPY; each licence's periods by its frequency,
  each return with a line, a supplier and a customer that are other seeded licensees whose
  own returns mirror it, and a payment). Its time is reported beside a COPY of the same rows
  into empty copies of the tables.
- The check: ``duediligence.services.return_checks.check_returns`` over every return of the
  quarter, as the nightly sweep of unchecked returns would call it (500 a batch, each in its
  own transaction): every check, the results stored, ``flag_count`` and ``checked_at``
  written, an audit event per return. Timed once (it is minutes, not milliseconds) inside a
  transaction that is rolled back, so the next run finds the quarter unchecked again. Its
  queries are counted. Baseline: one ``COPY (SELECT ...) TO STDOUT`` per table of the rows the
  check reads (returns with their periods, licences and holders; lines; counterparts;
  payments; the licences its counterparts name; the counterparts that name its licensees).
- The mirror check's reads alone (``duediligence.return_facts._mirrors``, 3 queries a batch)
  over the same batches, beside a bare ``SELECT`` per batch of the counterparts that name the
  batch's licences through the same index. ``python -m benchmarks.returns`` runs it alone."""

from __future__ import annotations

import datetime as dt
import os
import time
from collections.abc import Callable, Iterator
from typing import Any

from benchmarks.common import Figure, ratio_figure, run_alone

RETURN_LICENCES = int(os.environ.get("BENCH_RETURN_LICENCES", "100000"))
BATCH = 500  # duediligence.services.return_checks.BATCH_SIZE
MIRROR_GOAL = 3.0  # the mirror's reads over a bare SELECT of the counterparts naming the batch
CHECK_GOAL = 25.0  # the check (reads, six checks, 6 results and an audit event written per
# return) over a COPY of the rows it reads
PER_RETURN_MS = 5.0  # a quarter of a quarter of a million returns within a night's 20 minutes


QUARTER_RETURNS = (
    "SELECT r.id FROM returns_return r JOIN returns_returnperiod p ON p.id = r.period_id "
    "WHERE p.starts_on >= %(first)s AND p.ends_on <= %(last)s"
)
# What the check reads, table by table, as COPY ... TO STDOUT reads it (no ORM, no Python).
BARE_READS = (
    "SELECT r.*, p.*, l.*, h.* FROM returns_return r JOIN returns_returnperiod p ON "
    "p.id = r.period_id JOIN licensing_licence l ON l.id = p.licence_id JOIN "
    "licensing_party h ON h.id = p.party_id "
    "WHERE p.starts_on >= %(first)s AND p.ends_on <= %(last)s",
    *(
        f"SELECT * FROM {table} WHERE filed_return_id IN ({QUARTER_RETURNS})"  # noqa: S608
        for table in (
            "returns_returnline",
            "returns_returncounterpart",
            "returns_returnpayment",
        )
    ),
    f"SELECT l.* FROM licensing_licence l WHERE l.number IN (SELECT c.licence_number FROM returns_returncounterpart c WHERE c.filed_return_id IN ({QUARTER_RETURNS}))",  # noqa: E501, S608
    "SELECT c.* FROM returns_returncounterpart c JOIN licensing_licence l ON "
    "l.number = c.licence_number WHERE l.id IN (SELECT p.licence_id FROM "
    "returns_returnperiod p WHERE p.starts_on >= %(first)s AND p.ends_on <= %(last)s)",
)


class Counted:
    """Counts the queries run inside it, without keeping their text (100,000s of them)."""

    def __init__(self) -> None:
        self.queries = 0

    def __call__(self, execute: Callable[..., Any], sql: str, *args: Any) -> Any:
        self.queries += 1
        return execute(sql, *args)


def quarter() -> dt.date:
    from django.utils import timezone

    from returns.seed import last_quarter

    value = os.environ.get("BENCH_RETURN_QUARTER")
    return dt.date.fromisoformat(value) if value else last_quarter(timezone.localdate())


def seed_quarter(first: dt.date) -> dict[str, Any] | None:
    """The quarter's returns of up to ``RETURN_LICENCES`` licences, once; None if there."""
    from django.db import connection

    from returns.models import ReturnPeriod
    from returns.seed import ReturnSeeder

    have = ReturnPeriod.objects.filter(starts_on=first).values("licence").distinct().count()
    if have >= RETURN_LICENCES:
        return None
    result = ReturnSeeder(quarter=first).run(limit=RETURN_LICENCES - have, report=lambda _: None)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    return result


def return_ids(first: dt.date) -> list[int]:
    from returns.models import Return
    from returns.seed import month_end

    last = month_end(first, 2)
    return list(
        Return.objects.filter(period__starts_on__gte=first, period__ends_on__lte=last)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def batches(ids: list[int]) -> Iterator[list[int]]:
    for start in range(0, len(ids), BATCH):
        yield ids[start : start + BATCH]


def bare_reads(first: dt.date) -> tuple[float, int]:
    """Milliseconds of COPY ... TO STDOUT of the rows the check reads, and the bytes."""
    from django.db import connection

    from returns.seed import month_end

    params = {"first": first, "last": month_end(first, 2)}
    size = 0
    start = time.perf_counter()
    with connection.cursor() as cursor:
        for sql in BARE_READS:
            with cursor.cursor.copy(f"COPY ({sql}) TO STDOUT", params) as copy:
                for data in copy:
                    size += len(data)
    return (time.perf_counter() - start) * 1000, size


def timed_check(ids: list[int]) -> tuple[float, int, int]:
    """Milliseconds and queries of ``check_returns`` over ``ids``, rolled back; the flags."""
    from django.db import connection, transaction

    from duediligence.services.return_checks import check_returns
    from returns.models import Return

    counted = Counted()
    with transaction.atomic():
        start = time.perf_counter()
        with connection.execute_wrapper(counted):
            checked = check_returns(ids)
        elapsed = (time.perf_counter() - start) * 1000
        flagged = Return.objects.filter(pk__in=ids, flag_count__gt=0).count()
        transaction.set_rollback(True)
    if checked != len(ids):
        raise RuntimeError(f"checked {checked} of {len(ids)} returns")
    return elapsed, counted.queries, flagged


def timed_mirrors(ids: list[int]) -> tuple[float, float, int, int]:
    """Milliseconds of the mirror check's reads over every batch and of the bare SELECT,
    the mirror's queries, and the counterpart rows the bare SELECT found."""
    from django.db import connection

    from duediligence.return_facts import _counterparts, _mirrors
    from returns.models import Return

    counted = Counted()
    ours = bare = 0.0
    found_rows = 0
    for chunk in batches(ids):
        returns = list(
            Return.objects.filter(pk__in=chunk)
            .select_related("period__party", "period__licence")
            .prefetch_related("counterparts")
            .order_by("pk")
        )
        found = _counterparts(returns)
        start = time.perf_counter()
        with connection.execute_wrapper(counted):
            _mirrors(returns, found)
        ours += time.perf_counter() - start
        numbers = [r.period.licence.number for r in returns]
        start = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT c.filed_return_id, c.role, c.product_type, c.measure, c.quantity, "
                "c.licence_number, c.registration_number, c.country "
                "FROM returns_returncounterpart c WHERE c.licence_number = ANY(%s)",
                [numbers],
            )
            found_rows += len(cursor.fetchall())
        bare += time.perf_counter() - start
    return ours * 1000, bare * 1000, counted.queries, found_rows


def figures() -> list[Figure]:
    first = quarter()
    seeded = seed_quarter(first)
    ids = return_ids(first)
    if not ids:
        return [Figure("returns: no seeded licences to file for", "-", "-", None, "-", None)]
    out: list[Figure] = []
    if seeded:
        out.append(
            Figure(
                f"returns: seeding a quarter's returns ({seeded['licences']:,} licences)",
                f"{seeded['seconds']:,.1f} s, {seeded['rows']:,} rows",
                "-",
                None,
                "-",
                None,
            )
        )
    bare_ms, size = bare_reads(first)
    check_ms, queries, flagged = timed_check(ids)
    per_return = check_ms / len(ids)
    out.append(
        ratio_figure(
            f"returns: checking a quarter's {len(ids):,} returns (check_returns, {BATCH} a batch)",
            check_ms / 1000,
            bare_ms / 1000,
            goal=CHECK_GOAL,
            unit="s",
            project_extra=(
                f"{queries:,} queries ({queries / -(-len(ids) // BATCH):.0f} a batch), "
                f"{per_return:.2f} ms a return, {flagged:,} flagged"
            ),
            baseline_label=f"COPY of the rows it reads ({size / 1e6:,.0f} MB)",
            note=""
            if per_return <= PER_RETURN_MS
            else f"{per_return:.1f} ms a return, over the {PER_RETURN_MS:g} ms of a night's run",
        )
    )
    mirror_ms, mirror_bare_ms, mirror_queries, rows = timed_mirrors(ids)
    out.append(
        ratio_figure(
            "returns: the mirror check's reads over the same batches",
            mirror_ms / 1000,
            mirror_bare_ms / 1000,
            goal=MIRROR_GOAL,
            unit="s",
            project_extra=f"{mirror_queries:,} queries",
            baseline_label=f"SELECT of the {rows:,} counterparts naming each batch",
        )
    )
    return out


if __name__ == "__main__":
    import sys

    sys.exit(run_alone(figures))
