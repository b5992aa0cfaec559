"""``make run`` calls this after ``migrate``: the demo users, one per role, and the demo world
from fixtures/demo.json. Safe to run again. Demo data never goes into production: it refuses
to run with DEBUG off unless forced."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from guardian.shortcuts import assign_perm

from licensing.demo.fixture import (
    FIXTURE,
    days_since,
    demo_is_loaded,
    load_fixture,
    media_folder,
    read_fixture,
    restore_files,
)
from licensing.demo.users import DEMO_USERS, demo_password, ensure_demo_users
from licensing.models import Party
from licensing.signals import demo_loaded

# The parties the demo ``applicant`` user acts for (by their legal names in the fixture).
APPLICANT_PARTIES = ("Fjordtobakk AS", "Kari Solberg")


class Command(BaseCommand):
    help = "Create the demo users and load the demo data (skipped when already loaded)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--fixture", default=str(FIXTURE), help="default: fixtures/demo.json")
        parser.add_argument(
            "--force", action="store_true", help="run even with DEBUG off (never in production)"
        )
        parser.add_argument(
            "--no-shift",
            action="store_true",
            help="load the dates as built, without moving them on to today",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG and not options["force"]:
            raise CommandError("DEBUG is off: demo users are not created in production.")
        password = demo_password()
        users = ensure_demo_users(password=password)
        objects, built_on = read_fixture(Path(options["fixture"]))
        if demo_is_loaded(objects):
            self.stdout.write("Demo data already loaded; nothing to load.")
        elif Party.objects.exists():
            self.stdout.write(
                self.style.WARNING("The database holds other parties: demo data not loaded.")
            )
        else:
            shift = 0 if options["no_shift"] else days_since(built_on)
            count = load_fixture(objects, shift_days=shift)
            restore_files(media_folder(Path(options["fixture"])))
            self.stdout.write(
                self.style.SUCCESS(
                    f"Loaded {count} demo rows (built {built_on}, dates moved {shift} days on)."
                )
            )
        demo_loaded.send(sender=None)
        for party in Party.objects.filter(legal_name__in=APPLICANT_PARTIES):
            assign_perm("licensing.act_for_party", users["applicant"], party)
        self.stdout.write(f"\nDemo logins (password for all: {password})\n")
        self.stdout.write(f"  {'username':<11} {'role':<16} admin")
        for spec in DEMO_USERS:
            role = spec.group or "superuser"
            admin = "yes" if spec.staff or spec.superuser else "no (portal)"
            self.stdout.write(f"  {spec.username:<11} {role:<16} {admin}")
