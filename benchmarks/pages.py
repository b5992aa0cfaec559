"""The officers' pages beside a bare page: the licence list (first page, page 100, expiring in 30
days, searched by a licence number, by a name that matches nothing and by one that matches
many), the application queue and the page of a party with many records.

Production's settings, not the development defaults: the pages are measured in a process of
their own started with the environment a web process gets in production (``benchmarks.settings``
with ``DJANGO_DEBUG=false``: cached templates, template debugging off; the cache on Redis at
``BENCH_REDIS_URL``, sessions in ``cached_db``, the user, its permissions and its device from the
cache, licensing/auth_cache.py). That process checks these settings and refuses to measure
without them.

Each page is requested through Django's test client, signed in as a licence officer with a
verified second factor, warm. Its baseline, the bare page, is the same SQL that the page ran
(captured from one warm request) executed through a cursor, and the rows rendered by a minimal
template (a table). The two are timed in turn, ``BENCH_PAGE_RUNS`` times each (default 40), and
compared at p95, so that the machine's noise falls on both. Goals (issue 16): at most 3x the bare
page, at most 2 queries a warm request, the party page under 300 ms.

The party is the one with the most licences, given in the benchmark's transaction the records a
long-established party gathers (sites, persons, declarations, products, versions of its records,
audit events): its page shows a page of each. For a goal missed, the figure's note says where the
page's time goes, measured: its SQL, its template, the rest of the admin's view, and the floor of
any request through the project's middleware (a hello-world view, signed in). Everything the
benchmark writes (its officer, the session, the party's records) is rolled back.

``python -m benchmarks.pages`` runs it alone (after ``migrate``)."""

from __future__ import annotations

import dataclasses
import json
import os
import re
import secrets
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from benchmarks.common import BENCH_URL, Figure, bench_django, p95, ratio_figure, run_alone

RUNS = int(os.environ.get("BENCH_PAGE_RUNS", "40"))
# Sessions and the auth cache of the run: Redis, as in production (a database of its own).
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/11")
CHILD = "BENCH_PAGES_PROCESS"
RATIO_GOAL = 3.0
QUERY_GOAL = 2
PARTY_GOAL_MS = 300.0
NOTHING = "Nobody Such Trader"
MANY = "Holding"
HELLO = "/bench/hello/"
# What a long-established party has gathered (its page shows a page of each).
PARTY_RECORDS = {"sites": 120, "persons": 40, "declarations": 40, "products": 40, "events": 1000}

BARE_TEMPLATE = (
    "<table>{% for row in rows %}<tr>{% for value in row %}<td>{{ value }}</td>{% endfor %}"
    "</tr>{% endfor %}</table>"
)


# The process that measures: production's settings.


def production_env() -> dict[str, str]:
    env = dict(os.environ)
    for name in ("AUTH_CACHE_SECONDS", "DJANGO_SECURE_SSL_REDIRECT"):
        env.pop(name, None)
    env.update(
        {
            CHILD: "1",
            "DJANGO_SETTINGS_MODULE": "benchmarks.settings",
            "DATABASE_URL": BENCH_URL,
            "DJANGO_DEBUG": "false",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "DJANGO_ALLOWED_HOSTS": "testserver",
            "REDIS_URL": REDIS_URL,
            "DJANGO_LOG_LEVEL": "WARNING",
        }
    )
    return env


def settings_in_force() -> tuple[str, list[str]]:
    """What the pages are measured under, and what of it is not production's."""
    from django.conf import settings
    from django.template import engines

    engine: Any = engines["django"].engine  # type: ignore[attr-defined]
    loaders = [type(loader).__module__ for loader in engine.template_loaders]
    cache = str(settings.CACHES["default"]["BACKEND"])
    wrong = []
    if settings.DEBUG or engine.debug:
        wrong.append("DEBUG on")
    if loaders != ["django.template.loaders.cached"]:
        wrong.append(f"template loaders {loaders}")
    if not cache.endswith("RedisCache"):
        wrong.append(f"cache {cache}")
    if not settings.SESSION_ENGINE.endswith(("cache", "cached_db")):
        wrong.append(f"sessions {settings.SESSION_ENGINE}")
    if not settings.AUTH_CACHE_SECONDS:
        wrong.append("AUTH_CACHE_SECONDS 0")
    described = (
        "DEBUG off, cached template loader, cache on Redis, sessions "
        f"{settings.SESSION_ENGINE.rsplit('.', 1)[-1]}, auth cache {settings.AUTH_CACHE_SECONDS} s"
    )
    return described, wrong


