"""The checks on each filed return (issue 17, part 3): one check at a time, a case that
passes and one that flags, each citing its article; the mirror between two licensees'
returns and the re-check it causes; the job on filing and the sweep; bounded queries for one
return and for a batch; the officer's disposition of a flag, from the return's admin page."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from duediligence import tasks
from duediligence.models import BlockedCustomer, Disposition, ReturnCheckResult
from duediligence.services.indexing import index_blocked_customer, index_party
from duediligence.services.return_checks import check_return, check_returns, decide_return_flag
from licensing.exceptions import PermissionDenied, ReasonRequired, TransitionNotAllowed
from licensing.models import AuditEvent, ProductType, Verb
from returns.models import Measure, PaymentMethod, Return, Role
from returns.services.filing import ReturnData, file_return
from tests.factories import LicenceFactory, MarketDeclarationFactory, ProductionCapacityFactory
from tests.factories.returns import (
    ReturnCounterpartFactory,
    ReturnFactory,
    ReturnLineFactory,
    ReturnPaymentFactory,
    ReturnPeriodFactory,
)

pytestmark = pytest.mark.django_db
A_YEAR_AGO = dt.timedelta(days=365)


def results(filed) -> dict[str, ReturnCheckResult]:
    return {r.code: r for r in check_return(return_id=filed.pk)}


def licensee(**kwargs):
    """A licence in force for a year already (it covers last quarter)."""
    return LicenceFactory(valid_from=timezone.localdate() - A_YEAR_AGO, **kwargs)


def test_a_plain_return_passes_and_every_result_cites_its_article():
    filed = ReturnFactory()
    found = results(filed)
    assert {code: r.outcome for code, r in found.items()} == {
        "stock_equation": "pass",
        "capacity": "not_applicable",
        "demand": "not_applicable",
        "counterparts": "not_applicable",
        "payments": "not_applicable",
        "mirror": "not_applicable",
    }
    assert found["stock_equation"].article == "Art. 9.1"
    assert all(r.article.startswith("Art. ") and r.summary and r.run == 1 for r in found.values())
    filed.refresh_from_db()
    assert filed.checked_at is not None and filed.flag_count == 0


def test_a_stock_that_does_not_add_up_is_flagged():
    filed = ReturnFactory(lines=False)
    ReturnLineFactory(filed_return=filed, sold=Decimal(5000))
    found = results(filed)["stock_equation"]
    assert found.outcome == "flag"
    assert found.evidence["lines"][0]["difference"] == "4000"
    filed.refresh_from_db()
    assert filed.flag_count == 1


def test_a_difference_within_the_stock_tolerance_passes(settings):
    settings.RETURN_STOCK_TOLERANCE = 0.01
    filed = ReturnFactory(lines=False)
    # 11,000 in, 10,950 out: 50 is within 1 % of 11,000.
    ReturnLineFactory(filed_return=filed, stock_end=Decimal(1950))
    assert results(filed)["stock_equation"].outcome == "pass"


def _producer(units_per_year: int):
    period = ReturnPeriodFactory()
    ProductionCapacityFactory(site__party=period.party, units_per_year=units_per_year)
    return period


def test_production_within_the_licensed_capacity_for_the_quarter_passes():
    period = _producer(400_000)  # about 100,000 a quarter
    filed = ReturnFactory(period=period, lines=False)
    ReturnLineFactory(filed_return=filed, produced=90_000, imported=0, sold=89_000)
    found = results(filed)["capacity"]
    assert found.outcome == "pass"
    assert found.article == "Art. 6.3(b)(v), 7.1(b)"


def test_production_above_the_licensed_capacity_for_the_quarter_is_flagged():
    period = _producer(400_000)
    filed = ReturnFactory(period=period, lines=False)
    ReturnLineFactory(filed_return=filed, produced=150_000, imported=0, sold=149_000)
    found = results(filed)["capacity"]
    assert found.outcome == "flag"
    assert found.evidence["rows"][0]["capacity_per_year"] == 400_000


def _declared(demand: int, market: str = "NO"):
    licence = licensee()
    MarketDeclarationFactory(
        application=licence.application, anticipated_demand=demand, market=market
    )
    return ReturnFactory(period=ReturnPeriodFactory(licence=licence))


def test_sales_within_the_anticipated_demand_pass():
    found = results(_declared(40_000))["demand"]  # about 10,000 a quarter; 9,000 sold
    assert found.outcome == "pass"
    assert found.article == "Art. 7.1(b), 10.1(b)"


def test_sales_above_the_anticipated_demand_are_flagged():
    found = results(_declared(20_000))["demand"]  # about 5,000 a quarter; 9,000 sold
    assert found.outcome == "flag"
    assert found.evidence["rows"][0]["sold_and_exported"] == "9000"


def test_a_customer_with_a_licence_in_force_named_by_its_number_passes():
    customer = licensee()
    filed = ReturnFactory()
    ReturnCounterpartFactory(filed_return=filed, licence_number=customer.number)
    found = results(filed)["counterparts"]
    assert found.outcome == "pass", found.summary
    assert found.evidence["counterparts"][0]["licence"] == customer.number
    assert found.article == "Art. 7.4, 14.1(g)"


def test_a_customer_found_by_its_registration_number_is_licensed():
    customer = licensee()
    index_party(customer.holder)
    filed = ReturnFactory()
    ReturnCounterpartFactory(
        filed_return=filed, country="NO", registration_number=customer.holder.registration_number
    )
    assert results(filed)["counterparts"].outcome == "pass"


def test_an_unlicensed_customer_is_flagged_by_name():
    filed = ReturnFactory()
    ReturnCounterpartFactory(filed_return=filed, name="Svart Marked AS")
    found = results(filed)["counterparts"]
    assert found.outcome == "flag"
    assert "Svart Marked AS (no licence)" in found.summary
    assert found.evidence["counterparts"][0]["status"] == "unlicensed"


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(lambda: LicenceFactory(), id="issued-after-the-trade"),
        pytest.param(lambda: licensee(suspended=True), id="suspended"),
    ],
)
def test_a_customer_whose_licence_was_not_active_on_the_day_is_flagged(make):
    customer = make()
    filed = ReturnFactory()
    ReturnCounterpartFactory(filed_return=filed, licence_number=customer.number)
    found = results(filed)["counterparts"]
    assert found.outcome == "flag"
    assert found.evidence["counterparts"][0]["status"] == "licence not active"


def test_a_blocked_customer_is_flagged_even_with_a_licence():
    customer = licensee()
    filed = ReturnFactory()
    BlockedCustomer.objects.create(
        party=customer.holder,
        reason="Supplied the illicit market.",
        decision_reference="B-2026-1",
        blocked_from=filed.period.starts_on,
    )
    ReturnCounterpartFactory(filed_return=filed, licence_number=customer.number)
    found = results(filed)["counterparts"]
    assert found.outcome == "flag"
    assert found.evidence["counterparts"][0]["blocked"] == ["B-2026-1"]


def test_a_blocked_identity_outside_the_register_is_flagged_by_its_number():
    filed = ReturnFactory()
    blocked = BlockedCustomer.objects.create(
        name="Skygge Handel AS",
        country="NO",
        registration_number="923609016",
        reason="Front company.",
        decision_reference="B-2026-2",
        blocked_from=filed.period.starts_on,
    )
    index_blocked_customer(blocked)
    ReturnCounterpartFactory(filed_return=filed, registration_number="923 609 016")
    found = results(filed)["counterparts"]
    assert found.evidence["counterparts"][0]["status"] == "blocked"


def test_payments_through_a_bank_of_an_intended_market_and_small_cash_pass():
    filed = _declared(40_000, market="NO")
    ReturnPaymentFactory(filed_return=filed, bank_country="NO")
    ReturnPaymentFactory(filed_return=filed, method=PaymentMethod.CASH, amount=Decimal(5000))
    found = results(filed)["payments"]
    assert found.outcome == "pass"
    assert found.article == "Art. 10.1(a), 10.2"


def test_a_bank_outside_the_markets_and_large_cash_are_flagged(settings):
    settings.RETURN_CASH_THRESHOLD = 10_000
    filed = _declared(40_000, market="SE")
    ReturnPaymentFactory(filed_return=filed, bank_country="PA")
    ReturnPaymentFactory(filed_return=filed, method=PaymentMethod.CASH, amount=Decimal(20000))
    found = results(filed)["payments"]
    assert found.outcome == "flag"
    assert [row["problem"] != "" for row in found.evidence["payments"]] == [True, True]


def _trade(seller_says: int, buyer_says: int | None):
    """A sells cigarettes to B; each names the other by licence number. ``buyer_says=None``:
    B's period is open but its return not filed yet."""
    seller, buyer = licensee(), licensee()
    a = ReturnFactory(period=ReturnPeriodFactory(licence=seller))
    ReturnCounterpartFactory(
        filed_return=a, name=str(buyer.holder), licence_number=buyer.number, quantity=seller_says
    )
    b_period = ReturnPeriodFactory(licence=buyer)
    b = None
    if buyer_says is not None:
        b = ReturnFactory(period=b_period)
        ReturnCounterpartFactory(
            filed_return=b,
            role=Role.SUPPLIER,
            name=str(seller.holder),
            licence_number=seller.number,
            quantity=buyer_says,
        )
    return a, b, b_period


