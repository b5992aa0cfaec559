"""A party's risk score (issue 17, part 3): its latest review's score, the flags not cleared on
the latest version of each of its returns, and each return overdue now; inspection planning
reads it, and the party's admin page shows it with what makes it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from duediligence.models import CheckOutcome, CheckResult, Review
from duediligence.services.return_checks import check_return, decide_return_flag
from duediligence.services.risk import party_risk
from inspections.services import planning
from tests.factories.returns import ReturnFactory, ReturnLineFactory, ReturnPeriodFactory

pytestmark = pytest.mark.django_db


def flagged_return(period=None, version=1, reason=""):
    """A return whose stock does not add up (the stock check flags it), checked."""
    filed = ReturnFactory(
        lines=False, version=version, reason=reason, **({"period": period} if period else {})
    )
    ReturnLineFactory(filed_return=filed, sold=Decimal(5000))
    check_return(return_id=filed.pk)
    return filed


def test_a_party_with_nothing_against_it_scores_zero():
    filed = ReturnFactory()
    check_return(return_id=filed.pk)
    assert party_risk(filed.period.party_id) == (0, [])


def test_a_flag_on_a_return_raises_the_score_by_its_weight(settings):
    settings.RETURN_CHECK_WEIGHTS = {**settings.RETURN_CHECK_WEIGHTS, "stock_equation": 10}
    filed = flagged_return()
    score, rows = party_risk(filed.period.party_id)
    assert score == 10
    assert [(r.source, r.code, r.article, r.points) for r in rows] == [
        ("return", "stock_equation", "Art. 9.1", 10)
    ]
    assert rows[0].subject == str(filed.period)


def test_a_cleared_flag_no_longer_counts_and_an_upheld_one_does(officer):
    filed = flagged_return()
    result = filed.check_results.get(code="stock_equation")
    decide_return_flag(result_id=result.pk, by=officer, disposition="upheld", reason="Missing.")
    assert party_risk(filed.period.party_id)[0] == 10
    decide_return_flag(result_id=result.pk, by=officer, disposition="cleared", reason="Found.")
    assert party_risk(filed.period.party_id)[0] == 0


def test_only_the_latest_version_and_its_latest_run_count():
    first = flagged_return()
    corrected = ReturnFactory(period=first.period, version=2, reason="Sales corrected.")
    check_return(return_id=corrected.pk)
    assert party_risk(first.period.party_id)[0] == 0


def test_each_period_overdue_now_adds_its_weight(settings):
    settings.RETURN_OVERDUE_WEIGHT = 10
    today = timezone.localdate()
    period = ReturnPeriodFactory(
        ends_on=today - dt.timedelta(days=30), due_on=today - dt.timedelta(days=1)
    )
    score, rows = party_risk(period.party_id, today=today)
    assert score == 10 and rows[0].source == "overdue"
    assert party_risk(period.party_id, today=period.due_on)[0] == 0  # due today: not overdue
    ReturnFactory(period=period)  # filed late: no longer overdue
    assert party_risk(period.party_id, today=today)[0] == 0


def test_inspection_planning_reads_the_review_and_the_returns_together(settings):
    settings.RETURN_OVERDUE_WEIGHT = 10
    filed = flagged_return()
    licence = filed.period.licence
    review = Review.objects.create(application=licence.application, run=1)
    CheckResult.objects.create(
        review=review,
        run=1,
        code="related_parties",
        outcome=CheckOutcome.FLAG,
        article="Art. 6.3(d), 7.4",
        summary="Linked to a revoked licensee.",
        ran_at=timezone.now(),
    )
    review_points = settings.DUE_DILIGENCE_WEIGHTS["related_parties"]
    stock_points = settings.RETURN_CHECK_WEIGHTS["stock_equation"]
    assert planning.risk_of(licence) == review_points + stock_points


def test_the_party_page_shows_the_score_and_what_makes_it(client, officer):
    filed = flagged_return()
    client.force_login(officer)
    html = client.get(
        reverse("admin:licensing_party_change", args=[filed.period.party_id])
    ).content.decode()
    assert "risk score" in html
    assert "Stock equation" in html and str(filed.period) in html


def test_the_party_page_shows_no_score_to_staff_who_see_no_reviews(client, inspector):
    filed = flagged_return()
    client.force_login(inspector)
    response = client.get(reverse("admin:licensing_party_change", args=[filed.period.party_id]))
    assert response.status_code == 200
    assert "party-risk" not in response.content.decode()
