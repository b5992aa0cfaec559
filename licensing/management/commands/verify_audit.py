"""``manage.py verify_audit``: walk the audit trail's hash chain and name the first broken link
(docs/audit-chain.md; ASVS V16.4.2). Reads only; exits 1 on a break, so cron and CI can act."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from licensing.audit_verify import verify_chain


class Command(BaseCommand):
    help = (
        "Verify the audit trail's hash chain from the latest intact checkpoint (--full: from "
        "the first event). Prints the first broken link and exits 1 if there is one."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--full",
            action="store_true",
            help="walk the whole chain and every unlinked event, not only since the checkpoint",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        report = verify_chain(full=options["full"])
        if report.stragglers:
            self.stdout.write(
                f"{report.stragglers} events are not linked yet (the nightly job links them)."
            )
        if report.first_broken is not None:
            self.stderr.write(self.style.ERROR(f"First broken link: {report.first_broken}"))
            if report.breaks > 1:
                self.stderr.write(f"{report.breaks} breaks in all.")
            raise SystemExit(1)
        self.stdout.write(
            self.style.SUCCESS(
                f"Chain verified: {report.events_verified} events, up to event "
                f"{report.last_event_id if report.last_event_id is not None else '-'} "
                f"(position {report.position})"
            )
        )
