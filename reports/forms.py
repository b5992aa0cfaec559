"""The period of a report: two dates, checked at the field (issue 22, *Bad input*)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

MAX_YEARS = 10
# The records' own span: nothing before the Protocol's era, nothing past any licence's term.
FIRST_YEAR, LAST_YEAR = 1900, 2100


def last_year() -> dict[str, dt.date]:
    year = timezone.localdate().year - 1
    return {"starts_on": dt.date(year, 1, 1), "ends_on": dt.date(year, 12, 31)}


class PeriodForm(forms.Form):
    starts_on = forms.DateField(
        label=_("First day"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    ends_on = forms.DateField(
        label=_("Last day (included)"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def clean_starts_on(self) -> dt.date:
        return _within_range(self.cleaned_data["starts_on"])

    def clean_ends_on(self) -> dt.date:
        return _within_range(self.cleaned_data["ends_on"])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        starts_on, ends_on = data.get("starts_on"), data.get("ends_on")
        if starts_on and ends_on:
            if ends_on < starts_on:
                self.add_error("ends_on", _("The end date is before the start date."))
            elif ends_on > _years_after(starts_on, MAX_YEARS):
                self.add_error(
                    "ends_on", _("A report covers at most %(years)s years.") % {"years": MAX_YEARS}
                )
        return data


def _years_after(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _within_range(day: dt.date) -> dt.date:
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise forms.ValidationError(
            _("Enter a date between %(first)s and %(last)s.")
            % {"first": FIRST_YEAR, "last": LAST_YEAR}
        )
    return day
