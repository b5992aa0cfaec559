"""What the services that change a risk score's inputs call (issue 22): the parties' kept
scores (``services.risk_scores``) are computed again once the change commits, by a job, or at
once when the broker cannot be reached (no sweep would notice the change later)."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from licensing.jobs import enqueue


def rescore_after_commit(party_ids: Iterable[int | None]) -> None:
    ids = sorted({int(pk) for pk in party_ids if pk})
    if not ids:
        return

    def send() -> None:
        # The jobs module imports the services; it is only reached for here, after the commit.
        from duediligence import tasks

        if not enqueue(tasks.keep_risk_scores, party_ids=ids):
            tasks.keep_risk_scores(party_ids=ids)

    transaction.on_commit(send)
