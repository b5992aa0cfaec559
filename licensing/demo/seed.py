"""N synthetic, consistent licences by bulk insert, for benchmarks (``seed_demo``).

Each licence has what the services would have left: a holder with a site, an approved ``new``
application with its snapshot, a paid invoice with its lines and payment, a licence number
with a valid check character and a term. Numbers are drawn in blocks from the same Sequence
rows the services use, so later services continue after them and never collide.

Bulk seeding writes no audit trail and sends no notifications: it is synthetic benchmark data,
not a history, and an audit event per row would double what is measured."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import random
import time
from collections import Counter
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from licensing.models import (
    Application,
    FeeSchedule,
    Invoice,
    InvoiceLine,
    Licence,
    LicenceTerm,
    Party,
    Payment,
    Sequence,
    Site,
    SubmissionSnapshot,
)
from licensing.services.numbers import _with_check

COUNTRIES = ("NO", "HU", "DE", "SE", "PL")
LANGUAGES = {"NO": "nb", "HU": "hu"}
ACTIVITY_SETS = (
    ["retail"],
    ["retail"],
    ["retail"],
    ["wholesale", "distribution"],
    ["import", "wholesale"],
    ["warehousing", "transport"],
    ["manufacture_products", "export"],
    ["growing"],
    ["brokering"],
)
LICENCES_PER_PARTY = 4
SEED_USERNAME = "bulk-seed"


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


def numbered(prefix: str, counter: str, years: list[int]) -> list[str]:
    """One number per entry of ``years`` (in order), from blocks reserved per year."""
    need = Counter(years)
    nxt = {year: reserve(f"{counter}-{year}", count) for year, count in sorted(need.items())}
    numbers = []
    for year in years:
        numbers.append(_with_check(prefix, year, nxt[year]))
        nxt[year] += 1
    return numbers


def fees() -> dict[str, Decimal]:
    today = timezone.localdate()
    rows = FeeSchedule.objects.filter(application_kind="new", valid_from__lte=today)
    return {row.activity: row.amount for row in rows.order_by("valid_from")}


class Seeder:
    def __init__(self, *, seed: int = 2026) -> None:
        self.rng = random.Random(seed)  # noqa: S311 - synthetic data, not secrets
        self.today = timezone.localdate()
        self.user = seed_user()
        self.fee = fees()
        self.term = dt.timedelta(days=settings.LICENCE_TERM_DAYS)
        self.rows = 0

    def _expiry(self) -> tuple[str, dt.date]:
        """Mostly active, spread over the next two years; a few suspended, a few expired."""
        roll = self.rng.random()
        if roll < 0.02:
            return "expired", self.today - dt.timedelta(days=self.rng.randint(1, 80))
        state = "suspended" if roll < 0.05 else "active"
        return state, self.today + dt.timedelta(days=self.rng.randint(1, 730))

    def _at(self, day: dt.date, hour: int = 10) -> dt.datetime:
        return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))

    def batch(self, size: int, offset: int) -> None:
        rng = self.rng
        parties = []
        for k in range(offset // LICENCES_PER_PARTY, (offset + size - 1) // LICENCES_PER_PARTY + 1):
            country = COUNTRIES[k % len(COUNTRIES)]
            natural = k % 3 == 0
            parties.append(
                Party(
                    kind="natural" if natural else "legal",
                    legal_name=f"Seed {'Trader' if natural else 'Holding'} {k:07d}",
                    registration_number=f"SEED-{country}-{k:07d}",
                    country=country,
                    date_of_birth=dt.date(1960 + k % 40, 1 + k % 12, 1 + k % 28)
                    if natural
                    else None,
                    date_of_incorporation=None if natural else dt.date(1990 + k % 35, 6, 1),
                    place_of_incorporation="" if natural else "Seed town",
                    headquarters_address="" if natural else f"Seed street {k}",
                    principal_place_of_business=f"Seed street {k}",
                    address=f"Seed street {k}",
                    email=f"party{k}@seed.example",
                    preferred_language=LANGUAGES.get(country, "en"),
                    # Licence holders: approved (their versions, if wanted, come from the
                    # same INSERT ... SELECT as migration 0024's).
                    approved_at=timezone.now(),
                )
            )
        Party.objects.bulk_create(parties)
        sites = Site.objects.bulk_create(
            Site(
                party=party,
                kind="retail",
                name=f"Site of {party.legal_name}",
                street_address=party.address,
                postal_code=f"{1000 + party.pk % 8999}",
                municipality="Seed town",
                country=party.country,
                latitude=Decimal(f"{45 + rng.random() * 25:.6f}"),
                longitude=Decimal(f"{5 + rng.random() * 20:.6f}"),
            )
            for party in parties
        )
        first_party = offset // LICENCES_PER_PARTY
        plan = []
        for i in range(offset, offset + size):
            state, expires_on = self._expiry()
            valid_from = expires_on - self.term
            submitted = valid_from - dt.timedelta(days=rng.randint(10, 40))
            index = i // LICENCES_PER_PARTY - first_party
            plan.append(
                (state, expires_on, valid_from, submitted, index, rng.choice(ACTIVITY_SETS))
            )
        references = numbered("A", "application", [p[3].year for p in plan])
        invoices = numbered("F", "invoice", [p[3].year for p in plan])
        licences = numbered(settings.LICENCE_NUMBER_PREFIX, "licence", [p[2].year for p in plan])
        applications = Application.objects.bulk_create(
            Application(
                reference=references[n],
                kind="new",
                party=parties[index],
                activities=activities,
                state="approved",
                declaration_accepted_at=self._at(submitted, 9),
                submitted_at=self._at(submitted),
                decided_at=self._at(valid_from),
                assigned_officer=self.user,
                created_by=self.user,
            )
            for n, (_, _, valid_from, submitted, index, activities) in enumerate(plan)
        )
        Application.sites.through.objects.bulk_create(
            Application.sites.through(application_id=a.pk, site_id=sites[p[4]].pk)
            for a, p in zip(applications, plan, strict=True)
        )
        snapshots = []
        for a in applications:
            data = {
                "application": {"reference": a.reference, "kind": a.kind},
                "activities": a.activities,
                "party": {"id": a.party_id},
                "synthetic": True,
            }
            text = json.dumps(data, sort_keys=True)
            snapshots.append(
                SubmissionSnapshot(
                    application=a, data=data, sha256=hashlib.sha256(text.encode()).hexdigest()
                )
            )
        SubmissionSnapshot.objects.bulk_create(snapshots)
        invoice_rows = Invoice.objects.bulk_create(
            Invoice(
                application=a,
                number=invoices[n],
                amount=sum((self.fee.get(x, Decimal("0")) for x in a.activities), Decimal("0")),
                currency=settings.FEE_CURRENCY,
                due_on=plan[n][3] + dt.timedelta(days=settings.INVOICE_DUE_DAYS),
            )
            for n, a in enumerate(applications)
        )
        InvoiceLine.objects.bulk_create(
            InvoiceLine(invoice=inv, activity=x, amount=self.fee.get(x, Decimal("0")))
            for inv, a in zip(invoice_rows, applications, strict=True)
            for x in a.activities
        )
        Payment.objects.bulk_create(
            Payment(
                invoice=inv,
                reference=f"SEED-{inv.number}",
                amount=inv.amount,
                paid_on=plan[n][3] + dt.timedelta(days=5),
                recorded_by=self.user,
            )
            for n, inv in enumerate(invoice_rows)
            if inv.amount > 0
        )
        licence_rows = Licence.objects.bulk_create(
            Licence(
                number=licences[n],
                holder_id=a.party_id,
                activities=a.activities,
                valid_from=plan[n][2],
                expires_on=plan[n][1],
                application=a,
                issued_by=self.user,
                issued_at=self._at(plan[n][2]),
                state=plan[n][0],
            )
            for n, a in enumerate(applications)
        )
        Licence.sites.through.objects.bulk_create(
            Licence.sites.through(licence_id=lic.pk, site_id=sites[p[4]].pk)
            for lic, p in zip(licence_rows, plan, strict=True)
        )
        LicenceTerm.objects.bulk_create(
            LicenceTerm(
                licence=lic, valid_from=lic.valid_from, expires_on=lic.expires_on, application=a
            )
            for lic, a in zip(licence_rows, applications, strict=True)
        )
        lines = sum(len(a.activities) for a in applications)
        paid = sum(1 for inv in invoice_rows if inv.amount > 0)
        self.rows += len(parties) * 2 + size * 7 + lines + paid

    def run(
        self, n: int, *, batch_size: int = 5000, report: Callable[[str], None] = print
    ) -> dict[str, float]:
        # Whole parties per batch: a party's licences never straddle two batches.
        batch_size = max(LICENCES_PER_PARTY, batch_size - batch_size % LICENCES_PER_PARTY)
        start = time.monotonic()
        done = 0
        while done < n:
            size = min(batch_size, n - done)
            with transaction.atomic():
                self.batch(size, offset=self._offset() + done)
            done += size
            elapsed = time.monotonic() - start
            report(
                f"{done:>9,d}/{n:,d} licences  {self.rows:>11,d} rows  "
                f"{elapsed:7.1f} s  {self.rows / elapsed:9,.0f} rows/s  "
                f"{done / elapsed:7,.0f} licences/s"
            )
        elapsed = time.monotonic() - start
        return {"licences": n, "rows": self.rows, "seconds": elapsed}

    def _offset(self) -> int:
        """Party numbering continues after earlier seeding runs (registration numbers stay
        unique), counted once per run."""
        if not hasattr(self, "_base"):
            last = (
                Party.objects.filter(registration_number__startswith="SEED-")
                .order_by("-pk")
                .values_list("registration_number", flat=True)
                .first()
            )
            self._base = (int(last.rsplit("-", 1)[1]) + 1) * LICENCES_PER_PARTY if last else 0
        return self._base
