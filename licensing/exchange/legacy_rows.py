"""The columns of a legacy licence register and the form each row is checked with (Art. 9.2,
6.3(b), 6.3(f)). Column names are the English field names, whatever the user's language, as in
the export (``resources.py``); messages are in the user's language."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from licensing.exchange.reading import RowError
from licensing.models import LicenceState, PartyKind, SiteKind
from licensing.models.activities import validate_activities
from licensing.services.numbers import (
    LEGACY_NUMBER_FORMAT,
    NUMBER_FORMAT,
    is_valid_number,
)

REQUIRED_COLUMNS = (
    "number",
    "holder_kind",
    "legal_name",
    "country",
    "email",
    "activities",
    "valid_from",
    "expires_on",
    "state",
)
PARTY_COLUMNS = (
    "trade_name",
    "registration_number",
    "address",
    "phone",
    "preferred_language",
    # Art. 6.3(b)(ii): required of a legal person (Party.clean).
    "date_of_incorporation",
    "place_of_incorporation",
    "headquarters_address",
    "principal_place_of_business",
    # Art. 6.3(b)(i): required of a natural person.
    "date_of_birth",
)
SITE_COLUMNS = (
    "site_kind",
    "site_name",
    "site_street_address",
    "site_postal_code",
    "site_municipality",
    "site_country",
)
OPTIONAL_COLUMNS = PARTY_COLUMNS + SITE_COLUMNS
COLUMNS = REQUIRED_COLUMNS + OPTIONAL_COLUMNS
# A site is given whole or not at all; its kind defaults to "other business location".
SITE_REQUIRED = tuple(c for c in SITE_COLUMNS if c != "site_kind")

# A transferred licence needs its successor in this system (Art. 6.4): not importable.
IMPORTABLE_STATES = (
    LicenceState.ACTIVE,
    LicenceState.SUSPENDED,
    LicenceState.EXPIRED,
    LicenceState.REVOKED,
    LicenceState.SURRENDERED,
)
# States in which the licence still runs: its term must not be over (the nightly job expires
# an active licence on its ``expires_on``).
RUNNING_STATES = (LicenceState.ACTIVE, LicenceState.SUSPENDED)

ISO_DATE = ["%Y-%m-%d"]


def _date_field(label: Any, *, required: bool = True) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        input_formats=ISO_DATE,
        error_messages={"invalid": _("Enter a date as YYYY-MM-DD.")},
    )


class LegacyRowForm(forms.Form):
    """One row of the register, as text. Field names are the column names."""

    number = forms.CharField(label=_("licence number"), max_length=40)
    holder_kind = forms.ChoiceField(label=_("type of applicant"), choices=PartyKind.choices)
    legal_name = forms.CharField(label=_("full or legal name"), max_length=200)
    trade_name = forms.CharField(label=_("trade name"), max_length=200, required=False)
    registration_number = forms.CharField(
        label=_("business registration number"), max_length=64, required=False
    )
    country = forms.CharField(label=_("country"), max_length=2)
    address = forms.CharField(label=_("postal address"), required=False)
    email = forms.EmailField(label=_("e-mail"))
    phone = forms.CharField(label=_("telephone"), max_length=40, required=False)
    preferred_language = forms.ChoiceField(
        label=_("preferred language"), choices=settings.LANGUAGES, required=False
    )
    date_of_incorporation = _date_field(_("date of incorporation"), required=False)
    place_of_incorporation = forms.CharField(max_length=200, required=False)
    headquarters_address = forms.CharField(required=False)
    principal_place_of_business = forms.CharField(required=False)
    date_of_birth = _date_field(_("date of birth"), required=False)
    activities = forms.CharField(label=_("activities"))
    valid_from = _date_field(_("valid from"))
    expires_on = _date_field(_("expires on"))
    state = forms.ChoiceField(
        label=_("state"), choices=[(s.value, s.label) for s in IMPORTABLE_STATES]
    )
    site_kind = forms.ChoiceField(label=_("kind of site"), choices=SiteKind.choices, required=False)
    site_name = forms.CharField(max_length=200, required=False)
    site_street_address = forms.CharField(max_length=200, required=False)
    site_postal_code = forms.CharField(max_length=16, required=False)
    site_municipality = forms.CharField(max_length=100, required=False)
    site_country = forms.CharField(max_length=2, required=False)

    def __init__(self, data: dict[str, str], *, today: dt.date) -> None:
        # Codes are read whatever their case: "Active", "LEGAL", "no".
        lowered = ("holder_kind", "state", "site_kind", "preferred_language")
        cleaned = {k: (v.lower() if k in lowered else v) for k, v in data.items()}
        super().__init__(cleaned)
        self.today = today

    def clean_number(self) -> str:
        return clean_number(self.cleaned_data["number"])

    def clean_country(self) -> str:
        return clean_country(self.cleaned_data.get("country"))

    def clean_site_country(self) -> str:
        return clean_country(self.cleaned_data.get("site_country"))

    def clean_activities(self) -> list[str]:
        return clean_activities(self.cleaned_data["activities"])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name, message in row_errors(data, self.today):
            self.add_error(name, message)
        return data


def header_errors(headers: list[str]) -> list[RowError]:
    """What is wrong with the header row (row 1): unnamed, unknown, doubled, missing columns."""
    errors: list[RowError] = []
    seen: set[str] = set()
    for header in headers:
        if not header:
            errors.append(RowError(1, "", gettext("A column has no name.")))
        elif header not in COLUMNS:
            errors.append(RowError(1, header, gettext("Unknown column. See the list of columns.")))
        elif header in seen:
            errors.append(RowError(1, header, gettext("This column is there twice.")))
        seen.add(header)
    for name in REQUIRED_COLUMNS:
        if name not in seen:
            errors.append(RowError(1, name, gettext("This column is missing.")))
    return errors


# The rules of the form's clean_<field> methods and clean(), as functions: the form and the bulk
# checks (``bulk_checks.py``) both call them, so there is one statement of each rule.


def clean_number(value: Any) -> str:
    number = str(value).strip().upper()
    if not LEGACY_NUMBER_FORMAT.match(number):
        raise ValidationError(
            _(
                "A licence number is 1 to 32 capital letters, digits and the characters "
                "/ . - , starting with a letter or a digit, without spaces."
            )
        )
    if NUMBER_FORMAT.match(number):
        # A number of the form this system issues could collide with one it issues later,
        # and the verification desk would reject a wrong check character as mistyped.
        if number.split("-", 1)[0] == settings.LICENCE_NUMBER_PREFIX:
            raise ValidationError(
                _(
                    "Numbers of the form %(prefix)s-YYYY-NNNNNN-C are those this system "
                    "issues; a legacy number cannot take that form."
                ),
                params={"prefix": settings.LICENCE_NUMBER_PREFIX},
            )
        if not is_valid_number(number):
            raise ValidationError(_("The check character of this number is wrong."))
    return number


def clean_country(value: Any) -> str:
    code = str(value or "").strip().upper()
    if code and code not in countries:
        raise ValidationError(_("Enter an ISO 3166 two-letter country code, e.g. NO or HU."))
    return code


def clean_activities(value: Any) -> list[str]:
    codes = [code.strip().lower() for code in str(value).split(";") if code.strip()]
    validate_activities(codes)
    return codes


def row_errors(data: dict[str, Any], today: dt.date) -> list[tuple[str, Any]]:
    """The rules across the cells of one row (the form's ``clean``), on the cells that passed
    their own checks: ``(column, message)`` pairs, in the order the form adds them."""
    errors: list[tuple[str, Any]] = []
    valid_from, expires_on, state = (
        data.get("valid_from"),
        data.get("expires_on"),
        data.get("state"),
    )
    if valid_from and expires_on and valid_from > expires_on:
        errors.append(("expires_on", _("The licence expires before it becomes valid.")))
    elif expires_on and state:
        # Art. 6.3(f): the state must agree with the term.
        if state in RUNNING_STATES and expires_on <= today:
            errors.append(
                (
                    "state",
                    _("A licence that expired on %(date)s cannot be %(state)s; use expired.")
                    % {"date": expires_on.isoformat(), "state": LicenceState(state).label},
                )
            )
        if state == LicenceState.EXPIRED and expires_on > today:
            errors.append(
                (
                    "state",
                    _("The licence runs until %(date)s: it cannot be expired yet.")
                    % {"date": expires_on.isoformat()},
                )
            )
    given = [name for name in SITE_REQUIRED if data.get(name)]
    if given or data.get("site_kind"):
        for name in SITE_REQUIRED:
            if not data.get(name):
                errors.append((name, _("A site is given whole: this column is required too.")))
    return errors
