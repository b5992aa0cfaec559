"""Rebuild fixtures/demo.json: run the demo story through the real services on a throwaway
database (the test database of the configured engine), then write its rows."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import connection
from django.test.utils import override_settings
from django.utils import timezone

from licensing import gates
from licensing.demo.fixture import FIXTURE, write_fixture


class Command(BaseCommand):
    help = "Build the demo world with the services on a throwaway database; write the fixture."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output", default=str(FIXTURE), help="default: fixtures/demo.json")

    def handle(self, *args: Any, **options: Any) -> None:
        from licensing.celery import app
        from licensing.demo.world import build_world

        logging.getLogger("celery").setLevel(logging.WARNING)
        output = Path(options["output"])
        today = timezone.localdate()
        old_name = connection.settings_dict["NAME"]
        # A fresh, migrated database that is dropped afterwards: never the real one.
        connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
        eager = app.conf.task_always_eager
        app.conf.task_always_eager = True  # notifications are sent (to locmem) as they happen
        try:
            with (
                override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"),
                gates.suspended(),
            ):
                build_world(today=today)
            counts = write_fixture(output, built_on=today)
        finally:
            app.conf.task_always_eager = eager
            connection.creation.destroy_test_db(old_name, verbosity=0)
        for label, count in counts.items():
            self.stdout.write(f"{count:6d}  {label}")
        self.stdout.write(self.style.SUCCESS(f"wrote {output} ({sum(counts.values())} rows)"))
