"""Each periodic job's reads are ranges of an index made for it, in that index's order: the
queries a run sends are explained with sequential scans, sorts and joins other than a merge
switched off, so the plan shows whether the indexes alone can answer them (a few test rows
would otherwise be read whole). PostgreSQL's planner only."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from licensing.models import Notification
from licensing.services import licences as licence_services
from licensing.services import reminders
from licensing.services.approve_proposals import apply_due_changes
from licensing.services.batches import stalled_batch_ids
from licensing.services.notifications import unsent_notification_ids
from tests.factories import LicenceFactory
from tests.factories.licensing import InformationRequestFactory
from tests.licensing.helpers import local

pytestmark = [pytest.mark.postgresql, pytest.mark.django_db]

EXPIRES = dt.date(2027, 3, 1)


def plans(call, marker: str, *, merge: bool = True) -> list[str]:
    """The plan of each SELECT that ``call`` sends with ``marker`` in it, as the indexes alone
    would answer it: no sequential scan, no sort and, with ``merge``, no lookup of one table's
    rows one by one in another (nested loop) nor a hash of one of them."""
    with CaptureQueriesContext(connection) as captured:
        call()
    selects = [q["sql"] for q in captured if q["sql"].startswith("SELECT") and marker in q["sql"]]
    assert selects, f"no query with {marker}"
    out = []
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute("SET LOCAL enable_incremental_sort = off")
        if merge:
            cursor.execute("SET LOCAL enable_nestloop = off")
            cursor.execute("SET LOCAL enable_hashjoin = off")
        for sql in selects:
            cursor.execute("EXPLAIN " + sql)
            out.append("\n".join(row[0] for row in cursor.fetchall()))
    return out


def read_through(plan: str, index: str) -> bool:
    """A range of ``index`` in its own order: the index is scanned and nothing is sorted."""
    return f"using {index} on" in plan and "Sort" not in plan


def index_cond(plan: str, index: str) -> str:
    """The bounds the scan of ``index`` starts and stops at."""
    after = plan.split(f"using {index} on", 1)[1].splitlines()
    return next(line for line in after if "Index Cond:" in line)


def test_the_reminder_batches_are_ranges_of_the_active_expiry_index(time_machine):
    """Art. 6.3(f): each batch goes on from the last (expires_on, id) read, as a bound of the
    partial index on active licences' expiry, not a walk of the primary key."""
    for _ in range(3):
        LicenceFactory(valid_from=EXPIRES - dt.timedelta(days=730))
    time_machine.move_to(local(EXPIRES - dt.timedelta(days=30), 2), tick=False)
    found = plans(lambda: reminders.send_due_expiry_reminders(batch_size=2), "NOT EXISTS")
    assert len(found) == 2 + 3  # the 30-day window: 2, then 1 (its end); the others one each
    for plan in found:
        assert read_through(plan, "licence_active_expiry"), plan
    assert any("ROW(expires_on, id) >" in plan for plan in found)


def test_the_reminders_sent_are_merged_as_a_range_of_their_unique_index(time_machine):
    """Art. 6.3(f): the reminders already sent are read as the same window of their unique
    index, in the same order as the licences, and merged: not looked up licence by licence,
    and not from the start of the index (the reminders of every past term) at each batch."""
    for _ in range(3):
        LicenceFactory(valid_from=EXPIRES - dt.timedelta(days=730))
    time_machine.move_to(local(EXPIRES - dt.timedelta(days=30), 2), tick=False)
    found = plans(lambda: reminders.send_due_expiry_reminders(batch_size=2), "NOT EXISTS")
    unique = "expiry_reminder_once_per_term_and_threshold"
    for plan in found:
        assert "Merge Anti Join" in plan, plan
        assert read_through(plan, unique), plan
        bounds = index_cond(plan, unique)
        assert "term_expires_on >=" in bounds and "term_expires_on <" in bounds, plan
    assert any("ROW(term_expires_on, licence_id) >" in plan for plan in found)


def test_the_expiry_job_reads_a_range_of_the_active_expiry_index(time_machine):
    """Art. 6.3(f): the licences due, as the start of the same index."""
    day = dt.date(2026, 12, 1)
    for n in range(3):
        LicenceFactory(valid_from=day - dt.timedelta(days=730 + n))
    time_machine.move_to(local(day, 1), tick=False)
    found = plans(
        lambda: licence_services.expire_due_licences(batch_size=2),
        '"licensing_licence"."expires_on" <=',
    )
    assert len(found) == 2  # 2, then 1: the range read to its end
    for plan in found:
        assert read_through(plan, "licence_active_expiry"), plan
    assert "ROW(expires_on, id) >" in found[1]


def test_the_sweep_reads_a_range_of_the_unsent_index(time_machine):
    Notification.objects.create(
        key="lost", template="licence_issued", recipient="a@example.com", language="en"
    )
    time_machine.move_to(timezone.now() + dt.timedelta(minutes=5), tick=False)
    (plan,) = plans(unsent_notification_ids, '"licensing_notification"')
    assert read_through(plan, "notification_unsent"), plan


def test_the_chaser_job_reads_a_range_of_the_open_requests_index(settings, time_machine):
    """The unanswered requests, oldest first, as a range of their partial index: not the
    requests answered long ago; each checked for its chaser through the notifications' key."""
    settings.INFORMATION_CHASER_DAYS = [25, 14]
    start = dt.date(2026, 12, 1)
    time_machine.move_to(local(start, 2), tick=False)
    for _ in range(3):
        InformationRequestFactory(due_on=start + dt.timedelta(days=30))
    time_machine.move_to(local(start + dt.timedelta(days=15), 2), tick=False)
    found = plans(
        lambda: reminders.chase_information_requests(batch_size=2),
        "NOT EXISTS",
        merge=False,  # a few open requests, each looked up: the plan for them
    )
    assert len(found) == 2  # 2, then 1: the range read to its end
    for plan in found:
        assert "using information_request_open on" in plan, plan
        assert "using licensing_notification_key_" in plan, plan  # either index of the key
        assert "Seq Scan" not in plan, plan
    assert "ROW(created_at, id) >" in index_cond(found[1], "information_request_open")


def test_the_change_and_batch_jobs_read_their_partial_indexes():
    """Art. 6.3(g): the approved changes still to apply; the print batches not finished."""
    (plan,) = plans(apply_due_changes, '"licensing_application"')
    assert read_through(plan, "application_change_due"), plan
    (plan,) = plans(stalled_batch_ids, '"licensing_printbatch"')
    assert read_through(plan, "print_batch_unfinished"), plan
