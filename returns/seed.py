"""Synthetic returns for the benchmarks (``manage.py seed_returns``): one quarter's returns of
the licences ``seed_demo`` wrote, filed, with their lines, counterparts and payments, so that
the checks on returns (``duediligence``) can be timed over a national register's quarter.

- Which licences: the seeded ones (holders ``SEED-...``), in id order, that owe nothing yet for
  the quarter. A licence files monthly when one of its activities is in
  ``RETURN_MONTHLY_ACTIVITIES`` (three returns), else quarterly (one), as the job would open.
- Who trades with whom: in each batch, one licence of each holder joins the ring of its
  frequency; each sells cigarettes to the next holder's and buys from the one before, and both
  returns name the other by its licence and registration numbers, with the same quantity. The
  mirror check therefore finds, for each of these returns, the two returns that name its
  licensee. The holders' other licences sell to consumers and name no one. One ring in fifty
  has a customer who declares less than was sold (a mirror flag), one return in a hundred an
  unbalanced stock, one in a hundred a cash payment above ``RETURN_CASH_THRESHOLD``.
- How: on PostgreSQL with ``COPY`` (ids reserved from the sequences first, as
  ``licensing.demo.seed_copy`` does), elsewhere with ``bulk_create``; one transaction per batch.
  No audit trail, no notifications, no check results: synthetic rows, unchecked until the
  benchmark checks them. Filed by the seeding user (``bulk-seed``)."""

from __future__ import annotations

import datetime as dt
import random
import time
import uuid
from collections.abc import Callable, Iterator
from decimal import Decimal
from itertools import islice
from typing import Any

from django.conf import settings
from django.db import connection, models, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from licensing.demo.seed import seed_user
from licensing.demo.seed_copy import Table, copy_text
from licensing.models import Licence
from returns.models import (
    Frequency,
    Return,
    ReturnCounterpart,
    ReturnLine,
    ReturnPayment,
    ReturnPeriod,
)
from returns.services.periods import frequency_of, period_containing

MODELS: dict[str, type[models.Model]] = {
    "period": ReturnPeriod,
    "return": Return,
    "line": ReturnLine,
    "counterpart": ReturnCounterpart,
    "payment": ReturnPayment,
}
STAMPS = ("created_at", "updated_at")
CHUNK = 2000


def quarter_of(day: dt.date) -> tuple[dt.date, dt.date]:
    """The calendar quarter holding ``day``: its first and last days."""
    return period_containing(day, Frequency.QUARTERLY)


def last_quarter(today: dt.date) -> dt.date:
    """The first day of the quarter before the one holding ``today``."""
    first, _ = quarter_of(today)
    return quarter_of(first - dt.timedelta(days=1))[0]


