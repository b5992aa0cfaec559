"""The volumes chart: current versions only, against the licensed capacity pro rata, escaped."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

import pytest

from returns.chart import volumes_chart
from tests.factories import ProductionCapacityFactory, SiteFactory
from tests.factories.returns import ReturnFactory, ReturnLineFactory, ReturnPeriodFactory

pytestmark = pytest.mark.django_db


def quarter(year: int, q: int, **kwargs: Any) -> Any:
    starts = dt.date(year, 3 * q - 2, 1)
    ends = (starts + dt.timedelta(days=95)).replace(day=1) - dt.timedelta(days=1)
    return ReturnPeriodFactory(
        starts_on=starts, ends_on=ends, due_on=ends + dt.timedelta(days=20), **kwargs
    )


def test_the_chart_draws_current_versions_against_the_capacity_line() -> None:
    first = ReturnFactory(period=quarter(2025, 1), lines=False)
    party = first.period.party
    ReturnLineFactory(filed_return=first, produced=Decimal(7000), stock_end=Decimal(9000))
    correction = ReturnFactory(period=first.period, version=2, reason="typo", lines=False)
    ReturnLineFactory(filed_return=correction, produced=Decimal(8000), stock_end=Decimal(10000))
    ProductionCapacityFactory(site=SiteFactory(party=party), units_per_year=365_000)
    svg = str(volumes_chart(party))
    assert '<polyline class="capacity"' in svg
    assert "licensed capacity, pro rata" in svg
    # 2025 Q1 has 90 days: 90,000 units of capacity; version 2's 8,000 produced, not 7,000.
    assert "2025 Q1: produced 8,000, sold and exported 9,000 units." in svg
    assert "Licensed capacity for the latest period: 90,000 units." in svg
    assert '<title id="volumes-title">' in svg
    assert '<desc id="volumes-desc">' in svg
    assert "<script" not in svg
    assert "style=" not in svg  # the strict CSP refuses inline styles


def test_a_period_not_filed_is_marked_and_no_capacity_means_no_line() -> None:
    period = ReturnPeriodFactory()
    svg = str(volumes_chart(period.party))
    assert "not filed" in svg
    assert 'class="capacity"' not in svg
    assert "No approved production capacity on record." in svg


def test_the_chart_escapes_a_hostile_licensee_name() -> None:
    filed = ReturnFactory()
    party = filed.period.party
    party.legal_name = '<script>alert("x")</script>'
    party.trade_name = ""
    party.save(update_fields=["legal_name", "trade_name"])
    svg = str(volumes_chart(party))
    assert "<script>" not in svg
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in svg


def test_only_the_manufacturing_sites_capacity_counts() -> None:
    filed = ReturnFactory(period=quarter(2026, 3))
    party = filed.period.party
    ProductionCapacityFactory(site=SiteFactory(party=party), units_per_year=365_000)
    ProductionCapacityFactory(
        site=SiteFactory(party=party, kind="warehouse"), units_per_year=365_000_000
    )
    svg = str(volumes_chart(party))
    # 2026 Q3 has 92 days.
    assert "Licensed capacity for the latest period: 92,000 units." in svg


def test_with_nothing_in_units_the_axis_still_counts_whole_units() -> None:
    # Kilograms are not drawn: a grower's return in kg alone leaves the axis at its least,
    # 0 to 5 in whole steps, never "0, 0, 0, 1, 1, 1".
    filed = ReturnFactory(period=quarter(2026, 3), lines=False)
    ReturnLineFactory(
        filed_return=filed, measure="kg", produced=Decimal(2000), stock_end=Decimal(2000)
    )
    svg = str(volumes_chart(filed.period.party))
    labels = re.findall(r'text-anchor="end" font-size="\d+">([^<]*)</text>', svg)
    assert labels == ["0", "1", "2", "3", "4", "5"]
