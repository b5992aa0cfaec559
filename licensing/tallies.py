"""The counts by state kept by triggers (``licensing.models.tallies``): read and folded.

``counts`` answers the dashboard's counts by state of the whole register from a few rows
instead of an index scan of every licence; it is None where nothing is kept (not PostgreSQL),
and the caller counts the rows. ``compact`` (hourly) folds the rows of each state into one, in
one statement: rows appended by transactions that commit meanwhile are not in its snapshot, so
they are left for the next run and nothing is counted twice or lost."""

from __future__ import annotations

from django.db import connection, transaction
from django.db.models import Sum

from licensing.models import StateTally

TABLES = ("licence", "application")


def kept() -> bool:
    return connection.vendor == "postgresql"


def counts(table: str) -> dict[str, int] | None:
    if not kept():
        return None
    rows = StateTally.objects.filter(table=table).values_list("state").annotate(total=Sum("n"))
    return {state: int(total) for state, total in rows.order_by()}


@transaction.atomic
def compact() -> int:
    """Fold every table's rows into one per state. Returns how many rows it folded."""
    if not kept():
        return 0
    with connection.cursor() as cursor:
        cursor.execute(
            'WITH gone AS (DELETE FROM licensing_statetally RETURNING "table", state, n), '
            'folded AS (INSERT INTO licensing_statetally ("table", state, n) '
            'SELECT "table", state, sum(n) FROM gone GROUP BY "table", state HAVING sum(n) <> 0 '
            "RETURNING 1) SELECT (SELECT count(*) FROM gone)"
        )
        row = cursor.fetchone()
    return int(row[0]) if row else 0
