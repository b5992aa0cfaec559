"""A seeding plan (``licensing.demo.seed``) written with PostgreSQL ``COPY``: a million licences
(9.9 million rows) in minutes.

- Ids come first: each table's identity sequence is moved past the batch's rows in one
  statement (``setval(seq, nextval(seq) + n - 1)``) while the tables are locked against other
  writers (``SHARE ROW EXCLUSIVE``: reads go on, an insert waits for the batch's commit and
  then draws after it). Every foreign key is then known before a row is sent, and nothing is
  read back.
- Rows are preformatted text lines (``COPY ... FROM STDIN``, text format) streamed in chunks,
  so that PostgreSQL stores one chunk while Python formats the next. Dates, times, amounts and
  the activities' JSON are formatted once and looked up; public ids are drawn from a
  ``random.Random`` seeded per batch.
- Columns the seeder does not set get their model default, formatted once per table: a column
  added later with a constant default or NULL needs no change here; one whose default is
  computed per row (a UUID, ``now``) must be given by the seeder, and is refused at start.
- The foreign keys stay checked (deferred to each batch's commit); ``synchronous_commit`` is
  off for the seeding transactions only: a crash loses at most the last batches, never their
  consistency."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import random
from collections.abc import Callable, Iterable, Iterator
from decimal import Decimal
from itertools import islice
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, models
from django.utils import timezone

from licensing.demo.seed import ACTIVITY_SETS, party_fields, site_fields
from licensing.models import (
    Application,
    Invoice,
    InvoiceLine,
    Licence,
    LicenceTerm,
    Party,
    Payment,
    Site,
    SubmissionSnapshot,
)

if TYPE_CHECKING:
    from licensing.demo.seed import Batch, Seeder

CHUNK = 2000  # rows per write: PostgreSQL stores one chunk while the next is formatted
STAMPS = ("id", "created_at", "updated_at")
VARIANT = {c: "89ab"[int(c, 16) & 3] for c in "0123456789abcdef"}


def copy_text(value: Any) -> str:
    """``value`` as a field of COPY's text format."""
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, list | dict):
        value = json.dumps(value)
    text = str(getattr(value, "value", value))
    if any(c in text for c in "\\\t\n\r"):
        text = (
            text.replace("\\", "\\\\")
            .replace("\t", "\\t")
            .replace("\n", "\\n")
            .replace("\r", "\\r")
        )
    return text


def default_text(model: type[models.Model], field: models.Field) -> str:
    """What ``bulk_create`` would store in a column the seeder leaves out, as COPY text."""
    if field.has_default():
        default = field.default
        if callable(default) and default not in (list, dict):
            raise ImproperlyConfigured(
                f"seed_demo: {model._meta.db_table}.{field.column} takes a value computed per "
                "row: licensing.demo.seed_copy must give it."
            )
        return copy_text(default() if callable(default) else default)
    if field.null:
        return "\\N"
    if field.empty_strings_allowed:
        return ""
    raise ImproperlyConfigured(
        f"seed_demo: {model._meta.db_table}.{field.column} is required and has no default: "
        "licensing.demo.seed_copy must give it."
    )


class Table:
    """The COPY statement of one table: the columns the seeder gives, in order, then the rest
    with their defaults (``tail``, which ends each line)."""

    def __init__(self, model: type[models.Model], given: Iterable[str]) -> None:
        self.model = model
        self.name = model._meta.db_table
        given = list(given)
        rest = [f for f in model._meta.concrete_fields if f.column not in given]
        unknown = set(given) - {f.column for f in model._meta.concrete_fields}
        if unknown:
            raise ImproperlyConfigured(f"seed_demo: {self.name} has no {sorted(unknown)}")
        quote = connection.ops.quote_name
        columns = ", ".join(quote(c) for c in [*given, *(f.column for f in rest)])
        self.sql = f"COPY {quote(self.name)} ({columns}) FROM STDIN"
        self.tail = "".join("\t" + default_text(model, f) for f in rest) + "\n"


class Texts(dict[Any, str]):
    """A cache of formatted values: ``texts[key]`` formats ``key`` once."""

    def __init__(self, format_: Callable[[Any], str]) -> None:
        super().__init__()
        self.format = format_

    def __missing__(self, key: Any) -> str:
        text = self[key] = self.format(key)
        return text


def _uuids(rng: random.Random, count: int) -> list[str]:
    """``count`` version-4 UUIDs as 32 hex digits (PostgreSQL's ``uuid`` reads them so)."""
    raw = rng.randbytes(16 * count).hex()
    return [
        f"{raw[i : i + 12]}4{raw[i + 13 : i + 16]}{VARIANT[raw[i + 16]]}{raw[i + 17 : i + 32]}"
        for i in range(0, 32 * count, 32)
    ]


