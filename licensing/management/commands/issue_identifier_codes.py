"""``issue_identifier_codes``: the tracking-and-tracing codes (Reg. (EU) 2018/574 Art. 15, 17)
for the holders and sites of live licences that have none, e.g. licences issued before the
codes existed. Safe to run again; ``equipment``'s ``issue_machine_codes`` then codes the
registered machines. docs/identifiers.md."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from licensing.services.identifiers import backfill_codes


class Command(BaseCommand):
    help = "Issue the economic operator and facility codes that live licences are missing."

    def handle(self, *args: Any, **options: Any) -> None:
        done = backfill_codes()
        self.stdout.write(f"{done} parties coded.")