def test_a_mirror_that_agrees_passes():
    a, _b, _ = _trade(10_000, 10_000)
    found = results(a)["mirror"]
    assert found.outcome == "pass"
    assert found.evidence["mirrors"][0]["status"] == "matches"
    assert found.article == "Art. 9.1, 21"


def test_a_mirror_that_disagrees_is_flagged_with_both_figures():
    a, _b, _ = _trade(10_000, 2_000)
    found = results(a)["mirror"]
    assert found.outcome == "flag"
    assert "says it sold 10000 units (sticks, pieces) of cigarettes to" in found.summary
    assert "says it bought 2000" in found.summary


def test_a_mirror_not_filed_yet_passes_with_that_evidence():
    a, _b, _ = _trade(10_000, None)
    found = results(a)["mirror"]
    assert found.outcome == "pass"
    assert found.evidence["mirrors"][0]["status"] == "not filed"


def test_checking_a_return_re_checks_the_mirror_checked_before_it_was_filed():
    a, _b, b_period = _trade(10_000, None)
    check_return(return_id=a.pk)
    b = ReturnFactory(period=b_period, filed_at=timezone.now() + dt.timedelta(seconds=1))
    ReturnCounterpartFactory(
        filed_return=b,
        role=Role.SUPPLIER,
        licence_number=a.period.licence.number,
        quantity=2_000,
    )
    check_return(return_id=b.pk)
    a.refresh_from_db()
    mirror = a.check_results.get(run=2, code="mirror")
    assert mirror.outcome == "flag"
    assert a.flag_count == 1
    # B's own check saw A; A's re-check did not check B again (no ping-pong).
    assert b.check_results.filter(run=2).count() == 0