def month_end(first: dt.date, months_on: int) -> dt.date:
    """The last day of the month ``months_on`` months after the one holding ``first``."""
    month = first.month - 1 + months_on + 1
    following = dt.date(first.year + month // 12, month % 12 + 1, 1)
    return following - dt.timedelta(days=1)


def periods_of(frequency: str, quarter: dt.date) -> list[tuple[dt.date, dt.date]]:
    """The periods a licence of ``frequency`` owes for the quarter starting ``quarter``: the
    job's own calendar (``returns.services.periods.period_containing``)."""
    if frequency == Frequency.QUARTERLY:
        return [quarter_of(quarter)]
    return [period_containing(month_end(quarter, n), Frequency.MONTHLY) for n in range(3)]


def owing(quarter: dt.date) -> Any:
    """The seeded licences with no period yet starting on ``quarter``, in id order."""
    have = ReturnPeriod.objects.filter(licence=OuterRef("pk"), starts_on=quarter)
    return (
        Licence.objects.filter(holder__registration_number__startswith="SEED-")
        .filter(~Exists(have))
        .order_by("pk")
    )


class ReturnSeeder:
    """``ReturnSeeder(quarter=date(2026, 7, 1)).run()``: the quarter's returns of every seeded
    licence that has none, in batches. ``method``: ``"copy"`` (PostgreSQL) or ``"bulk"``."""

    def __init__(self, *, quarter: dt.date, seed: int = 2026, method: str | None = None) -> None:
        if method is None:
            method = "copy" if connection.vendor == "postgresql" else "bulk"
        if method not in ("copy", "bulk") or (
            method == "copy" and connection.vendor != "postgresql"
        ):
            raise ValueError(f"no {method!r} seeding on {connection.vendor}")
        if quarter != quarter_of(quarter)[0]:
            raise ValueError(f"{quarter} is not the first day of a quarter")
        self.quarter, self.seed, self.method = quarter, seed, method
        self.user_id = seed_user().pk
        self.threshold = Decimal(settings.RETURN_CASH_THRESHOLD)
        self.rows = 0
        self.tables = {
            name: Table(model, [f.column for f in self._given(model)])
            for name, model in MODELS.items()
        }

    @staticmethod
    def _given(model: type[models.Model]) -> list[models.Field]:
        """The columns this seeder writes: all but those left to their defaults."""
        skip = {"flag_count", "checked_at", "reason", "tax_number", "traded_on"}
        return [f for f in model._meta.concrete_fields if f.name not in skip]

    def run(
        self,
        *,
        limit: int | None = None,
        batch_size: int = 5000,
        report: Callable[[str], None] = print,
    ) -> dict[str, Any]:
        """Seed the returns of up to ``limit`` licences; returns licences, rows, seconds."""
        start, done, last_pk = time.monotonic(), 0, 0
        query = owing(self.quarter).values(
            "pk",
            "number",
            "activities",
            "holder_id",
            "holder__legal_name",
            "holder__country",
            "holder__registration_number",
        )
        while limit is None or done < limit:
            size = batch_size if limit is None else min(batch_size, limit - done)
            licences = list(query.filter(pk__gt=last_pk)[:size])
            if not licences:
                break
            last_pk = licences[-1]["pk"]
            with transaction.atomic():
                self.rows += self._write(self._plan(licences))
            done += len(licences)
            elapsed = time.monotonic() - start
            report(f"{done:>9,d} licences  {self.rows:>11,d} rows  {elapsed:7.1f} s")
        return {"licences": done, "rows": self.rows, "seconds": time.monotonic() - start}

    def _plan(self, licences: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
        """The batch's rows, as dicts of field names; ``period``, ``filed_return`` are
        positions in the batch's lists (resolved to ids by the writer)."""
        rng = random.Random(f"{self.seed}-{self.quarter}-{licences[0]['pk']}")  # noqa: S311
        rows: dict[str, list[dict[str, Any]]] = {name: [] for name in MODELS}
        # Each holder trades through one licence, its first quarterly one, else its first
        # monthly one: the mirror check adds up all the returns of a party for the period, so
        # two holders trade through one pair of licences, of one frequency.
        traders: dict[int, int] = {}
        for frequency in (Frequency.QUARTERLY, Frequency.MONTHLY):
            for x in licences:
                if frequency_of(x["activities"]) == frequency:
                    traders.setdefault(x["holder_id"], x["pk"])
        for frequency in (Frequency.QUARTERLY, Frequency.MONTHLY):
            owing = [x for x in licences if frequency_of(x["activities"]) == frequency]
            # Three holders or more: no two holders trade both ways.
            ring = [x for x in owing if traders[x["holder_id"]] == x["pk"]]
            position = {x["pk"]: i for i, x in enumerate(ring)} if len(ring) >= 3 else {}
            for start, end in periods_of(frequency, self.quarter) if owing else []:
                sold = [Decimal(rng.randint(1000, 50000)) for _ in ring]
                short = rng.random() < 0.02  # one customer under-declares what it bought
                for licence in owing:
                    self._one(rows, rng, licence, frequency, start, end)
                    i = position.get(licence["pk"])
                    if i is None:  # sells to consumers, names no one
                        self._lines(rows, rng, Decimal(0), Decimal(rng.randint(1000, 20000)))
                        self._payment(rows, rng, licence, Decimal(1000))
                        continue
                    bought = sold[i - 1]
                    if short and i == 0:
                        bought = (bought * Decimal("0.7")).quantize(Decimal(1))
                    customer = ring[(i + 1) % len(ring)]
                    self._trade(rows, licence, ring[i - 1], customer, bought, sold[i])
                    self._lines(rows, rng, bought, sold[i])
                    self._payment(rows, rng, licence, sold[i])
        return rows

    def _one(
        self,
        rows: dict[str, list[dict[str, Any]]],
        rng: random.Random,
        licence: dict[str, Any],
        frequency: str,
        start: dt.date,
        end: dt.date,
    ) -> None:
        due = end + dt.timedelta(days=settings.RETURN_DUE_DAYS)
        filed_at = timezone.make_aware(
            dt.datetime.combine(due - dt.timedelta(days=rng.randint(0, 15)), dt.time(10))
        )
        rows["period"].append(
            {
                "licence_id": licence["pk"],
                "party_id": licence["holder_id"],
                "frequency": frequency,
                "starts_on": start,
                "ends_on": end,
                "due_on": due,
                "filed_at": filed_at,
            }
        )
        rows["return"].append(
            {
                "public_id": uuid.UUID(int=rng.getrandbits(128), version=4),
                "period_id": len(rows["period"]) - 1,
                "version": 1,
                "filed_by_id": self.user_id,
                "filed_at": filed_at,
                "filed_through": "form",
            }
        )

    @staticmethod
    def _trade(
        rows: dict[str, list[dict[str, Any]]],
        licence: dict[str, Any],
        supplier: dict[str, Any],
        customer: dict[str, Any],
        bought: Decimal,
        sold: Decimal,
    ) -> None:
        filed = len(rows["return"]) - 1
        for role, other, quantity in (
            ("supplier", supplier, bought),
            ("customer", customer, sold),
        ):
            rows["counterpart"].append(
                {
                    "filed_return_id": filed,
                    "role": role,
                    "name": other["holder__legal_name"],
                    "country": other["holder__country"],
                    "registration_number": other["holder__registration_number"],
                    "licence_number": other["number"],
                    "product_type": "cigarettes",
                    "measure": "units",
                    "quantity": quantity,
                }
            )

    def _lines(
        self,
        rows: dict[str, list[dict[str, Any]]],
        rng: random.Random,
        bought: Decimal,
        sold: Decimal,
    ) -> None:
        stock_start = Decimal(rng.randint(60000, 120000))
        stock_end = stock_start + bought - sold
        if rng.random() < 0.01:
            stock_end += (stock_start / 10).quantize(Decimal(1))  # the stock equation fails
        rows["line"].append(
            {
                "filed_return_id": len(rows["return"]) - 1,
                "product_type": "cigarettes",
                "measure": "units",
                "stock_start": stock_start,
                "produced": Decimal(0),
                "imported": Decimal(0),
                "bought": bought,
                "sold": sold,
                "exported": Decimal(0),
                "destroyed": Decimal(0),
                "stock_end": stock_end,
            }
        )

    def _payment(
        self,
        rows: dict[str, list[dict[str, Any]]],
        rng: random.Random,
        licence: dict[str, Any],
        sold: Decimal,
    ) -> None:
        cash = rng.random() < 0.01
        amount = (sold * Decimal("0.25")).quantize(Decimal("0.01"))
        rows["payment"].append(
            {
                "filed_return_id": len(rows["return"]) - 1,
                "method": "cash" if cash else "transfer",
                "bank_name": "" if cash else "Seed Bank",
                # At home: a foreign bank is a flag of its own (Art. 10.2).
                "bank_country": "" if cash else settings.AUTHORITY_COUNTRY,
                "amount": max(amount, self.threshold + 1) if cash else amount,
                "currency": "EUR",
            }
        )

    def _write(self, rows: dict[str, list[dict[str, Any]]]) -> int:
        if self.method == "bulk":
            return self._write_bulk(rows)
        return self._write_copy(rows)

    def _write_bulk(self, rows: dict[str, list[dict[str, Any]]]) -> int:
        periods = ReturnPeriod.objects.bulk_create(ReturnPeriod(**r) for r in rows["period"])
        returns = Return.objects.bulk_create(
            Return(**{**r, "period_id": periods[r["period_id"]].pk}) for r in rows["return"]
        )
        for name in ("line", "counterpart", "payment"):
            model = MODELS[name]
            model._default_manager.bulk_create(
                model(**{**r, "filed_return_id": returns[r["filed_return_id"]].pk})
                for r in rows[name]
            )
        return sum(len(r) for r in rows.values())

    def _write_copy(self, rows: dict[str, list[dict[str, Any]]]) -> int:
        counts = {name: len(rows[name]) for name in MODELS if rows[name]}
        if not counts:
            return 0
        quote = connection.ops.quote_name
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit = off")
            names = ", ".join(quote(self.tables[n].name) for n in counts)
            cursor.execute(f"LOCK TABLE {names} IN SHARE ROW EXCLUSIVE MODE")
            cursor.execute(
                "SELECT "
                + ", ".join(
                    "setval(pg_get_serial_sequence(%s, 'id'), "
                    "nextval(pg_get_serial_sequence(%s, 'id')) + %s - 1)"
                    for _ in counts
                ),
                [x for n in counts for x in (self.tables[n].name, self.tables[n].name, counts[n])],
            )
            last = cursor.fetchone()
            first = {n: last[j] - counts[n] + 1 for j, n in enumerate(counts)}
            now = copy_text(timezone.now().isoformat())
            for name in counts:
                table = self.tables[name]
                with cursor.cursor.copy(table.sql) as copy:
                    lines = self._lines_of(name, rows[name], first, now, table.tail)
                    while chunk := list(islice(lines, CHUNK)):
                        copy.write("".join(chunk))
        return sum(counts.values())

    def _lines_of(
        self,
        name: str,
        rows: list[dict[str, Any]],
        first: dict[str, int],
        now: str,
        tail: str,
    ) -> Iterator[str]:
        """COPY text lines in the ``Table``'s column order (``_given``), ids resolved."""
        fields = [f.attname for f in self._given(MODELS[name])]
        parents = {"period_id": first.get("period", 0), "filed_return_id": first.get("return", 0)}
        own = first[name]
        for n, row in enumerate(rows):
            values = []
            for attname in fields:
                if attname == "id":
                    values.append(str(own + n))
                elif attname in STAMPS:
                    values.append(now)
                elif attname in parents and name != "period":
                    values.append(str(parents[attname] + row[attname]))
                else:
                    values.append(copy_text(row[attname]))
            yield "\t".join(values) + tail
