"""The rows ``benchmarks.jobs`` adds to the benchmark database and takes away again: licences
that are not due, years of sent e-mail, the reminders of a steady night; each marked, removed
at the end (or at the start of the next run, if one was cut short), the indexes they grew
rebuilt and the sequences set back, so that the database is left as it was found."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

NOT_DUE_YEARS_AHEAD = 5
QUEUED_NOTIFICATIONS = 1000
MARK = "jobs-bench:"  # what the numbers and keys of the rows this module adds start with
TABLES = ("licensing_licence", "licensing_notification", "licensing_expiryreminder")
GREW = 1.1  # an index this much larger than it was found is rebuilt


def sql(statement: str, params: list[Any] | None = None) -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(statement, params or [])
        return int(cursor.rowcount)


def rows_of(statement: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(statement, params or [])
        return list(cursor.fetchall())


def check(condition: bool, problem: str) -> None:
    if not condition:
        raise RuntimeError(problem)


def settle(*tables: str) -> None:
    """Commit is done; now what autovacuum does before the next night: the visibility map
    set (index-only scans), the statistics of the new rows."""
    for table in tables:
        sql(f"VACUUM ANALYZE {table}")


def double_licences() -> int:
    """As many licences again as there are, none of them due: the same rows with new numbers
    and their terms five years on."""
    days = 365 * NOT_DUE_YEARS_AHEAD + 1
    return sql(
        "INSERT INTO licensing_licence (created_at, updated_at, number, activities, valid_from, "
        "expires_on, issued_at, state, application_id, issued_by_id, predecessor_id, holder_id, "
        "public_id, legacy_import_id) "
        "SELECT created_at, updated_at, %s || id, activities, valid_from + %s, "
        "expires_on + %s, issued_at, state, application_id, issued_by_id, NULL, holder_id, "
        "gen_random_uuid(), legacy_import_id FROM licensing_licence",
        [MARK, days, days],
    )


def sent_notifications(source: str) -> int:
    """One sent e-mail per licence found, as years of decisions leave: the rows the sweep
    skips."""
    return sql(
        "INSERT INTO licensing_notification (created_at, updated_at, key, template, recipient, "
        "language, context, status, attempts, last_error, sent_at) "
        "SELECT now() - interval '1 day', now() - interval '1 day', "
        "%s || 'sent:' || %s || ':' || id, 'licence_issued', 'bench@example.com', 'en', '{}', "
        "'sent', 1, '', now() - interval '1 day' FROM licensing_licence "
        "WHERE number NOT LIKE %s",
        [MARK, source, MARK + "%"],
    )


def queued_notifications() -> int:
    """Rows whose message was lost an hour ago: what the sweep is for."""
    return sql(
        "INSERT INTO licensing_notification (created_at, updated_at, key, template, recipient, "
        "language, context, status, attempts, last_error) "
        "SELECT now() - interval '1 hour', now() - interval '1 hour', %s || 'queued:' || n, "
        "'licence_issued', 'bench@example.com', 'en', '{}', 'queued', 0, '' "
        "FROM generate_series(1, %s) n",
        [MARK, QUEUED_NOTIFICATIONS],
    )


def send_every_due_reminder(windows: list[tuple[int, dt.date, dt.date]]) -> int:
    """The steady state: every reminder the windows hold sent on an earlier night."""
    written = 0
    for threshold, start, end in windows:
        sql(
            "INSERT INTO licensing_notification (created_at, updated_at, key, template, "
            "recipient, language, context, status, attempts, last_error) "
            "SELECT now(), now(), %s || id || ':' || expires_on || ':' || %s, "
            "'expiry_reminder', 'bench@example.com', 'en', '{}', 'sent', 1, '' "
            "FROM licensing_licence WHERE state = 'active' "
            "AND expires_on >= %s AND expires_on < %s",
            [MARK, threshold, start, end],
        )
        written += sql(
            "INSERT INTO licensing_expiryreminder (created_at, updated_at, licence_id, "
            "term_expires_on, threshold, holder_notification_id) "
            "SELECT now(), now(), l.id, l.expires_on, %s, n.id FROM licensing_licence l "
            "JOIN licensing_notification n "
            "ON n.key = %s || l.id || ':' || l.expires_on || ':' || %s "
            "WHERE l.state = 'active' AND l.expires_on >= %s AND l.expires_on < %s",
            [threshold, MARK, threshold, start, end],
        )
    return written


def forget_reminders() -> int:
    return sql(
        "DELETE FROM licensing_expiryreminder WHERE holder_notification_id IN "
        "(SELECT id FROM licensing_notification WHERE key LIKE %s)",
        [MARK + "%"],
    )


def delete_added(table: str, where: str, params: list[Any]) -> int:
    """Delete rows this module added, which nothing may refer to: checked first for each
    foreign key to ``table``, through the referring column's index from the first id on; the
    DELETE then skips the same check row by row (a million licences queued sixteen million
    deferred checks, and took minutes)."""
    rows = f"SELECT id FROM {table} WHERE {where}"  # noqa: S608 (the module's own names)
    (first,) = rows_of(f"SELECT min(id) FROM ({rows}) added", params)[0]  # noqa: S608
    if first is None:
        return 0
    for referring, column in rows_of(
        "SELECT conrelid::regclass::text, attname FROM pg_constraint JOIN pg_attribute "
        "ON attrelid = conrelid AND attnum = conkey[1] "
        "WHERE contype = 'f' AND confrelid = %s::regclass",
        [table],
    ):
        found = rows_of(
            f"SELECT 1 FROM {referring} WHERE {column} >= %s AND {column} IN ({rows}) LIMIT 1",  # noqa: S608
            [first, *params],
        )
        check(not found, f"{referring}.{column} refers to a row of {table} this module added")
    from django.db import transaction

    with transaction.atomic():
        sql("SET LOCAL session_replication_role = replica")
        return sql(f"DELETE FROM {table} WHERE {where}", params)  # noqa: S608


def remove_marked() -> int:
    """Every row this module added, by its mark: the reminders, their e-mails, the licences."""
    marked = [MARK + "%"]
    removed = forget_reminders()
    removed += delete_added("licensing_notification", "key LIKE %s", marked)
    removed += delete_added("licensing_licence", "number LIKE %s", marked)
    return removed


class Found:
    """The database as this module found it: the sizes of the indexes of the tables it writes
    to, and where their sequences stood."""

    def __init__(self) -> None:
        self.indexes = dict(self._index_sizes())
        # None: never used, as after the seed's COPY
        self.sequences = [
            (sequence, rows_of("SELECT pg_sequence_last_value(%s::regclass)", [sequence])[0][0])
            for sequence in (f"{table}_id_seq" for table in TABLES)
        ]

    @staticmethod
    def _index_sizes() -> list[tuple[str, int]]:
        return [
            (name, size)
            for name, size in rows_of(
                "SELECT indexrelid::regclass::text, pg_relation_size(indexrelid) "
                "FROM pg_index WHERE indrelid::regclass::text = ANY(%s)",
                [list(TABLES)],
            )
        ]

    def restore(self) -> list[str]:
        """Rebuild the indexes that grew (the rows removed leave their pages empty, and a new
        row of the middle of an index splits a page: the licences' list and number indexes
        would stay twice their size) and set the sequences back. The rows removed must be dead
        to every transaction first (an autovacuum's ANALYZE of the rows added holds a snapshot
        from before), else they are copied into the rebuilt index. Returns what still grew."""
        wait_for_older_snapshots()
        settle(*TABLES)
        for name, size in self._index_sizes():
            if size > GREW * max(self.indexes.get(name, 0), 8192):
                sql(f"REINDEX INDEX {name}")
        for sequence, last_value in self.sequences:
            sql("SELECT setval(%s, %s, %s)", [sequence, last_value or 1, last_value is not None])
        settle(*TABLES)
        return [
            name
            for name, size in self._index_sizes()
            if size > GREW * max(self.indexes.get(name, 0), 8192)
        ]


def wait_for_older_snapshots(seconds: float = 300.0) -> None:
    """Until no other session of this database holds a snapshot taken before now."""
    (now,) = rows_of(
        "SELECT (pg_snapshot_xmax(pg_current_snapshot())::text::bigint %% 4294967296)::text"
    )[0]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        (older,) = rows_of(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid() AND age(backend_xmin) > age(%s::xid)",
            [now],
        )[0]
        if not older:
            return
        time.sleep(1)