def _busy_return(counterparts: int, product_types: list[str]):
    filed = ReturnFactory(lines=False)
    for product_type in product_types:
        ReturnLineFactory(filed_return=filed, product_type=product_type)
    for _ in range(counterparts):
        customer = licensee()
        ReturnCounterpartFactory(filed_return=filed, licence_number=customer.number)
        ReturnFactory(period=ReturnPeriodFactory(licence=customer))
        ReturnPaymentFactory(filed_return=filed)
    return filed


def _queries(run) -> int:
    with CaptureQueriesContext(connection) as captured:
        run()
    return len(captured)


def test_one_return_is_checked_in_the_same_queries_however_many_rows(
    django_assert_max_num_queries,
):
    small = _busy_return(1, [ProductType.CIGARETTES])
    big = _busy_return(8, [ProductType.CIGARETTES, ProductType.CIGARS, ProductType.SMOKELESS])
    assert _queries(lambda: check_return(return_id=small.pk)) == _queries(
        lambda: check_return(return_id=big.pk)
    )
    again = _busy_return(12, [ProductType.CIGARETTES])
    with django_assert_max_num_queries(30):
        check_return(return_id=again.pk)


def test_a_batch_is_checked_in_the_same_queries_however_many_returns(
    django_assert_max_num_queries,
):
    few = [_busy_return(2, [ProductType.CIGARETTES]).pk for _ in range(2)]
    many = [_busy_return(2, [ProductType.CIGARETTES]).pk for _ in range(8)]
    assert _queries(lambda: check_returns(few)) == _queries(lambda: check_returns(many))
    with django_assert_max_num_queries(30):
        assert check_returns(many) == 8
    assert all(Return.objects.get(pk=pk).check_results.filter(run=2).count() == 6 for pk in many)


def test_filing_a_return_checks_it_once(applicant_for, django_capture_on_commit_callbacks):
    period = ReturnPeriodFactory()
    user = applicant_for(period.party)
    line = {
        "product_type": ProductType.CIGARETTES,
        "measure": Measure.UNITS,
        "stock_start": Decimal(0),
        "imported": Decimal(100),
        "sold": Decimal(60),
        "stock_end": Decimal(40),
    }
    with django_capture_on_commit_callbacks(execute=True):
        filed = file_return(
            period_id=period.pk, by=user, data=ReturnData(lines=[line]), through="form"
        )
    filed.refresh_from_db()
    assert filed.checked_at is not None
    assert filed.check_results.filter(run=1).count() == 6
    assert tasks.check_filed_return(filed.pk) == 0  # a second delivery
    assert filed.check_results.count() == 6


