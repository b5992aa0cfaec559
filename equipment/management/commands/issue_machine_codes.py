"""``issue_machine_codes``: a machine identifier code (Reg. (EU) 2018/574 Art. 19) for every
machine in use that has none, e.g. registered before the codes existed. One short transaction
per machine; safe to run again. Run ``issue_identifier_codes`` first. docs/identifiers.md."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from equipment.models import IN_USE, Machine
from equipment.services.codes import issue_machine_code


class Command(BaseCommand):
    help = "Issue the machine identifier codes that machines in use are missing."

    def handle(self, *args: Any, **options: Any) -> None:
        ids = list(
            Machine.objects.filter(state__in=IN_USE)
            .exclude(codes__active=True)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        for pk in ids:
            with transaction.atomic():
                issue_machine_code(Machine.objects.select_for_update().get(pk=pk))
        self.stdout.write(f"{len(ids)} machines coded.")
