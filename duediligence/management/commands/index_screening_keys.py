"""Build the screening keys of every party and blocked identity (existing data, after an
import, after a change of the normalisation); with ``--open-reviews``, also open and run the
review of every open application that has none."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from duediligence.services.indexing import index_everything
from duediligence.services.reviews import review_open_applications


class Command(BaseCommand):
    help = "Index the screening keys of every party; optionally review open applications."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch-size", type=int, default=500)
        parser.add_argument(
            "--open-reviews",
            action="store_true",
            help="also open and run the due-diligence review of open applications without one",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        written = index_everything(batch_size=options["batch_size"])
        self.stdout.write(f"{written} screening keys written.")
        if options["open_reviews"]:
            opened = review_open_applications()
            self.stdout.write(f"{opened} reviews opened.")
