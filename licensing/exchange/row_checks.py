"""One row of a legacy register checked without a form instance, for registers of a million rows
(Art. 9.2, 6.3(b), 6.3(f)).

The rules are those of ``LegacyRowForm`` and of the models, read from them, not restated: each
cell goes through the form's own field (its ``required``, ``max_length``, choices and messages),
then the rule functions the form's ``clean_<field>`` and ``clean`` call, then ``Party.clean``
(Art. 6.3(b)). What is skipped is only the machinery (bound fields, error dicts, a model
instance per row): a cell that is plainly valid takes a short path that checks exactly what the
field checks, and anything else is handed to the field's ``clean``, which words the message."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.db import models

from licensing.exchange.legacy_rows import (
    LegacyRowForm,
    clean_activities,
    clean_country,
    clean_number,
    row_errors,
)
from licensing.models import Party

# The form lowers these before its fields see them ("Active", "LEGAL", "no").
LOWERED = frozenset(("holder_kind", "state", "site_kind", "preferred_language"))
# The form's clean_<field> methods, by field.
FIELD_RULES: dict[str, Callable[[Any], Any]] = {
    "number": clean_number,
    "country": clean_country,
    "site_country": clean_country,
    "activities": clean_activities,
}
# Party model fields that the form checks less strictly than the model (an e-mail address of
# up to 320 characters passes the form; the model stores 254).
PARTY_MODEL_CHECKED = ("email",)
CellErrors = list[tuple[str, str]]


def _char(field: forms.CharField) -> Callable[[Any], Any]:
    limit = field.max_length
    required = field.required

    def check(raw: Any) -> Any:
        if isinstance(raw, str):
            value = raw.strip()
            short = limit is None or len(value) <= limit
            if (value or not required) and short and "\x00" not in value:
                return value
        elif raw is None and not required:
            return ""
        return field.clean(raw)

    return check


def _email(field: forms.EmailField) -> Callable[[Any], Any]:
    return field.clean


def _choice(field: forms.ChoiceField) -> Callable[[Any], Any]:
    # A ChoiceField normalises its choices to a list of pairs when they are set.
    valid = {str(value) for value, _label in cast(list[tuple[Any, Any]], field.choices)}
    required = field.required

    def check(raw: Any) -> Any:
        if raw in valid:
            return raw
        if not required and raw in (None, ""):
            return ""
        return field.clean(raw)

    return check


def _date(field: forms.DateField) -> Callable[[Any], Any]:
    # The short path for what the only input format (ISO_DATE, %Y-%m-%d) reads as written.
    required = field.required

    def check(raw: Any) -> Any:
        if isinstance(raw, str) and len(raw) == 10 and raw[4] == "-" and raw[7] == "-":
            year, month, day = raw[:4], raw[5:7], raw[8:]
            if raw.isascii() and year.isdigit() and month.isdigit() and day.isdigit():
                try:
                    return dt.date(int(year), int(month), int(day))
                except ValueError:
                    pass
        elif not required and raw in (None, ""):
            return None
        return field.clean(raw)

    return check


def _checker(field: forms.Field) -> Callable[[Any], Any]:
    # Most specific first: EmailField is a CharField.
    if isinstance(field, forms.EmailField):
        return _email(field)
    if isinstance(field, forms.CharField) and type(field) is forms.CharField:
        return _char(field)
    if isinstance(field, forms.ChoiceField) and type(field) is forms.ChoiceField:
        return _choice(field)
    if isinstance(field, forms.DateField) and type(field) is forms.DateField:
        return _date(field)
    return field.clean  # a field of another kind: no short path


def _known(rule: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """``rule`` remembering the values it accepted (country codes: a register names a few
    hundred at most); a value it refuses is refused again by the rule itself, with its message."""
    accepted: dict[Any, Any] = {}

    def check(value: Any) -> Any:
        try:
            return accepted[value]
        except (KeyError, TypeError):
            result = rule(value)
            if isinstance(value, str) and len(accepted) < 10_000:
                accepted[value] = result
            return result

    return check


class RowChecker:
    """Checks rows as ``LegacyRowForm`` and ``Party.full_clean`` would, one per call."""

    def __init__(self, *, today: dt.date) -> None:
        self.today = today
        fields = LegacyRowForm.base_fields
        countries = _known(clean_country)  # one set for the run, for both country columns
        rules = {**FIELD_RULES, "country": countries, "site_country": countries}
        self.checks = [(name, _checker(field), rules.get(name)) for name, field in fields.items()]
        self.party_fields = {
            name: cast("models.Field[Any, Any]", Party._meta.get_field(name))
            for name in PARTY_MODEL_CHECKED
        }

    def cells(self, cells: dict[str, str]) -> tuple[dict[str, Any], CellErrors]:
        """The form's ``cleaned_data`` and its errors, ``(column, message)`` in field order."""
        data: dict[str, Any] = {}
        errors: dict[str, list[str]] = {}
        for name, check, rule in self.checks:
            raw = cells.get(name)
            if raw and name in LOWERED:
                raw = raw.lower()
            try:
                value = check(raw)
                data[name] = rule(value) if rule is not None else value
            except ValidationError as exc:
                errors[name] = list(exc.messages)
        for name, message in row_errors(data, self.today):
            data.pop(name, None)
            errors.setdefault(name, []).append(str(message))
        return data, [(name, message) for name, messages in errors.items() for message in messages]

    def party(self, values: dict[str, Any], columns: dict[str, str]) -> CellErrors:
        """The Party model's rules the form does not hold: ``Party.clean`` (Art. 6.3(b)) and
        the stricter model fields. Messages by column."""
        errors: CellErrors = []
        for name, field in self.party_fields.items():
            value = values.get(name)
            if isinstance(value, str) and field.max_length and len(value) > field.max_length:
                try:
                    field.clean(value, None)
                except ValidationError as exc:
                    errors.extend((columns.get(name, name), str(m)) for m in exc.messages)
        try:
            # The model's own clean, on the row's values: no instance is built per row.
            Party.clean(cast(Party, SimpleNamespace(**values)))
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                column = columns.get(name, name) if name != "__all__" else ""
                errors.extend((column, str(m)) for m in messages)
        return errors
