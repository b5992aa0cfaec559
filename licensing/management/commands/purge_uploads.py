"""``purge_uploads [--dry-run]``: what the daily job does, by hand. See
licensing/services/retention.py for what counts as an unreferenced upload."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from licensing.services import retention


class Command(BaseCommand):
    help = (
        "Remove uploaded files that no document names and that are older than "
        "UPLOAD_ORPHAN_HOURS (left by uploads whose transaction rolled back)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="list what would be removed; remove nothing"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        dry_run = options["dry_run"]
        older_than = retention.default_orphan_age()
        names = retention.purge_unreferenced_uploads(older_than=older_than, dry_run=dry_run)
        for name in names:
            self.stdout.write(name)
        verb = "would be removed (dry run)" if dry_run else "removed"
        self.stdout.write(
            self.style.SUCCESS(
                f"{len(names)} unreferenced uploads older than "
                f"{older_than.total_seconds() / 3600:g} hours {verb}."
            )
        )