class CopyWriter:
    def __init__(self, seeder: Seeder) -> None:
        self.seeder = seeder
        self.user = str(seeder.user.pk)
        probe = party_fields(0, approved_at=timezone.now())
        site_probe = site_fields(0, 0, "0", "0")
        through_a, through_l = Application.sites.through, Licence.sites.through
        self.tables = {
            "party": Table(Party, [*STAMPS, "public_id", *probe]),
            "site": Table(Site, [*STAMPS, "party_id", *site_probe]),
            "application": Table(
                Application,
                [
                    *STAMPS,
                    *("public_id", "reference", "kind", "party_id", "activities", "state"),
                    *("declaration_accepted_at", "submitted_at", "decided_at"),
                    *("assigned_officer_id", "created_by_id"),
                ],
            ),
            "application_sites": Table(through_a, ["id", "application_id", "site_id"]),
            "snapshot": Table(
                SubmissionSnapshot, ["id", "application_id", "taken_at", "data", "sha256"]
            ),
            "invoice": Table(
                Invoice, [*STAMPS, "application_id", "number", "amount", "currency", "due_on"]
            ),
            "line": Table(InvoiceLine, [*STAMPS, "invoice_id", "activity", "amount"]),
            "payment": Table(
                Payment,
                [*STAMPS, "invoice_id", "reference", "amount", "paid_on", "recorded_by_id"],
            ),
            "licence": Table(
                Licence,
                [
                    *STAMPS,
                    *("public_id", "number", "holder_id", "activities", "valid_from"),
                    *("expires_on", "application_id", "issued_by_id", "issued_at", "state"),
                ],
            ),
            "licence_sites": Table(through_l, ["id", "licence_id", "site_id"]),
            "term": Table(
                LicenceTerm,
                [*STAMPS, "licence_id", "valid_from", "expires_on", "application_id"],
            ),
        }
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT " + ", ".join("pg_get_serial_sequence(%s, 'id')" for _ in self.tables),
                [t.name for t in self.tables.values()],
            )
            self.sequences = dict(zip(self.tables, cursor.fetchone(), strict=True))
        fee = seeder.fee
        zero = Decimal("0")
        self.activities = [json.dumps(list(s)) for s in ACTIVITY_SETS]
        self.amounts = [sum((fee.get(x, zero) for x in s), zero) for s in ACTIVITY_SETS]
        self.lines = [[(x, str(fee.get(x, zero))) for x in s] for s in ACTIVITY_SETS]
        self.dates = Texts(lambda day: day.isoformat())
        self.at9 = Texts(lambda day: self._at(day, 9))
        self.at10 = Texts(lambda day: self._at(day, 10))
        due = settings.INVOICE_DUE_DAYS
        self.due = Texts(lambda day: (day + dt.timedelta(days=due)).isoformat())
        self.paid = Texts(lambda day: (day + dt.timedelta(days=5)).isoformat())

    @staticmethod
    def _at(day: dt.date, hour: int) -> str:
        return timezone.make_aware(dt.datetime.combine(day, dt.time(hour))).isoformat()

    def write(self, batch: Batch) -> int:
        """Write ``batch``; returns the rows written. The caller holds the transaction."""
        plan = batch.licences
        paid = [n for n, p in enumerate(plan) if self.amounts[p.activities] > 0]
        counts = {
            "party": len(batch.coordinates),
            "site": len(batch.coordinates),
            "line": sum(len(ACTIVITY_SETS[p.activities]) for p in plan),
            "payment": len(paid),
        }
        counts = {name: counts.get(name, len(plan)) for name in self.tables}
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit = off")
            names = ", ".join(connection.ops.quote_name(t.name) for t in self.tables.values())
            cursor.execute(f"LOCK TABLE {names} IN SHARE ROW EXCLUSIVE MODE")
            ids = self._reserve(cursor, counts)
            raw = cursor.cursor
            rng = random.Random(f"{self.seeder.seed}-{batch.first_party}")  # noqa: S311
            for name, rows in self._rows(batch, ids, rng, timezone.now(), set(paid)):
                table = self.tables[name]
                with raw.copy(table.sql) as copy:
                    while chunk := list(islice(rows, CHUNK)):
                        copy.write("".join(chunk))
        return sum(counts.values())

    def _reserve(self, cursor: Any, counts: dict[str, int]) -> dict[str, int]:
        """The first id of each table's rows; the sequences move past them."""
        wanted = [name for name, count in counts.items() if count]
        cursor.execute(
            "SELECT "
            + ", ".join("setval(%s::regclass, nextval(%s::regclass) + %s - 1)" for _ in wanted),
            [x for n in wanted for x in (self.sequences[n], self.sequences[n], counts[n])],
        )
        last = cursor.fetchone()
        return {name: last[j] - counts[name] + 1 for j, name in enumerate(wanted)}

    def _rows(
        self,
        batch: Batch,
        ids: dict[str, int],
        rng: random.Random,
        moment: dt.datetime,
        paid: set[int],
    ) -> Iterator[tuple[str, Iterator[str]]]:
        plan, t, now = batch.licences, self.tables, moment.isoformat()
        user, dates, at9, at10 = self.user, self.dates, self.at9, self.at10
        acts, amounts = self.activities, self.amounts
        p0, s0, a0, l0 = ids["party"], ids["site"], ids["application"], ids["licence"]
        stamp = f"{now}\t{now}"

        def parties() -> Iterator[str]:
            tail, k0 = t["party"].tail, batch.first_party
            uuids = _uuids(rng, len(batch.coordinates))
            for j, uuid in enumerate(uuids):
                values = party_fields(k0 + j, approved_at=moment).values()
                yield f"{p0 + j}\t{stamp}\t{uuid}\t" + "\t".join(map(copy_text, values)) + tail

        def sites() -> Iterator[str]:
            tail, k0 = t["site"].tail, batch.first_party
            for j, (lat, lon) in enumerate(batch.coordinates):
                values = site_fields(k0 + j, p0 + j, lat, lon).values()
                yield f"{s0 + j}\t{stamp}\t{p0 + j}\t" + "\t".join(map(copy_text, values)) + tail

        def applications() -> Iterator[str]:
            tail, refs = t["application"].tail, batch.references
            for n, (p, uuid) in enumerate(zip(plan, _uuids(rng, len(plan)), strict=True)):
                yield (
                    f"{a0 + n}\t{stamp}\t{uuid}\t{refs[n]}\tnew\t{p0 + p.party}\t"
                    f"{acts[p.activities]}\tapproved\t{at9[p.submitted]}\t{at10[p.submitted]}\t"
                    f"{at10[p.valid_from]}\t{user}\t{user}{tail}"
                )

        def links(name: str, first: int) -> Iterator[str]:
            tail, i0 = t[name].tail, ids[name]
            for n, p in enumerate(plan):
                yield f"{i0 + n}\t{first + n}\t{s0 + p.party}{tail}"

        def snapshots() -> Iterator[str]:
            tail, i0, refs = t["snapshot"].tail, ids["snapshot"], batch.references
            for n, p in enumerate(plan):
                # json.dumps(data, sort_keys=True) of the bulk writer's snapshot, by hand.
                data = (
                    f'{{"activities": {acts[p.activities]}, "application": {{"kind": "new", '
                    f'"reference": "{refs[n]}"}}, "party": {{"id": {p0 + p.party}}}, '
                    f'"synthetic": true}}'
                )
                digest = hashlib.sha256(data.encode()).hexdigest()
                yield f"{i0 + n}\t{a0 + n}\t{now}\t{data}\t{digest}{tail}"

        def invoices() -> Iterator[str]:
            tail, i0, due, currency = (
                t["invoice"].tail,
                ids["invoice"],
                self.due,
                settings.FEE_CURRENCY,
            )
            for n, p in enumerate(plan):
                yield (
                    f"{i0 + n}\t{stamp}\t{a0 + n}\t{batch.invoices[n]}\t{amounts[p.activities]}\t"
                    f"{currency}\t{due[p.submitted]}{tail}"
                )

        def lines() -> Iterator[str]:
            tail, i0, k = t["line"].tail, ids["invoice"], ids["line"]
            for n, p in enumerate(plan):
                for activity, amount in self.lines[p.activities]:
                    yield f"{k}\t{stamp}\t{i0 + n}\t{activity}\t{amount}{tail}"
                    k += 1

        def payments() -> Iterator[str]:
            tail, i0, k = t["payment"].tail, ids["invoice"], ids["payment"]
            for n, p in enumerate(plan):
                if n in paid:
                    yield (
                        f"{k}\t{stamp}\t{i0 + n}\tSEED-{batch.invoices[n]}\t"
                        f"{amounts[p.activities]}\t{self.paid[p.submitted]}\t{user}{tail}"
                    )
                    k += 1

        def licences() -> Iterator[str]:
            tail, numbers = t["licence"].tail, batch.numbers
            for n, (p, uuid) in enumerate(zip(plan, _uuids(rng, len(plan)), strict=True)):
                yield (
                    f"{l0 + n}\t{stamp}\t{uuid}\t{numbers[n]}\t{p0 + p.party}\t"
                    f"{acts[p.activities]}\t{dates[p.valid_from]}\t{dates[p.expires_on]}\t"
                    f"{a0 + n}\t{user}\t{at10[p.valid_from]}\t{p.state}{tail}"
                )

        def terms() -> Iterator[str]:
            tail, i0 = t["term"].tail, ids["term"]
            for n, p in enumerate(plan):
                yield (
                    f"{i0 + n}\t{stamp}\t{l0 + n}\t{dates[p.valid_from]}\t"
                    f"{dates[p.expires_on]}\t{a0 + n}{tail}"
                )

        yield "party", parties()
        yield "site", sites()
        yield "application", applications()
        yield "application_sites", links("application_sites", a0)
        yield "snapshot", snapshots()
        yield "invoice", invoices()
        if "line" in ids:
            yield "line", lines()
        if "payment" in ids:
            yield "payment", payments()
        yield "licence", licences()
        yield "licence_sites", links("licence_sites", l0)
        yield "term", terms()
