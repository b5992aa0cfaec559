"""N synthetic, consistent licences for benchmarks (``seed_demo``), a million in minutes.

Each licence has what the services would have left: a holder (one per four licences) with a
site, an approved ``new`` application with its snapshot, a paid invoice with its lines and
payment, a licence number with a valid check character and a term: about 9.9 rows per licence.
Numbers are drawn in blocks from the same Sequence rows the services use, so later services
continue after them and never collide.

How, in three parts:

- ``Seeder.plan`` draws what each licence is (state, dates, activities, its holder's site) from
  one ``random.Random(seed)`` and reserves its numbers: the same plan for the same ``--seed``,
  whichever writer writes it. No Faker: names and addresses are numbered ("Seed Holding
  0000042"), which keeps them unique, cheap and recognisable as synthetic.
- ``licensing.demo.seed_copy`` writes a plan on PostgreSQL with ``COPY``: ids are taken in
  advance from the tables' identity sequences, so every foreign key is known before a row is
  sent and nothing is read back. ``licensing.demo.seed_bulk`` writes the same rows with
  ``bulk_create`` on any other database (the tests' SQLite).
- One transaction per batch (``--batch-size`` licences, whole holders): a failure loses one
  batch, never leaves half a licence.

What the migrations expect of these rows:

- The holders are approved parties (``approved_at`` set, their rows version 1 by default), but
  no ``RecordVersion`` is written: the versions of existing records are migration 0024's to
  make with its ``INSERT ... SELECT``, and ``benchmarks/versions.py`` measures exactly that over
  these rows.
- States, amounts and dates satisfy the CHECK constraints of migration 0026 (approved
  applications; active, suspended or expired licences; positive payments; each term's dates in
  order).
- No audit trail and no notifications: this is synthetic benchmark data, not a history. An
  audit event per row would double what is measured, and each would have to be sealed and linked
  into the chain of migration 0027 (docs/audit-chain.md), one at a time, in order. The seeding
  user (``bulk-seed``, inactive, no password) is named as issuer so the rows are recognisable."""

from __future__ import annotations

import datetime as dt
import random
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.utils import timezone
from stdnum.iso7064 import mod_37_36

from licensing.models import FeeSchedule, Party, Sequence

COUNTRIES = ("NO", "HU", "DE", "SE", "PL")
LANGUAGES = {"NO": "nb", "HU": "hu"}
ACTIVITY_SETS = (
    ("retail",),
    ("retail",),
    ("retail",),
    ("wholesale", "distribution"),
    ("import", "wholesale"),
    ("warehousing", "transport"),
    ("manufacture_products", "export"),
    ("growing",),
    ("brokering",),
)
LICENCES_PER_PARTY = 4
SEED_USERNAME = "bulk-seed"
METHODS = ("copy", "bulk")