def test_the_sweep_checks_returns_whose_job_was_lost():
    lost = ReturnFactory(filed_at=timezone.now() - dt.timedelta(minutes=20))
    fresh = ReturnFactory()
    assert tasks.check_unchecked_returns() == 1
    lost.refresh_from_db()
    fresh.refresh_from_db()
    assert lost.checked_at is not None and fresh.checked_at is None


@pytest.fixture
def flag():
    filed = ReturnFactory(lines=False)
    ReturnLineFactory(filed_return=filed, sold=Decimal(5000), product_type=ProductType.CIGARS)
    return results(filed)["stock_equation"]


def test_an_officer_clears_a_flag_with_a_reason_on_the_return_trail(officer, flag):
    decide_return_flag(
        result_id=flag.pk, by=officer, disposition=Disposition.CLEARED, reason="Counted twice."
    )
    flag.refresh_from_db()
    assert (flag.disposition, flag.decided_by, flag.reason) == (
        "cleared",
        officer,
        "Counted twice.",
    )
    assert flag.filed_return.__class__.objects.get(pk=flag.filed_return_id).flag_count == 0
    event = AuditEvent.objects.for_object(flag.filed_return).get(verb=Verb.FLAG_CLEARED)
    assert event.reason == "Counted twice."


def test_a_cleared_flag_with_the_same_evidence_stays_cleared_on_the_next_run(officer, flag):
    decide_return_flag(result_id=flag.pk, by=officer, disposition="cleared", reason="Known.")
    again = results(flag.filed_return)["stock_equation"]
    assert (again.run, again.disposition) == (2, "cleared")


@pytest.mark.parametrize("user", ["inspector", "applicant"])
def test_a_flag_is_decided_only_by_officers_who_conduct_reviews(request, flag, user):
    who = ReturnFactory().filed_by if user == "applicant" else request.getfixturevalue(user)
    with pytest.raises(PermissionDenied):
        decide_return_flag(result_id=flag.pk, by=who, disposition="upheld", reason="No.")
    flag.refresh_from_db()
    assert flag.disposition == ""


def test_a_pass_or_an_earlier_run_cannot_be_decided_nor_without_a_reason(officer, flag):
    passed = ReturnCheckResult.objects.get(filed_return=flag.filed_return, code="mirror")
    with pytest.raises(TransitionNotAllowed):
        decide_return_flag(result_id=passed.pk, by=officer, disposition="upheld", reason="x")
    with pytest.raises(ReasonRequired):
        decide_return_flag(result_id=flag.pk, by=officer, disposition="upheld", reason=" ")
    check_return(return_id=flag.filed_return_id)
    with pytest.raises(TransitionNotAllowed):
        decide_return_flag(result_id=flag.pk, by=officer, disposition="upheld", reason="x")


def test_the_return_page_shows_the_checks_and_an_officer_upholds_a_flag(client, officer, flag):
    client.force_login(officer)
    page = reverse("admin:returns_return_change", args=[flag.filed_return_id])
    html = client.get(page).content.decode()
    assert "Stock equation" in html and "Art. 9.1" in html and "The stock does not add up" in html
    url = reverse("admin:duediligence_returncheckresult_decide", args=[flag.pk])
    assert url in html
    response = client.post(url, {"disposition": "upheld", "reason": "Stock <b>missing</b>."})
    assert response.status_code == 302
    flag.refresh_from_db()
    assert flag.disposition == "upheld"
    html = client.get(page).content.decode()
    assert "Stock &lt;b&gt;missing&lt;/b&gt;." in html


def test_an_auditor_reads_the_checks_but_has_no_buttons(client, auditor, flag):
    client.force_login(auditor)
    html = client.get(reverse("admin:returns_return_change", args=[flag.filed_return_id]))
    text = html.content.decode()
    assert "Stock equation" in text
    assert reverse("admin:duediligence_returncheckresult_decide", args=[flag.pk]) not in text
    response = client.post(
        reverse("admin:duediligence_returncheckresult_decide", args=[flag.pk]),
        {"disposition": "upheld", "reason": "x"},
    )
    flag.refresh_from_db()
    assert flag.disposition == "" and response.status_code == 302
