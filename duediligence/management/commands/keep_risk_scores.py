"""``manage.py keep_risk_scores``: every licensee's risk score computed and kept again (issue
22), e.g. after the weights (``DUE_DILIGENCE_WEIGHTS``, ``RETURN_CHECK_WEIGHTS``, ...)
changed. The scores are otherwise kept as their inputs change, and by the daily sweep; the
management page counts them each night (or at once: ``manage.py refresh_management_figures``)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from duediligence.services.risk_scores import keep_all


class Command(BaseCommand):
    help = "Computes and keeps every licensee's risk score again."

    def handle(self, *args: Any, **options: Any) -> None:
        kept = keep_all()
        self.stdout.write(f"{kept} risk scores kept.")
