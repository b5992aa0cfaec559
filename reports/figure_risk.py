"""The management page that counts licensees by risk score (issue 22; Art. 6.3(e), 7): each
party holding a licence in force or suspended, once, in the band of its kept score
(``duediligence.models.PartyRiskScore``), under each activity of its licences and each region
of their sites. A snapshot of the register: the daily job counts the current month again, and
a month gone by keeps the count it last had."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

from django.conf import settings
from django.db.models import Max
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from duediligence.models import PartyRiskScore
from duediligence.services.risk_scores import HELD
from licensing.models import Licence
from reports.figure_sources import licence_regions
from reports.figures import Figure, Item, Series, register

# Parties per read: three queries each, whatever the register holds.
CHUNK = 5000
UNSCORED = "unscored"


def band_key(lower: int) -> str:
    return f"from_{lower}"


def band_of(score: int, bands: list[int]) -> str:
    """The key of the band ``score`` falls in: the highest lower bound not above it."""
    return band_key(max(lower for lower in bands if lower <= score))


def _band_series(bands: list[int]) -> list[Series]:
    series = []
    for lower, following in zip(bands, [*bands[1:], None], strict=True):
        if following is None:
            label = format_lazy(_("Score {} and over"), lower)
        elif following - 1 == lower:
            label = format_lazy(_("Score {}"), lower)
        else:
            label = format_lazy(_("Score {} to {}"), lower, following - 1)
        series.append(Series(band_key(lower), label, stock=True))
    return series


def risk(since: dt.datetime, until: dt.datetime) -> Iterable[Item]:
    """The register now (``since`` and ``until`` name the month the count is kept under)."""
    bands = list(settings.RISK_SCORE_BANDS)
    held = Licence.objects.filter(state__in=HELD)
    top = held.aggregate(top=Max("holder_id"))["top"] or 0
    for lower in range(0, top + 1, CHUNK):
        licences = list(
            held.filter(holder_id__gte=lower, holder_id__lt=lower + CHUNK).values_list(
                "pk", "holder_id", "activities"
            )
        )
        if not licences:
            continue
        places = licence_regions(pk for pk, _holder, _activities in licences)
        activities: dict[int, set[str]] = defaultdict(set)
        regions: dict[int, set[str]] = defaultdict(set)
        for pk, holder, licensed in licences:
            activities[holder].update(licensed or [])
            regions[holder].update(places.get(pk, set()))
        scores = dict(
            PartyRiskScore.objects.filter(party_id__in=list(activities)).values_list(
                "party_id", "score"
            )
        )
        for holder in activities:
            score = scores.get(holder)
            series = UNSCORED if score is None else band_of(score, bands)
            yield series, activities[holder], regions[holder], None, 1


def _charted(bands: list[int]) -> str:
    """The band of the high-risk score of inspection planning, if it starts one."""
    high = settings.INSPECTION_HIGH_RISK_SCORE
    return band_key(high if high in bands else bands[-1])


register(
    Figure(
        slug="risk",
        title=_("Licensees by risk score"),
        article=_("Art. 6.3(e), 7"),
        series=(
            *_band_series(list(settings.RISK_SCORE_BANDS)),
            Series(UNSCORED, _("Not yet scored"), stock=True),
        ),
        charted=_charted(list(settings.RISK_SCORE_BANDS)),
        sum_month=risk,
        by_officer=False,
        snapshot=True,
        notes=(
            _(
                "Each licensee counts once, in the band of its risk score: its latest review, "
                "its returns' flags not cleared, its overdue returns and its seizure cases. "
                "The register is counted every day; a month shows its last count."
            ),
        ),
    )
)
