"""``manage.py demo_code officer``: the code a demo user's authenticator app would show now,
for a tester without the app. Demo users only, and never with DEBUG off."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from licensing.demo.users import DEMO_USERS
from twofactor.demo import demo_code


class Command(BaseCommand):
    help = "Print the current second-factor code of a demo staff user (DEBUG only)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG:
            raise CommandError("DEBUG is off: demo codes are not shown in production.")
        username = options["username"]
        staff = {spec.username for spec in DEMO_USERS if spec.staff or spec.superuser}
        if username not in staff:
            raise CommandError(f"{username!r} is not a demo staff user: {', '.join(sorted(staff))}")
        self.stdout.write(demo_code(username))
