"""A party's risk score, and what makes it (Art. 6.3(e), 7, 18): the latest due-diligence
review's score (``services.reviews.risk_score``), each flag not cleared of the latest run on the
latest version of each of its returns (``RETURN_CHECK_WEIGHTS``), each return overdue now
(``RETURN_OVERDUE_WEIGHT``), and each seizure case it is tied to (``SEIZURE_RISK_WEIGHTS``).
Inspection planning reads it (``inspections.services.planning``). A fixed number of queries,
however many returns or seizures the party has."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Max, OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from duediligence.models import CheckOutcome, Disposition, ReturnCheckResult, Review
from duediligence.return_checks import return_check_for
from duediligence.services.reviews import risk_score
from returns.models import PeriodStatus, Return, ReturnPeriod
from seizures.models import SeizedItem, SeizureCase


@dataclass(frozen=True)
class RiskContribution:
    """One row of the explanation, the fields of ``services.reviews.Contribution`` and where it
    comes from: ``source`` is "review", "return", "overdue" or "seizure"; ``subject`` names the
    period or the seizure case."""

    source: str
    code: str
    label: str
    article: str
    subject: str
    outcome: str
    outcome_label: str
    disposition: str
    disposition_label: str
    weight: int
    points: int


def _review_rows(party_id: int) -> list[RiskContribution]:
    review = Review.objects.filter(application__party_id=party_id).order_by("-pk").first()
    if review is None:
        return []
    return [
        RiskContribution(
            source="review",
            code=row.code,
            label=row.label,
            article=row.article,
            subject="",
            outcome=row.outcome,
            outcome_label=row.outcome_label,
            disposition=row.disposition,
            disposition_label=row.disposition_label,
            weight=row.weight,
            points=row.points,
        )
        for row in risk_score(review)[1]
    ]


def _return_rows(party_id: int) -> list[RiskContribution]:
    """Flags not cleared of the latest run on the latest version of each period's return."""
    latest_version = (
        Return.objects.filter(period_id=OuterRef("filed_return__period_id"))
        .values("period_id")
        .annotate(top=Max("version"))
        .values("top")
    )
    latest_run = (
        ReturnCheckResult.objects.filter(filed_return_id=OuterRef("filed_return_id"))
        .values("filed_return_id")
        .annotate(top=Max("run"))
        .values("top")
    )
    results = (
        ReturnCheckResult.objects.filter(
            filed_return__period__party_id=party_id,
            filed_return__version=Subquery(latest_version),
            run=Subquery(latest_run),
            outcome__in=[CheckOutcome.FLAG, CheckOutcome.FAIL],
        )
        .exclude(disposition=Disposition.CLEARED)
        .select_related("filed_return__period")
        .order_by("-filed_return__period__starts_on", "pk")
    )
    rows = []
    for result in results:
        check = return_check_for(result.code)
        weight = int(settings.RETURN_CHECK_WEIGHTS.get(result.code, 0))
        rows.append(
            RiskContribution(
                source="return",
                code=result.code,
                label=str(check.label) if check else result.code,
                article=result.article,
                subject=str(result.filed_return.period),
                outcome=result.outcome,
                outcome_label=str(result.get_outcome_display()),
                disposition=result.disposition,
                disposition_label=str(result.get_disposition_display()),
                weight=weight,
                points=weight,
            )
        )
    return rows


def _overdue_rows(party_id: int, today: dt.date) -> list[RiskContribution]:
    """Art. 9.1, 9.2: each period whose return is due and not filed."""
    weight = int(settings.RETURN_OVERDUE_WEIGHT)
    periods = ReturnPeriod.objects.filter(
        party_id=party_id, filed_at__isnull=True, due_on__lt=today
    ).order_by("due_on", "pk")
    return [
        RiskContribution(
            source="overdue",
            code="overdue_return",
            label=_("Return overdue"),
            article="Art. 9.1, 9.2",
            subject=str(period),
            outcome=PeriodStatus.OVERDUE,
            outcome_label=str(PeriodStatus.OVERDUE.label),
            disposition="",
            disposition_label="",
            weight=weight,
            points=weight,
        )
        for period in periods
    ]


SEIZURE_LABELS = {
    "seized_from": gettext_lazy("Seizure from this party"),
    "machine_seized": gettext_lazy("Machine of this party seized"),
    "serial_cloned": gettext_lazy("Serial number of this party's machine found cloned"),
}


def _seizure_rows(party_id: int) -> list[RiskContribution]:
    """Art. 18: each seizure case that involves the party, once, under the heaviest of its
    ties (seized from it, its register machine seized, one of its serials found cloned)."""
    weights = settings.SEIZURE_RISK_WEIGHTS
    ties: dict[int, tuple[str, str]] = {}

    def tie(case_id: int, reference: str, code: str) -> None:
        if case_id not in ties or weights[code] > weights[ties[case_id][1]]:
            ties[case_id] = (reference, code)

    for pk, reference in SeizureCase.objects.filter(party_id=party_id).values_list(
        "pk", "reference"
    ):
        tie(pk, reference, "seized_from")
    for case_id, reference, cloned in SeizedItem.objects.filter(
        register_machine__holder_id=party_id
    ).values_list("case_id", "case__reference", "cloned"):
        tie(case_id, reference, "serial_cloned" if cloned else "machine_seized")
    return [
        RiskContribution(
            source="seizure",
            code=code,
            label=str(SEIZURE_LABELS[code]),
            article="Art. 18",
            subject=reference,
            outcome=CheckOutcome.FLAG,
            outcome_label=str(CheckOutcome.FLAG.label),
            disposition="",
            disposition_label="",
            weight=int(weights[code]),
            points=int(weights[code]),
        )
        for case_id, (reference, code) in sorted(ties.items())
    ]


def party_risk(party_id: int, today: dt.date | None = None) -> tuple[int, list[RiskContribution]]:
    """The party's score and the rows that explain it: every result of the latest review's
    latest run (the ones that count carry points), the return flags that count, and the
    overdue returns."""
    today = today or timezone.localdate()
    rows = [
        *_review_rows(party_id),
        *_return_rows(party_id),
        *_overdue_rows(party_id, today),
        *_seizure_rows(party_id),
    ]
    return sum(row.points for row in rows), rows