def seed_user() -> Any:
    user, created = get_user_model().objects.get_or_create(
        username=SEED_USERNAME, defaults={"is_active": False, "first_name": "Bulk seeding"}
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def reserve(name: str, count: int) -> int:
    """The first of ``count`` consecutive values of a counter, which moves past them."""
    Sequence.objects.get_or_create(name=name)
    sequence = Sequence.objects.select_for_update().get(name=name)
    first = sequence.value + 1
    sequence.value += count
    sequence.save(update_fields=["value"])
    return first


ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _step(check: int, character: str) -> int:
    """One step of ISO 7064 MOD 37,36 (as ``stdnum.iso7064.mod_37_36.checksum``)."""
    return (((check or 36) * 2) % 37 + ALPHABET.index(character)) % 36


class CheckCharacters:
    """``licensing.services.numbers._with_check`` for runs of numbers: the state after the
    prefix and year is computed once, and the six digits in two steps of three from a table,
    about ten times faster than the general function (a million numbers per counter)."""

    def __init__(self) -> None:
        self.after_three = [
            [
                _step(_step(_step(s, f"{d:03d}"[0]), f"{d:03d}"[1]), f"{d:03d}"[2])
                for d in range(1000)
            ]
            for s in range(36)
        ]
        self.heads: dict[tuple[str, int], int] = {}

    def number(self, prefix: str, year: int, value: int) -> str:
        if value > 999_999:
            body = f"{prefix}{year}{value:06d}"
            return f"{prefix}-{year}-{value:06d}-{mod_37_36.calc_check_digit(body)}"
        head = self.heads.get((prefix, year))
        if head is None:
            head = 18  # 36 // 2, the checksum's start
            for character in f"{prefix}{year}":
                head = _step(head, character)
            self.heads[(prefix, year)] = head
        table = self.after_three
        check = table[table[head][value // 1000]][value % 1000]
        return f"{prefix}-{year}-{value:06d}-{ALPHABET[(1 - ((check or 36) * 2) % 37) % 36]}"


def fees() -> dict[str, Decimal]:
    today = timezone.localdate()
    rows = FeeSchedule.objects.filter(application_kind="new", valid_from__lte=today)
    return {row.activity: row.amount for row in rows.order_by("valid_from")}


def party_name(k: int) -> str:
    return f"Seed {'Trader' if k % 3 == 0 else 'Holding'} {k:07d}"


def party_fields(k: int, *, approved_at: dt.datetime) -> dict[str, Any]:
    """The holder numbered ``k``: its fields as both writers store them."""
    country = COUNTRIES[k % len(COUNTRIES)]
    natural = k % 3 == 0
    return {
        "kind": "natural" if natural else "legal",
        "legal_name": party_name(k),
        "registration_number": f"SEED-{country}-{k:07d}",
        "country": country,
        "date_of_birth": dt.date(1960 + k % 40, 1 + k % 12, 1 + k % 28) if natural else None,
        "date_of_incorporation": None if natural else dt.date(1990 + k % 35, 6, 1),
        "place_of_incorporation": "" if natural else "Seed town",
        "headquarters_address": "" if natural else f"Seed street {k}",
        "principal_place_of_business": f"Seed street {k}",
        "address": f"Seed street {k}",
        "email": f"party{k}@seed.example",
        "preferred_language": LANGUAGES.get(country, "en"),
        # Licence holders: approved. Their record versions are migration 0024's to write.
        "approved_at": approved_at,
    }


def site_fields(k: int, party_id: int, latitude: str, longitude: str) -> dict[str, Any]:
    """The one site of holder ``k`` (row ``party_id``)."""
    return {
        "kind": "retail",
        "name": f"Site of {party_name(k)}",
        "street_address": f"Seed street {k}",
        "postal_code": f"{1000 + party_id % 8999}",
        "municipality": "Seed town",
        "country": COUNTRIES[k % len(COUNTRIES)],
        "latitude": latitude,
        "longitude": longitude,
    }


@dataclass
class Planned:
    """One licence: its state and dates, its holder (index into the batch's parties) and its
    activities (index into ``ACTIVITY_SETS``)."""

    state: str
    expires_on: dt.date
    valid_from: dt.date
    submitted: dt.date
    party: int
    activities: int


@dataclass
class Batch:
    """What one transaction writes: holders ``first_party ...`` with their sites' coordinates,
    and the licences with their numbers (application, invoice, licence)."""

    first_party: int
    coordinates: list[tuple[str, str]]
    licences: list[Planned]
    references: list[str] = field(default_factory=list)
    invoices: list[str] = field(default_factory=list)
    numbers: list[str] = field(default_factory=list)


class Seeder:
    """``Seeder(seed=2026).run(1_000_000)``: plan and write in batches, report progress.
    ``method`` is ``"copy"`` (PostgreSQL only, the default there) or ``"bulk"``."""

    def __init__(self, *, seed: int = 2026, method: str | None = None) -> None:
        if method is None:
            method = "copy" if connection.vendor == "postgresql" else "bulk"
        if method not in METHODS or (method == "copy" and connection.vendor != "postgresql"):
            raise ValueError(f"no {method!r} seeding on {connection.vendor}")
        self.method = method
        self.seed = seed
        self.rng = random.Random(seed)  # noqa: S311 - synthetic data, not secrets
        self.today = timezone.localdate()
        self.user = seed_user()
        self.fee = fees()
        self.term = dt.timedelta(days=settings.LICENCE_TERM_DAYS)
        self.checks = CheckCharacters()
        self.rows = 0

    def _expiry(self) -> tuple[str, dt.date]:
        """Mostly active, spread over the next two years; a few suspended, a few expired."""
        roll = self.rng.random()
        if roll < 0.02:
            return "expired", self.today - dt.timedelta(days=self.rng.randint(1, 80))
        state = "suspended" if roll < 0.05 else "active"
        return state, self.today + dt.timedelta(days=self.rng.randint(1, 730))

    def numbered(self, prefix: str, counter: str, years: list[int]) -> list[str]:
        """One number per entry of ``years`` (in order), from blocks reserved per year."""
        need = Counter(years)
        nxt = {year: reserve(f"{counter}-{year}", count) for year, count in sorted(need.items())}
        numbers = []
        number = self.checks.number
        for year in years:
            numbers.append(number(prefix, year, nxt[year]))
            nxt[year] += 1
        return numbers

    def plan(self, size: int, offset: int) -> Batch:
        """Licences ``offset ... offset + size - 1``; numbers reserved in the caller's
        transaction."""
        rng = self.rng
        first = offset // LICENCES_PER_PARTY
        last = (offset + size - 1) // LICENCES_PER_PARTY
        coordinates = [
            (f"{45 + rng.random() * 25:.6f}", f"{5 + rng.random() * 20:.6f}")
            for _ in range(first, last + 1)
        ]
        licences = []
        for i in range(offset, offset + size):
            state, expires_on = self._expiry()
            valid_from = expires_on - self.term
            submitted = valid_from - dt.timedelta(days=rng.randint(10, 40))
            activities = rng.randrange(len(ACTIVITY_SETS))
            licences.append(
                Planned(
                    state,
                    expires_on,
                    valid_from,
                    submitted,
                    i // LICENCES_PER_PARTY - first,
                    activities,
                )
            )
        batch = Batch(first, coordinates, licences)
        submitted_years = [p.submitted.year for p in licences]
        batch.references = self.numbered("A", "application", submitted_years)
        batch.invoices = self.numbered("F", "invoice", submitted_years)
        batch.numbers = self.numbered(
            settings.LICENCE_NUMBER_PREFIX, "licence", [p.valid_from.year for p in licences]
        )
        return batch

    def run(
        self, n: int, *, batch_size: int = 5000, report: Callable[[str], None] = print
    ) -> dict[str, Any]:
        """Write ``n`` licences; returns licences, rows, seconds and the method used."""
        if self.method == "copy":
            from licensing.demo.seed_copy import CopyWriter

            write: Callable[[Batch], int] = CopyWriter(self).write
        else:
            from licensing.demo.seed_bulk import write_bulk

            def write(batch: Batch) -> int:
                return write_bulk(self, batch)

        # Whole parties per batch: a party's licences never straddle two batches.
        batch_size = max(LICENCES_PER_PARTY, batch_size - batch_size % LICENCES_PER_PARTY)
        start = time.monotonic()
        done = 0
        base = self._offset()
        while done < n:
            size = min(batch_size, n - done)
            with transaction.atomic():
                self.rows += write(self.plan(size, offset=base + done))
            done += size
            elapsed = time.monotonic() - start
            report(
                f"{done:>9,d}/{n:,d} licences  {self.rows:>11,d} rows  "
                f"{elapsed:7.1f} s  {self.rows / elapsed:9,.0f} rows/s  "
                f"{done / elapsed:7,.0f} licences/s"
            )
        elapsed = time.monotonic() - start
        return {"licences": n, "rows": self.rows, "seconds": elapsed, "method": self.method}

    def _offset(self) -> int:
        """Party numbering continues after earlier seeding runs (registration numbers stay
        unique), counted once per run."""
        last = (
            Party.objects.filter(registration_number__startswith="SEED-")
            .order_by("-pk")
            .values_list("registration_number", flat=True)
            .first()
        )
        return (int(last.rsplit("-", 1)[1]) + 1) * LICENCES_PER_PARTY if last else 0
