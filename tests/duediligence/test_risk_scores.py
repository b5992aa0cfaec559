"""The parties' kept risk scores (issue 22; Art. 6.3(e), 7, 9, 18): rewritten after the commit
of each change that makes a score (a review's run and a flag's decision, a return's checks and
a flag's decision, a seizure case), by the daily sweep for a return fallen due unfiled, and all
at once by ``manage.py keep_risk_scores``; each kept score is the score computed now."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from duediligence.models import PartyRiskScore
from duediligence.services import risk_scores
from duediligence.services.return_checks import check_return, decide_return_flag
from duediligence.services.reviews import run_first_checks
from duediligence.services.risk import party_risk
from seizures.services import cases
from tests.factories import ApplicationFactory, LicenceFactory, MachineFactory, PartyFactory
from tests.factories.returns import ReturnFactory, ReturnLineFactory, ReturnPeriodFactory
from tests.seizures.helpers import machine, open_case

pytestmark = pytest.mark.django_db


def kept(party_id: int) -> int | None:
    return PartyRiskScore.objects.filter(party_id=party_id).values_list("score", flat=True).first()


def test_a_return_flag_and_its_decision_keep_the_score(
    settings: Any, officer: Any, django_capture_on_commit_callbacks: Any
) -> None:
    # Art. 9.1: a stock that does not add up flags the return; the flag weighs 10.
    settings.RETURN_CHECK_WEIGHTS = {**settings.RETURN_CHECK_WEIGHTS, "stock_equation": 10}
    filed = ReturnFactory(lines=False)
    ReturnLineFactory(filed_return=filed, sold=Decimal(5000))
    party = filed.period.party_id
    with django_capture_on_commit_callbacks(execute=True):
        check_return(return_id=filed.pk)
    assert kept(party) == 10
    result = filed.check_results.get(code="stock_equation")
    with django_capture_on_commit_callbacks(execute=True):
        decide_return_flag(result_id=result.pk, by=officer, disposition="cleared", reason="Found.")
    assert kept(party) == 0 == party_risk(party)[0]


def test_a_review_run_keeps_the_score(django_capture_on_commit_callbacks: Any) -> None:
    # Art. 6.3(b), 7: an application with nothing to check flags; its review makes the score.
    application = ApplicationFactory(submitted=True)
    assert kept(application.party_id) is None
    with django_capture_on_commit_callbacks(execute=True):
        run_first_checks(application_id=application.pk)
    score, _rows = party_risk(application.party_id)
    assert score > 0
    assert kept(application.party_id) == score


def test_a_seizure_keeps_the_score_of_the_holder_it_ties(
    officer: Any, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    # Art. 18: a seized machine carrying the serial of a registered one (a clone).
    holder = MachineFactory(make="Hauni", serial_number="PM8-22222").holder
    bystander = PartyFactory()
    with django_capture_on_commit_callbacks(execute=True):
        case = open_case(officer)
        cases.add_item(case_id=case.pk, item=machine("Hauni", "PM8-22222", cloned=True), by=officer)
    assert kept(holder.pk) == party_risk(holder.pk)[0]
    assert kept(holder.pk) >= settings.SEIZURE_RISK_WEIGHTS["serial_cloned"]
    assert kept(bystander.pk) is None


def test_the_daily_sweep_scores_the_parties_whose_return_fell_due_unfiled(settings: Any) -> None:
    # Art. 9.1: no record changes when a return falls due; the sweep notices the date.
    settings.RETURN_OVERDUE_WEIGHT = 10
    today = timezone.localdate()
    fallen = ReturnPeriodFactory(
        ends_on=today - dt.timedelta(days=30), due_on=today - dt.timedelta(days=1)
    )
    long_ago = ReturnPeriodFactory(
        ends_on=today - dt.timedelta(days=90), due_on=today - dt.timedelta(days=60)
    )
    due_today = ReturnPeriodFactory(ends_on=today - dt.timedelta(days=30), due_on=today)
    filed = ReturnPeriodFactory(
        ends_on=today - dt.timedelta(days=30), due_on=today - dt.timedelta(days=2)
    )
    ReturnFactory(period=filed)

    assert risk_scores.fallen_due(today) == [fallen.party_id]
    assert risk_scores.sweep(today) == 1
    assert kept(fallen.party_id) == 10
    assert kept(long_ago.party_id) is None and kept(due_today.party_id) is None
    # A day the job did not run is made up by the next (it looks back RISK_SWEEP_DAYS days).
    later = today + dt.timedelta(days=3)
    assert set(risk_scores.fallen_due(later)) == {fallen.party_id, due_today.party_id}
    # Swept again: the same score, no second row.
    risk_scores.sweep(today)
    assert PartyRiskScore.objects.filter(party_id=fallen.party_id).count() == 1


def test_the_command_keeps_every_licensees_score(settings: Any) -> None:
    settings.RETURN_OVERDUE_WEIGHT = 10
    today = timezone.localdate()
    active = LicenceFactory()
    suspended = LicenceFactory(suspended=True)
    ReturnPeriodFactory(
        party=suspended.holder,
        ends_on=today - dt.timedelta(days=90),
        due_on=today - dt.timedelta(days=60),
    )
    applicant = ApplicationFactory(submitted=True).party  # holds no licence
    call_command("keep_risk_scores")
    assert kept(active.holder_id) == 0
    assert kept(suspended.holder_id) == 10
    assert kept(applicant.pk) is None
