"""A licensee's volumes over its return periods against its licensed capacity, as an inline SVG
drawn on the server (no JavaScript): per period the units produced and the units sold or
exported, from each period's current version only, and the approved production capacity of the
licensee's manufacturing sites pro rata for the period (Art. 6.3(b)(iii), 9.1). Every text is
escaped; the labels are translated; the drawing names itself with <title> and <desc>."""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import OuterRef, Subquery, Sum
from django.utils.formats import number_format
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from licensing.models.sites import ProductionCapacity, SiteKind
from licensing.svg_text import text_width
from returns.models import Measure, Return, ReturnLine, ReturnPeriod

# How many periods the chart shows at most: the latest ones, oldest on the left.
MAX_PERIODS = 12
WIDTH, HEIGHT = 720, 300
LEFT, RIGHT, TOP, BOTTOM = 84, 16, 16, 74
FONT = 11
PRODUCED, OUTFLOW, CAPACITY = "#1f6f8b", "#e0a32e", "#b3261e"


@dataclass(frozen=True)
class PeriodVolumes:
    period: ReturnPeriod
    produced: Decimal | None  # None: no return filed for the period
    outflow: Decimal | None  # sold in the country and exported
    capacity: Decimal | None  # None: no approved manufacturing capacity


def capacity_per_year(party_id: int) -> int:
    """The approved production capacity (units per year) of the party's manufacturing sites:
    approved rows only, of approved sites (proposals are not the authority's record)."""
    total = ProductionCapacity.objects.filter(
        site__party_id=party_id,
        site__kind=SiteKind.MANUFACTURING,
        site__proposed_in__isnull=True,
    ).aggregate(units=Sum("units_per_year"))["units"]
    return int(total or 0)


def pro_rata(units_per_year: int, period: ReturnPeriod) -> Decimal:
    """The capacity for the period's days, out of the days of the year it starts in."""
    days = (period.ends_on - period.starts_on).days + 1
    year_days = 366 if calendar.isleap(period.starts_on.year) else 365
    return Decimal(units_per_year) * days / year_days


def volumes(party_id: int, *, upto: dt.date | None = None) -> list[PeriodVolumes]:
    """The latest ``MAX_PERIODS`` periods of the party (up to the one starting on ``upto``),
    with their current versions' volumes in units: three queries whatever the number."""
    periods_qs = ReturnPeriod.objects.filter(party_id=party_id)
    if upto is not None:
        periods_qs = periods_qs.filter(starts_on__lte=upto)
    periods = list(periods_qs.order_by("-starts_on")[:MAX_PERIODS])[::-1]
    if not periods:
        return []
    latest = (
        Return.objects.filter(period_id=OuterRef("filed_return__period_id"))
        .order_by("-version")
        .values("version")[:1]
    )
    sums = {
        row["filed_return__period_id"]: row
        for row in ReturnLine.objects.filter(
            filed_return__period__in=[p.pk for p in periods], measure=Measure.UNITS
        )
        .filter(filed_return__version=Subquery(latest))
        .values("filed_return__period_id")
        .annotate(produced=Sum("produced"), sold=Sum("sold"), exported=Sum("exported"))
    }
    yearly = capacity_per_year(party_id)
    result = []
    for period in periods:
        row = sums.get(period.pk)
        filed = row is not None or period.filed_at is not None
        result.append(
            PeriodVolumes(
                period=period,
                produced=(row["produced"] if row else Decimal(0)) if filed else None,
                outflow=(row["sold"] + row["exported"] if row else Decimal(0)) if filed else None,
                capacity=pro_rata(yearly, period) if yearly else None,
            )
        )
    return result


def period_label(period: ReturnPeriod) -> str:
    if period.frequency == "monthly":
        return f"{period.starts_on:%Y-%m}"
    return f"{period.starts_on.year} Q{(period.starts_on.month - 1) // 3 + 1}"


def nice_top(value: Decimal) -> Decimal:
    """The axis' top: 1, 2, 2.5 or 5 times a power of ten, at or above ``value``; at least 5,
    so that the axis' five steps are whole units."""
    if value <= 5:
        return Decimal(5)
    power = Decimal(10) ** (len(str(int(value))) - 1)
    for step in (1, 2, Decimal("2.5"), 5, 10):
        if value <= power * step:
            return power * step
    return power * 10  # pragma: no cover


def _units(value: Decimal) -> str:
    return str(number_format(value.quantize(Decimal(1)), 0, force_grouping=True))


