"""Bulk benchmark data: ``seed_demo --licences 1000000``. See licensing/demo/seed.py for what
each licence carries and why no audit trail is written."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from licensing.demo.seed import Seeder


class Command(BaseCommand):
    help = "Generate N consistent licences (with holders, applications, paid invoices, terms)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--licences", type=int, required=True, help="how many licences")
        parser.add_argument("--batch-size", type=int, default=5000, help="licences per batch")
        parser.add_argument("--seed", type=int, default=2026, help="random seed")
        parser.add_argument(
            "--force", action="store_true", help="run even with DEBUG off (never in production)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG and not options["force"]:
            raise CommandError("DEBUG is off: synthetic data is not written to production.")
        if options["licences"] < 1 or options["batch_size"] < 1:
            raise CommandError("--licences and --batch-size must be positive.")
        result = Seeder(seed=options["seed"]).run(
            options["licences"], batch_size=options["batch_size"], report=self.stdout.write
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"{result['licences']:,} licences, {result['rows']:,} rows in "
                f"{result['seconds']:.1f} s ({result['rows'] / result['seconds']:,.0f} rows/s)"
            )
        )
