"""Give the runtime database role its privileges and no more (issue 15; docs/database-roles.md).
Run as the owner after ``migrate``: ``manage.py grant_runtime_role --role licensing_app``."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from licensing.db_roles import RuntimeRoleRefused, grant_runtime_role


class Command(BaseCommand):
    help = (
        "PostgreSQL: grant the runtime role SELECT/INSERT/UPDATE/DELETE on the tables, only "
        "SELECT/INSERT on the append-only audit tables, nothing on the schema. Run as the owner."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--role",
            default=getattr(settings, "DATABASE_RUNTIME_ROLE", ""),
            help="the role the web and workers connect as (default: DATABASE_RUNTIME_ROLE)",
        )
        parser.add_argument("--database", default="default")

    def handle(self, *args: Any, **options: Any) -> None:
        role = options["role"]
        if not role:
            raise CommandError("Name the runtime role: --role NAME or DATABASE_RUNTIME_ROLE.")
        try:
            statements = grant_runtime_role(role=role, using=options["database"])
        except RuntimeRoleRefused as refused:
            raise CommandError(str(refused)) from refused
        if options["verbosity"] > 1:
            for statement in statements:
                self.stdout.write(statement)
        self.stdout.write(
            self.style.SUCCESS(f"Runtime role {role}: {len(statements)} grants applied.")
        )
