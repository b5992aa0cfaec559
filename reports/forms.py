"""The period of a report: two dates, checked at the field (issue 22, *Bad input*)."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

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


def this_year_by_month() -> dict[str, dt.date]:
    today = timezone.localdate()
    return {"first": (today - dt.timedelta(days=334)).replace(day=1), "last": today.replace(day=1)}


class MonthRangeForm(forms.Form):
    """A range of months for the management pages, checked at the field."""

    first = forms.DateField(
        label=_("First month"),
        input_formats=["%Y-%m"],
        widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
    )
    last = forms.DateField(
        label=_("Last month (included)"),
        input_formats=["%Y-%m"],
        widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
    )

    def clean_first(self) -> dt.date:
        return _within_range(self.cleaned_data["first"]).replace(day=1)

    def clean_last(self) -> dt.date:
        return _within_range(self.cleaned_data["last"]).replace(day=1)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first, last = data.get("first"), data.get("last")
        if first and last:
            if last < first:
                self.add_error("last", _("The last month is before the first."))
            elif (last.year - first.year) * 12 + last.month - first.month >= MAX_YEARS * 12:
                self.add_error(
                    "last", _("A report covers at most %(years)s years.") % {"years": MAX_YEARS}
                )
        return data


class MonthsForm(MonthRangeForm):
    """The case flow's months, and the kinds of application to count."""

    kind = forms.ChoiceField(label=_("Kind of application"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from licensing.models import ApplicationKind

        super().__init__(*args, **kwargs)
        kind = cast(forms.ChoiceField, self.fields["kind"])
        kind.choices = [("", _("every kind")), *ApplicationKind.choices]


class FigureForm(MonthRangeForm):
    """A management page's months, narrowed to an activity (Art. 6.1, 6.2) and a region, or to
    one officer (the sums are kept by officer over every activity and region)."""

    activity = forms.ChoiceField(label=_("Activity"), required=False)
    region = forms.ChoiceField(label=_("Region"), required=False)
    officer = forms.ChoiceField(label=_("Officer"), required=False)

    def __init__(
        self,
        *args: Any,
        regions: list[str],
        officers: list[tuple[int, str]] | None,
        **kwargs: Any,
    ) -> None:
        """``officers`` None: the page is not kept by officer, and has no such filter."""
        from licensing.models.activities import Activity

        super().__init__(*args, **kwargs)
        activity = cast(forms.ChoiceField, self.fields["activity"])
        activity.choices = [("", _("every activity")), *Activity.choices]
        region = cast(forms.ChoiceField, self.fields["region"])
        region.choices = [("", _("every region")), *((r, r) for r in regions)]
        if officers is None:
            del self.fields["officer"]
            return
        officer = cast(forms.ChoiceField, self.fields["officer"])
        officer.choices = [("", _("every officer")), *((str(pk), name) for pk, name in officers)]

    def clean_officer(self) -> int:
        return int(self.cleaned_data["officer"] or 0)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("officer") and (data.get("activity") or data.get("region")):
            self.add_error(
                "officer",
                _(
                    "Choose an officer, or an activity and a region: the figures are not "
                    "kept by both."
                ),
            )
        return data
