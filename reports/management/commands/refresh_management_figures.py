"""``manage.py refresh_management_figures --since 2024-01``: rebuild the management pages'
monthly sums (case flow and figures) from a month to this one (the first time, or after an
import of past records), and this month's count of the register (licensees by risk score: a
month gone by cannot be counted again)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from reports import case_flow, figures


class Command(BaseCommand):
    help = "Rebuild the monthly sums of the management pages from a month to this one."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--since", required=True, help="the first month, as YYYY-MM")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            year, number = (int(part) for part in options["since"].split("-"))
            first = dt.date(year, number, 1)
        except ValueError as error:
            raise CommandError("--since wants a month as YYYY-MM, e.g. 2024-01") from error
        today = timezone.localdate()
        if first > today:
            raise CommandError("--since is after this month")
        done = case_flow.months(first, today)
        for month in done:
            case_flow.refresh_month(month)
        figures.refresh_range(first, today)
        figures.refresh_snapshots(today)
        self.stdout.write(f"{len(done)} months refreshed, {first:%Y-%m} to {today:%Y-%m}")
