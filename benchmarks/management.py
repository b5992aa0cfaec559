"""Issue 22's figures: the management pages and the dashboard at ``BENCH_LICENCES`` licences.

Each page reads monthly sums (``reports.MonthlyFigure``, ``reports.CaseFlow``), never the
records. Its baseline is the bare aggregate query that computes the same figures straight from
the records, by month over the same twelve months, through a cursor (what the page would cost
without the sums). Goal (issue 22): each page under 200 ms (p95). The ratio says how much the
sums save at this scale. The dashboard (the admin's home page, with its tiles) is compared with
its own SQL rendered in a minimal template, as the officers' pages are (``benchmarks.pages``),
under the same 200 ms goal.

The sums are first built by the hourly job's service (``refresh_recent``: this month and the
previous one of every page, and today's snapshot of the tiles); its time is reported beside the
bare aggregates of those two months, with the goal of finishing well within its hour (60 s).

Measured like ``benchmarks.pages``: a process of its own with production's settings, signed in
as a senior officer with a verified second factor, warm, each page and its baseline timed in
turn ``BENCH_PAGE_RUNS`` times. The quarter's returns are seeded once as the returns area seeds
them. Everything the area writes (the sums, the officer, the session) is rolled back.

``python -m benchmarks.management`` runs it alone (after ``migrate``)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import sys
import time
from collections.abc import Callable
from typing import Any

from benchmarks.common import Figure, p95, ratio_figure
from benchmarks.pages import (
    _bare_page,
    _client,
    _in_turn,
    _requester,
    area_main,
    in_production_process,
    measured_rolled_back,
    settings_in_force,
)

PAGE_GOAL_MS = 200.0
JOB_GOAL_S = 60.0

# The bare aggregate of each page: its figures by month, straight from the records.
BARE = {
    "case-flow": (
        "SELECT date_trunc('month', submitted_at), kind, count(*),"
        " count(*) FILTER (WHERE decided_at IS NOT NULL) FROM licensing_application"
        " WHERE submitted_at >= %(since)s AND submitted_at < %(until)s GROUP BY 1, 2"
    ),
    "decisions": (
        "SELECT date_trunc('month', decided_at), count(*) FROM licensing_application"
        " WHERE state = 'refused' AND decided_at >= %(since)s AND decided_at < %(until)s"
        " GROUP BY 1"
    ),
    "inspections": (
        "SELECT date_trunc('month', planned_on), count(*),"
        " count(*) FILTER (WHERE submitted_at IS NOT NULL) FROM inspections_inspection"
        " WHERE planned_on >= %(since)s AND planned_on < %(until)s GROUP BY 1"
    ),
    "returns": (
        "SELECT date_trunc('month', due_on), count(*),"
        " count(*) FILTER (WHERE filed_at::date <= due_on),"
        " count(*) FILTER (WHERE filed_at IS NULL) FROM returns_returnperiod"
        " WHERE due_on >= %(since)s AND due_on < %(until)s GROUP BY 1"
    ),
    "fees": (
        "SELECT date_trunc('month', p.paid_on), i.currency, sum(p.amount)"
        " FROM licensing_payment p JOIN licensing_invoice i ON i.id = p.invoice_id"
        " WHERE p.paid_on >= %(since)s AND p.paid_on < %(until)s GROUP BY 1, 2"
    ),
    # The register now, licensees by risk band (a snapshot: "since" and "until" unused).
    "risk": (
        "SELECT CASE WHEN s.score IS NULL THEN -1 WHEN s.score >= 60 THEN 60"
        " WHEN s.score >= 30 THEN 30 WHEN s.score >= 15 THEN 15 WHEN s.score >= 1 THEN 1"
        " ELSE 0 END, count(DISTINCT l.holder_id) FROM licensing_licence l"
        " LEFT JOIN duediligence_partyriskscore s ON s.party_id = l.holder_id"
        " WHERE l.state IN ('active', 'suspended') AND %(since)s < %(until)s GROUP BY 1"
    ),
    "workload": (
        "SELECT assigned_officer_id, count(*), min(submitted_at) FROM licensing_application"
        " WHERE state IN ('submitted', 'in_review', 'information_requested') GROUP BY 1"
    ),
}


# The baselines that are not a year of records: the open cases now, the register now.
BASELINE_LABELS = {
    "workload": "bare aggregate of the records",
    "risk": "bare count by band over the register",
}


def _senior() -> Any:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django_otp.plugins.otp_totp.models import TOTPDevice

    user = get_user_model().objects.create(username="bench-management-senior", is_staff=True)
    user.groups.add(Group.objects.get(name="senior officer"))
    TOTPDevice.objects.create(user=user, name="bench", confirmed=True)
    return user


def _bare(sql: str, since: dt.date, until: dt.date) -> Callable[[], object]:
    from django.db import connection

    def run() -> object:
        with connection.cursor() as cursor:
            cursor.execute(sql, {"since": since, "until": until})
            return cursor.fetchall()

    return run


def _pages() -> list[tuple[str, str, str]]:
    from reports import figures

    return [
        ("case flow", "/admin/reports/case-flow/", "case-flow"),
        ("open cases per officer", "/admin/reports/workload/", "workload"),
        *(
            (str(page.title).lower(), f"/admin/reports/figures/{page.slug}/", page.slug)
            for page in figures.all_figures()
        ),
    ]


def _measure() -> list[Figure]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from reports import case_flow, figures, glances
    from reports.forms import this_year_by_month

    described, _wrong = settings_in_force()
    today = timezone.localdate()
    this_month = today.replace(day=1)
    previous = (this_month - dt.timedelta(days=1)).replace(day=1)
    start = time.perf_counter()
    rows = case_flow.refresh_recent(today) + figures.refresh_recent(today) + glances.snapshot()
    job_s = time.perf_counter() - start
    following = case_flow.next_month(this_month)
    start = time.perf_counter()
    for name, sql in BARE.items():
        if name not in ("workload", "risk"):
            _bare(sql, previous, following)()
    bare_job_s = time.perf_counter() - start
    start = time.perf_counter()
    snapshot_rows = figures.refresh_snapshots(today)
    snapshot_s = time.perf_counter() - start
    start = time.perf_counter()
    _bare(BARE["risk"], previous, following)()
    bare_snapshot_s = time.perf_counter() - start
    # The twelve months the pages show by default, summed once (the demo's and an operator's
    # ``refresh_management_figures --since`` do the same).
    months = this_year_by_month()
    for month in case_flow.months(months["first"], previous):
        case_flow.refresh_month(month)
    figures.refresh_range(months["first"], previous)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE reports_monthlyfigure")
        cursor.execute("ANALYZE reports_caseflow")

    result = [
        Figure(
            "management sums: the hourly job (2 months of every page, the tiles' snapshot)",
            f"{job_s:,.1f} s, {rows:,} rows",
            f"bare aggregates of the 2 months: {bare_job_s:,.2f} s",
            job_s / bare_job_s if bare_job_s else None,
            f"< {JOB_GOAL_S:g} s",
            job_s < JOB_GOAL_S,
            f"measured with production's settings ({described}). The job reads each record of "
            "the two months once, to count it under each of its activities and regions: its "
            "time grows with the month's records, not with the register.",
        ),
        Figure(
            "management sums: the daily snapshot (licensees by risk score)",
            f"{snapshot_s:,.1f} s, {snapshot_rows:,} rows",
            f"bare count by band over the register: {bare_snapshot_s:,.2f} s",
            snapshot_s / bare_snapshot_s if bare_snapshot_s else None,
            f"< {JOB_GOAL_S:g} s",
            snapshot_s < JOB_GOAL_S,
            "reads every licence in force or suspended, with its sites' regions and its "
            "holder's kept score, in chunks of 5,000 parties; once a day.",
        ),
    ]
    client = _client(_senior())
    since, until = months["first"], case_flow.next_month(months["last"])
    for name, url, key in _pages():
        request = _requester(client, url)
        request()
        with CaptureQueriesContext(connection) as captured:
            request()
        # Read now: the next requests reset the connection's log of queries.
        queries = len(captured.captured_queries)
        project, bare = _in_turn(request, _bare(BARE[key], since, until))
        page_ms = p95(project)
        result.append(
            dataclasses.replace(
                ratio_figure(
                    f"management page, {name}: p95",
                    page_ms,
                    p95(bare),
                    goal=1.0,
                    project_extra=f"{queries} queries",
                    baseline_label=BASELINE_LABELS.get(
                        key, "bare aggregate of the records, 12 months"
                    ),
                ),
                goal=f"< {PAGE_GOAL_MS:g} ms",
                met=page_ms < PAGE_GOAL_MS,
            )
        )
    home = _requester(client, "/admin/")
    home()
    with CaptureQueriesContext(connection) as captured:
        home()
    statements = [query["sql"] for query in captured.captured_queries]
    project, bare = _in_turn(home, _bare_page(statements))
    page_ms = p95(project)
    result.append(
        dataclasses.replace(
            ratio_figure(
                "dashboard with its tiles (senior officer): p95",
                page_ms,
                p95(bare),
                goal=3.0,
                project_extra=f"{len(statements)} queries",
                baseline_label="same SQL, minimal template",
            ),
            goal=f"< {PAGE_GOAL_MS:g} ms",
            met=page_ms < PAGE_GOAL_MS,
        )
    )
    return result


def _measure_here() -> list[Figure]:
    from benchmarks.returns import quarter, seed_quarter

    seed_quarter(quarter())  # once; kept, as the returns area keeps it
    return measured_rolled_back(_measure)


def figures() -> list[Figure]:
    """Measured in a process started with production's settings (see the module's text)."""
    return in_production_process("benchmarks.management")


if __name__ == "__main__":
    sys.exit(area_main("benchmarks.management", _measure_here))