# Signing in.


def _officer() -> Any:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django_otp.plugins.otp_totp.models import TOTPDevice

    user = get_user_model().objects.create(username="bench-pages-officer", is_staff=True)
    user.groups.add(Group.objects.get(name="licence officer"))
    TOTPDevice.objects.create(user=user, name="bench", confirmed=True)
    return user


def _client(user: Any) -> Any:
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    client = Client()
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = TOTPDevice.objects.get(user=user).persistent_id
    session.save()
    return client


# The bare page, and where the page's time goes.


_DECLARE = re.compile(r'^DECLARE "[^"]+" NO SCROLL CURSOR (WITH(OUT)? HOLD )?FOR ', re.IGNORECASE)


def _bare_page(statements: list[str]) -> Callable[[], str]:
    """The page's own SQL through a cursor, the rows in a minimal template."""
    from django.db import connection
    from django.template import Context, Template

    template = Template(BARE_TEMPLATE)
    statements = [_DECLARE.sub("", sql) for sql in statements]

    def bare() -> str:
        rows: list[Any] = []
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)
                rows += cursor.fetchall()
        return template.render(Context({"rows": rows}))

    return bare


@contextmanager
def _stopwatch() -> Iterator[dict[str, float]]:
    """Seconds spent in SQL and in rendering the response's template, while open."""
    from django.db import connection
    from django.template.response import SimpleTemplateResponse

    spent = {"sql": 0.0, "template": 0.0}

    def sql(execute: Any, *args: Any) -> Any:
        start = time.perf_counter()
        try:
            return execute(*args)
        finally:
            spent["sql"] += time.perf_counter() - start

    original = SimpleTemplateResponse.rendered_content

    def rendered(self: Any) -> Any:
        start = time.perf_counter()
        try:
            return original.fget(self)  # type: ignore[attr-defined]
        finally:
            spent["template"] += time.perf_counter() - start

    SimpleTemplateResponse.rendered_content = property(rendered)  # type: ignore[assignment,method-assign]
    try:
        with connection.execute_wrapper(sql):
            yield spent
    finally:
        SimpleTemplateResponse.rendered_content = original  # type: ignore[method-assign]


def _requester(client: Any, url: str) -> Callable[[], None]:
    def request() -> None:
        response = client.get(url)
        if response.status_code != 200:
            raise RuntimeError(f"{url}: HTTP {response.status_code}")
        response.content  # noqa: B018 - rendered in full

    return request


def _in_turn(first: Callable[[], object], second: Callable[[], object]) -> tuple[list[float], ...]:
    """Milliseconds of ``RUNS`` calls of each, one of each in turn, after two warm-ups."""
    for _ in range(2):
        first()
        second()
    a: list[float] = []
    b: list[float] = []
    for _ in range(RUNS):
        for call, out in ((first, a), (second, b)):
            start = time.perf_counter()
            call()
            out.append((time.perf_counter() - start) * 1000)
    return a, b