def volumes_chart(party: Any, *, upto: dt.date | None = None) -> SafeString:
    """The SVG for the party's return pages; "" when it has no period yet."""
    data = volumes(party.pk, upto=upto)
    if not data:
        return SafeString("")
    values = [v for row in data for v in (row.produced, row.outflow, row.capacity) if v]
    top = nice_top(max(values, default=Decimal(0)))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / len(data)
    bar = min(slot * 0.35, 28)

    def y(value: Decimal) -> float:
        return round(TOP + plot_h - float(value / top) * plot_h, 1)

    parts: list[str] = []
    # The value axis: five steps with their gridlines.
    for step in range(6):
        value = top * step / 5
        parts.append(
            format_html(
                '<line x1="{}" x2="{}" y1="{}" y2="{}" class="grid" stroke="#ddd"/>'
                '<text x="{}" y="{}" text-anchor="end" font-size="{}">{}</text>',
                LEFT,
                WIDTH - RIGHT,
                y(value),
                y(value),
                LEFT - 6,
                y(value) + 4,
                FONT,
                _units(value),
            )
        )
    capacity_points = []
    for index, row in enumerate(data):
        middle = LEFT + slot * index + slot / 2
        label = period_label(row.period)
        if row.produced is None or row.outflow is None:
            parts.append(
                format_html(
                    '<text x="{}" y="{}" text-anchor="middle" font-size="{}" '
                    'class="not-filed">{}</text>',
                    round(middle, 1),
                    TOP + plot_h - 6,
                    FONT - 1,
                    _("not filed"),
                )
            )
        else:
            for offset, value, colour, kind in (
                (-bar, row.produced, PRODUCED, "produced"),
                (0, row.outflow, OUTFLOW, "outflow"),
            ):
                parts.append(
                    format_html(
                        '<rect x="{}" y="{}" width="{}" height="{}" fill="{}" class="{}">'
                        "<title>{}: {}</title></rect>",
                        round(middle + offset, 1),
                        y(value),
                        round(bar, 1),
                        round(TOP + plot_h - y(value), 1),
                        colour,
                        kind,
                        label,
                        _units(value),
                    )
                )
        # Period labels turn when they would not fit their slot.
        turned = text_width(label, FONT) > slot - 4
        parts.append(
            format_html(
                '<text x="{}" y="{}" text-anchor="{}" font-size="{}"{}>{}</text>',
                round(middle, 1),
                TOP + plot_h + 16,
                "end" if turned else "middle",
                FONT,
                mark_safe(f' transform="rotate(-40 {middle:.1f} {TOP + plot_h + 16})"')  # noqa: S308
                if turned
                else "",
                label,
            )
        )
        if row.capacity is not None:
            left, right = LEFT + slot * index, LEFT + slot * (index + 1)
            capacity_points += [f"{left:.1f},{y(row.capacity)}", f"{right:.1f},{y(row.capacity)}"]
    if capacity_points:
        # A step line: each period's pro-rata capacity across its slot.
        parts.append(
            format_html(
                '<polyline class="capacity" points="{}" fill="none" stroke="{}" '
                'stroke-width="2" stroke-dasharray="6 3"/>',
                " ".join(capacity_points),
                CAPACITY,
            )
        )
    parts.append(
        format_html(
            '<line x1="{}" x2="{}" y1="{}" y2="{}" stroke="#333"/>'
            '<line x1="{}" x2="{}" y1="{}" y2="{}" stroke="#333"/>'
            '<text x="14" y="{}" font-size="{}" text-anchor="middle" '
            'transform="rotate(-90 14 {})">{}</text>',
            LEFT,
            WIDTH - RIGHT,
            TOP + plot_h,
            TOP + plot_h,
            LEFT,
            LEFT,
            TOP,
            TOP + plot_h,
            TOP + plot_h / 2,
            FONT,
            TOP + plot_h / 2,
            _("units"),
        )
    )
    parts.append(_legend(has_capacity=bool(capacity_points)))
    return format_html(
        '<figure class="volumes-chart"><svg xmlns="http://www.w3.org/2000/svg" role="img" '
        'viewBox="0 0 {} {}" width="100%" '
        'aria-labelledby="volumes-title volumes-desc">'
        '<title id="volumes-title">{}</title><desc id="volumes-desc">{}</desc>{}</svg></figure>',
        WIDTH,
        HEIGHT,
        _("Volumes of %(licensee)s by return period") % {"licensee": party},
        _describe(data),
        mark_safe("".join(parts)),  # noqa: S308 (each part built with format_html)
    )


def _legend(*, has_capacity: bool) -> str:
    items = [
        (PRODUCED, _("produced"), "rect"),
        (OUTFLOW, _("sold in the country and exported"), "rect"),
    ]
    if has_capacity:
        items.append((CAPACITY, _("licensed capacity, pro rata"), "line"))
    x, y0 = float(LEFT), HEIGHT - 14
    parts = []
    for colour, label, shape in items:
        if shape == "rect":
            mark = format_html(
                '<rect x="{}" y="{}" width="12" height="12" fill="{}"/>', x, y0 - 10, colour
            )
        else:
            mark = format_html(
                '<line x1="{}" x2="{}" y1="{}" y2="{}" stroke="{}" stroke-width="2" '
                'stroke-dasharray="6 3"/>',
                x,
                x + 14,
                y0 - 4,
                y0 - 4,
                colour,
            )
        parts.append(
            format_html(
                '{}<text x="{}" y="{}" font-size="{}">{}</text>', mark, x + 18, y0, FONT, label
            )
        )
        x += 18 + text_width(label, FONT) + 18
    return format_html('<g class="legend">{}</g>', mark_safe("".join(parts)))  # noqa: S308


def _describe(data: list[PeriodVolumes]) -> str:
    """The figures in words, for readers who do not see the drawing."""
    sentences = []
    for row in data:
        label = period_label(row.period)
        if row.produced is None or row.outflow is None:
            sentences.append(_("%(period)s: not filed.") % {"period": label})
        else:
            sentences.append(
                _("%(period)s: produced %(produced)s, sold and exported %(outflow)s units.")
                % {
                    "period": label,
                    "produced": _units(row.produced),
                    "outflow": _units(row.outflow),
                }
            )
    capacity = data[-1].capacity
    if capacity is None:
        sentences.append(_("No approved production capacity on record."))
    else:
        sentences.append(
            _("Licensed capacity for the latest period: %(units)s units.")
            % {"units": _units(capacity)}
        )
    return escape(" ".join(sentences))
