"""Bulk benchmark data: ``seed_demo --licences 1000000``, a million licences in minutes on
PostgreSQL (``COPY``). See licensing/demo/seed.py for what each licence carries, how it is
written and why no audit trail is written."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from licensing.demo.seed import METHODS, Seeder


class Command(BaseCommand):
    help = (
        "Generate N consistent licences, each with its holder and site (one holder per four "
        "licences), an approved application and its snapshot, a paid invoice with its lines "
        "and payment, and a term: about 9.9 rows per licence, no audit trail. On PostgreSQL "
        "the rows are written with COPY (ids taken in advance from the sequences), elsewhere "
        "with bulk inserts; one transaction per batch. The same --seed gives the same licences."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--licences", type=int, required=True, help="how many licences")
        parser.add_argument(
            "--batch-size",
            type=int,
            default=5000,
            help="licences per transaction (whole holders; default 5000)",
        )
        parser.add_argument("--seed", type=int, default=2026, help="random seed (default 2026)")
        parser.add_argument(
            "--method",
            choices=METHODS,
            help="copy (PostgreSQL only, its default) or bulk (bulk_create, any database)",
        )
        parser.add_argument(
            "--force", action="store_true", help="run even with DEBUG off (never in production)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG and not options["force"]:
            raise CommandError("DEBUG is off: synthetic data is not written to production.")
        if options["licences"] < 1 or options["batch_size"] < 1:
            raise CommandError("--licences and --batch-size must be positive.")
        try:
            seeder = Seeder(seed=options["seed"], method=options["method"])
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        result = seeder.run(
            options["licences"], batch_size=options["batch_size"], report=self.stdout.write
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"{result['licences']:,} licences, {result['rows']:,} rows in "
                f"{result['seconds']:.1f} s ({result['rows'] / result['seconds']:,.0f} rows/s, "
                f"{result['method']})"
            )
        )
