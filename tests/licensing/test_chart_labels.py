"""Issue 14: the labels of the dashboard's chart, laid out on the server from estimated text
widths, never overlap, for any number of months and in every language of the admin (the
browser test, tests/browser/test_svg_labels.py, measures the real boxes)."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.conf import settings
from django.utils import translation

from licensing import dashboard

START = dt.date(2026, 12, 4)  # the year changes after the first bar


def chart(months: int, language: str = "en", **counts: int) -> list[dashboard.Bar]:
    firsts = [
        dt.date(2026 + (11 + index) // 12, (11 + index) % 12 + 1, 1) for index in range(months)
    ]
    by_day = {first: counts.get("base", 0) + 977 * index for index, first in enumerate(firsts)}
    with translation.override(language):
        return dashboard.expiries_per_month(by_day, START, months)


@pytest.mark.parametrize("language", [code for code, _name in settings.LANGUAGES])
@pytest.mark.parametrize("months", [3, 6, 12, 18, 24, 36, 60])
def test_no_two_texts_of_the_chart_overlap_and_none_leaves_it(language, months):
    bars = chart(months, language, base=10_000)  # five-digit counts: wider than a bar
    boxes = dashboard.chart_boxes(bars)
    for a, b in itertools.combinations(boxes, 2):
        assert not dashboard.boxes_overlap(a, b), (a, b)
    left, top, width, height = map(float, dashboard.chart_frame(bars)["view_box"].split())
    for box in boxes:
        assert left <= box[0] and box[2] <= left + width, box
        assert top <= box[1] and box[3] <= top + height, box
    assert len(bars) == months


def test_twelve_months_name_every_month_and_each_year_under_its_first_month():
    bars = chart(12)
    assert [bar.month for bar in bars] == [
        "Dec", "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov",
    ]  # fmt: skip
    assert [(bar.month, bar.year) for bar in bars if bar.year] == [
        ("Dec", "2026"),
        ("Jan", "2027"),
    ]
    assert bars[0].label == "Dec 2026"  # the bar's title names it in full
    assert all(bar.show_count for bar in bars)


def test_a_wide_slot_has_the_month_and_year_on_one_line():
    bars = chart(4)
    assert [(bar.month, bar.year) for bar in bars] == [
        ("Dec 2026", ""),
        ("Jan 2027", ""),
        ("Feb 2027", ""),
        ("Mar 2027", ""),
    ]


def test_many_months_are_labelled_every_few_months_and_every_bar_keeps_its_title():
    bars = chart(60)
    labelled = [index for index, bar in enumerate(bars) if bar.month]
    stride = labelled[1] - labelled[0]
    assert stride > 1 and labelled == list(range(0, 60, stride))
    assert all(bar.label for bar in bars)
    assert [bar.year for bar in bars if bar.year] == [
        "2026",
        "2027",
        "2028",
        "2029",
        "2030",
        "2031",
    ]


def test_the_width_estimate_is_at_least_what_dejavu_sans_draws():
    # Widths at 11 px measured in chromium with DejaVu Sans, the widest of the usual fonts.
    measured = {
        "DE85370400440001361477": 155.4,
        "NO:920079199": 83.4,
        "WWWWWWWW": 87.2,
        "mmmmmmmmmm": 107.2,
        "@%&#": 39.3,
        "…": 11.0,
    }
    for text, width in measured.items():
        assert dashboard.text_width(text, 11) >= width, text
