"""The parties' kept risk scores (``PartyRiskScore``, issue 22). Computed again after the
commit of whatever changes what makes a score (``services.rescoring``: a review's run or a
flag's decision, a return's checks or a flag's decision, a seizure case), and each day for the
parties whose return fell due unfiled (``sweep``), which no record's change announces.
``keep_all`` rebuilds every licensee's score (``manage.py keep_risk_scores``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from duediligence.models import PartyRiskScore
from duediligence.services.risk import party_risk
from licensing.models import Licence, LicenceState
from returns.models import ReturnPeriod

# The licences whose holders the register counts by risk: those in force or suspended.
HELD = (LicenceState.ACTIVE, LicenceState.SUSPENDED)


def keep(party_ids: Iterable[int], today: dt.date | None = None) -> int:
    """Compute and keep the score of each party (a fixed number of queries each). Returns
    how many were kept. Idempotent: a second call writes the same scores."""
    today = today or timezone.localdate()
    kept = 0
    for party_id in sorted(set(party_ids)):
        score, _rows = party_risk(party_id, today)
        PartyRiskScore.objects.update_or_create(
            party_id=party_id, defaults={"score": score, "computed_at": timezone.now()}
        )
        kept += 1
    return kept


def fallen_due(today: dt.date, days: int | None = None) -> list[int]:
    """The parties with a return that fell due unfiled in the ``days`` before ``today``
    (Art. 9.1: an overdue return counts in the score from the day after it is due)."""
    days = days if days is not None else settings.RISK_SWEEP_DAYS
    return list(
        ReturnPeriod.objects.filter(
            filed_at__isnull=True,
            due_on__gte=today - dt.timedelta(days=days),
            due_on__lt=today,
        )
        .values_list("party_id", flat=True)
        .distinct()
    )


def sweep(today: dt.date | None = None) -> int:
    """The daily job: the parties whose return fell due unfiled lately. Looking back several
    days, a day the job did not run is made up the next; a party scored twice is harmless."""
    today = today or timezone.localdate()
    return keep(fallen_due(today), today)


def keep_all(today: dt.date | None = None, *, batch: int = 1000) -> int:
    """Every licensee's score, in batches of parties (each its own transaction)."""
    today = today or timezone.localdate()
    holders = (
        Licence.objects.filter(state__in=HELD)
        .order_by("holder_id")
        .values_list("holder_id", flat=True)
        .distinct()
    )
    kept, chunk = 0, []
    for holder in holders.iterator(chunk_size=batch):
        chunk.append(holder)
        if len(chunk) == batch:
            with transaction.atomic():
                kept += keep(chunk, today)
            chunk = []
    with transaction.atomic():
        kept += keep(chunk, today)
    return kept
