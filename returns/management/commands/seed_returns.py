"""Synthetic returns for the benchmarks: ``seed_returns`` after ``seed_demo`` (returns/seed.py).
The core's seeding knows nothing of returns; whoever seeds (``make bench``'s returns area, a
developer) runs this command after it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from returns.seed import ReturnSeeder, last_quarter


class Command(BaseCommand):
    help = (
        "File one quarter's returns for the licences seed_demo wrote (those that owe none yet "
        "for it): periods by each licence's frequency, each return with a line, a supplier and "
        "a customer that are other seeded licensees (mirrored), and a payment. COPY on "
        "PostgreSQL, bulk inserts elsewhere; one transaction per batch; no audit trail."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--quarter",
            type=dt.date.fromisoformat,
            help="first day of the quarter (default: the last whole quarter)",
        )
        parser.add_argument("--licences", type=int, help="at most this many licences")
        parser.add_argument("--batch-size", type=int, default=5000, help="licences per batch")
        parser.add_argument("--seed", type=int, default=2026, help="random seed (default 2026)")
        parser.add_argument("--method", choices=("copy", "bulk"))
        parser.add_argument(
            "--force", action="store_true", help="run even with DEBUG off (never in production)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG and not options["force"]:
            raise CommandError("DEBUG is off: synthetic data is not written to production.")
        if options["batch_size"] < 2:
            raise CommandError("--batch-size must be at least 2.")
        quarter = options["quarter"] or last_quarter(timezone.localdate())
        try:
            seeder = ReturnSeeder(quarter=quarter, seed=options["seed"], method=options["method"])
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        result = seeder.run(
            limit=options["licences"], batch_size=options["batch_size"], report=self.stdout.write
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"{result['licences']:,} licences' returns for the quarter from {quarter}: "
                f"{result['rows']:,} rows in {result['seconds']:.1f} s ({seeder.method})"
            )
        )