def _where_time_goes(request: Callable[[], None]) -> dict[str, float]:
    """Median milliseconds of the whole request, of this process's CPU in it, of its SQL and
    of its template, over RUNS // 2 requests."""
    totals: list[float] = []
    cpu: list[float] = []
    sql: list[float] = []
    template: list[float] = []
    for _ in range(max(3, RUNS // 2)):
        with _stopwatch() as spent:
            start, start_cpu = time.perf_counter(), time.process_time()
            request()
            totals.append((time.perf_counter() - start) * 1000)
            cpu.append((time.process_time() - start_cpu) * 1000)
        sql.append(spent["sql"] * 1000)
        template.append(spent["template"] * 1000)
    return {
        "total": statistics.median(totals),
        "cpu": statistics.median(cpu),
        "sql": statistics.median(sql),
        "template": statistics.median(template),
    }


# The party's records.


def _party_with_most_licences() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT holder_id FROM licensing_licence GROUP BY holder_id "
            "ORDER BY count(*) DESC, holder_id LIMIT 1"
        )
        row = cursor.fetchone()
    return int(row[0])


def _give_records(party_id: int, officer: Any) -> None:
    """What a party gathers over the years, written straight (rolled back with the rest)."""
    import datetime as dt

    from django.contrib.contenttypes.models import ContentType
    from django.db import connection
    from django.utils import timezone

    from licensing.models import (
        AuditEvent,
        CriminalRecordDeclaration,
        Party,
        Person,
        Product,
        RecordVersion,
        Site,
        Verb,
    )
    from licensing.services.versions import record_data, record_type

    party = Party.objects.get(pk=party_id)
    now = timezone.now()
    country = party.country or "NO"
    n = PARTY_RECORDS
    sites = Site.objects.bulk_create(
        Site(
            party=party,
            kind="retail",
            name=f"Bench site {i:03d}",
            street_address=f"Bench street {i}",
            postal_code=f"{1000 + i}",
            municipality="Bench town",
            country=country,
        )
        for i in range(n["sites"])
    )
    persons = Person.objects.bulk_create(
        Person(
            party=party,
            role="director",
            full_name=f"Bench person {i:03d}",
            nationality=country,
            identity_document_type="passport",
            identity_document_number=f"BENCH{i:06d}",
            identity_document_country=country,
        )
        for i in range(n["persons"])
    )
    CriminalRecordDeclaration.objects.bulk_create(
        CriminalRecordDeclaration(
            party=party,
            person=persons[i % len(persons)],
            has_convictions=False,
            declared_on=now.date(),
        )
        for i in range(n["declarations"])
    )
    Product.objects.bulk_create(
        Product(
            party=party,
            product_type="cigarettes",
            name=f"Bench product {i:03d}",
            description="A product of the benchmark.",
        )
        for i in range(n["products"])
    )
    RecordVersion.objects.bulk_create(
        RecordVersion(
            record_type=record_type(site),
            record_id=site.pk,
            party=party,
            version=1,
            valid_from=now - dt.timedelta(days=len(sites) - i),
            data=record_data(site),
            source="officer",
            approved_by=officer,
        )
        for i, site in enumerate(sites)
    )
    party_type = ContentType.objects.get_for_model(Party)
    AuditEvent.objects.bulk_create(
        AuditEvent(
            at=now - dt.timedelta(hours=n["events"] - i),
            actor=officer,
            actor_label=officer.username,
            content_type=party_type,
            object_id=str(party.pk),
            object_repr=str(party)[:200],
            verb=Verb.EDITED,
            changes={"trade_name": {"from": "", "to": f"Bench {i}"}},
        )
        for i in range(n["events"])
    )
    # As autovacuum would after such growth: the planner knows the party's rows.
    with connection.cursor() as cursor:
        for table in ("site", "person", "criminalrecorddeclaration", "product"):
            cursor.execute(f"ANALYZE licensing_{table}")
        cursor.execute("ANALYZE licensing_recordversion")
        cursor.execute("ANALYZE licensing_auditevent")


# The pages.


def _pages(party: int) -> list[tuple[str, str]]:
    from urllib.parse import urlencode

    from licensing.models import Licence

    licences = "/admin/licensing/licence/"
    number = Licence.objects.order_by("pk").values_list("number", flat=True).first() or ""
    n = PARTY_RECORDS
    return [
        ("licence list, first page", licences),
        ("licence list, page 100", f"{licences}?p=100"),
        ("licence list, expiring in 30 days", f"{licences}?expires=30"),
        ("licence list, search by number", f"{licences}?{urlencode({'q': number})}"),
        ("licence list, a name that matches nothing", f"{licences}?{urlencode({'q': NOTHING})}"),
        ("licence list, a name that matches many", f"{licences}?{urlencode({'q': MANY})}"),
        ("application queue (open cases)", "/admin/licensing/application/?queue=open"),
        (
            f"party page ({n['sites']} sites, {n['persons']} persons, {n['events']:,} events)",
            f"/admin/licensing/party/{party}/change/",
        ),
    ]


def _query_note(name: str, queries: int) -> str:
    if queries <= QUERY_GOAL:
        return ""
    if name.startswith("party"):
        return (
            "one query per inline and panel the page shows (a page of each: 8 inlines, the "
            "history, the audit trail, the party and its panels' look-ups), none per row and "
            "none for the session, user or permissions"
        )
    return (
        "a name that matches more than 1,000 parties: their ids are read first (capped), then "
        "the licences are counted and listed through the parties' subquery"
    )


def _time_note(name: str, bare_ms: float, parts: dict[str, float], floors: dict[str, float]) -> str:
    rest = parts["total"] - parts["sql"] - parts["template"]
    if name.startswith("party"):
        what = (
            "the rest (middleware, the admin's view: building some sixty forms of eight inlines, "
            "a page of rows each and the blank row that Add another copies)"
        )
        floor = ""
    else:
        what = "the rest (middleware, the admin's view: filters, permission checks)"
        floor = (
            f" Any request through the project's middleware (a hello-world view, signed in) "
            f"takes {floors['hello']:,.1f} ms, this admin's list with no row "
            f"{floors['empty']:,.1f} ms (medians): a floor near or above 3x a bare page of a "
            "few rows."
        )
    return (
        f"the same SQL and rows in a minimal template take {bare_ms:,.1f} ms (p95). Of the "
        f"page's {parts['total']:,.1f} ms (median): its SQL {parts['sql']:,.1f} ms, its template "
        f"{parts['template']:,.1f} ms, {what} {rest:,.1f} ms.{floor}"
    )


def _measure() -> list[Figure]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    described, _wrong = settings_in_force()
    officer = _officer()
    party = _party_with_most_licences()
    _give_records(party, officer)
    client = _client(officer)
    floors = {"hello": statistics.median(_in_turn(_requester(client, HELLO), lambda: None)[0])}
    load = [os.getloadavg()[0]]
    measured = []
    for name, url in _pages(party):
        request = _requester(client, url)
        request()
        with CaptureQueriesContext(connection) as captured:
            request()
        statements = [query["sql"] for query in captured.captured_queries]
        project, bare = _in_turn(request, _bare_page(statements))
        parts = _where_time_goes(request)
        measured.append((name, p95(project), p95(bare), len(statements), parts))
        load.append(os.getloadavg()[0])
    floors["empty"] = next(m[4]["total"] for m in measured if m[0].endswith("matches nothing"))
    busy = (
        f"this process's own CPU {{cpu:,.1f}} ms (median); the rest is waiting for the database "
        f"and for the machine's {os.cpu_count()} cores, shared (load average "
        f"{min(load):.1f} to {max(load):.1f} while measured)"
    )

    figures = []
    for index, (name, project_ms, bare_ms, queries, parts) in enumerate(measured):
        note = ""
        if project_ms > RATIO_GOAL * bare_ms:
            note = _time_note(name, bare_ms, parts, floors)
        if index == 0:
            note = f"measured with production's settings ({described}). {note}".strip()
        figures.append(
            ratio_figure(
                f"{name}: p95",
                project_ms,
                bare_ms,
                goal=RATIO_GOAL,
                project_extra=f"{queries} queries",
                baseline_label="same SQL, minimal template",
                note=note,
            )
        )
        figures.append(
            Figure(
                f"{name}: queries per warm request",
                str(queries),
                "-",
                None,
                f"≤ {QUERY_GOAL}",
                queries <= QUERY_GOAL,
                _query_note(name, queries),
            )
        )
        if name.startswith("party"):
            figures.append(
                Figure(
                    f"{name}: p95 time",
                    f"{project_ms:,.1f} ms",
                    "-",
                    None,
                    f"< {PARTY_GOAL_MS:g} ms",
                    project_ms < PARTY_GOAL_MS,
                    "" if project_ms < PARTY_GOAL_MS else busy.format(cpu=parts["cpu"]),
                )
            )
    return figures


def measured_rolled_back(measure: Callable[[], list[Figure]]) -> list[Figure]:
    """``measure()`` under production's settings (refused otherwise), everything it writes
    rolled back."""
    from django.db import transaction

    described, wrong = settings_in_force()
    if wrong:
        raise RuntimeError(f"not production's settings: {', '.join(wrong)} ({described})")
    with transaction.atomic():
        try:
            return measure()
        finally:
            transaction.set_rollback(True)


def in_production_process(module: str) -> list[Figure]:
    """``python -m module`` in a process started with production's settings; its figures."""
    completed = subprocess.run(  # noqa: S603 - the module is one of the benchmarks' own names
        [sys.executable, "-m", module],
        env=production_env(),
        stdout=subprocess.PIPE,
        check=True,
        text=True,
    )
    rows = json.loads(completed.stdout.strip().splitlines()[-1])
    return [Figure(**row) for row in rows]


def area_main(module: str, measure_here: Callable[[], list[Figure]]) -> int:
    """An area measured in a process of its own: the child measures and prints its figures as
    JSON; the parent (``python -m module``) starts it and prints the table."""
    if os.environ.get(CHILD):
        if not bench_django():
            return 2
        rows = [dataclasses.asdict(figure) for figure in measure_here()]
        print(json.dumps(rows))
        return 0
    return run_alone(lambda: in_production_process(module))


def figures() -> list[Figure]:
    """Measured in a process started with production's settings (see the module's text)."""
    return in_production_process("benchmarks.pages")


if __name__ == "__main__":
    sys.exit(area_main("benchmarks.pages", lambda: measured_rolled_back(_measure)))
