"""How the officers' pages show times and the audit trail, the same on every record's page
(templates/admin/licensing/change_form.html): times in the current time zone with the zone
named, states by their translated labels, the changed fields as "field: value" lines."""

from __future__ import annotations

import datetime as dt
from functools import cache
from typing import Any

from django import template
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.template.defaultfilters import yesno
from django.utils import dateformat, timezone

from licensing.models import AuditEvent

register = template.Library()

NOTHING = "\N{EN DASH}"  # as the template showed a missing state
INDENT = "    "


@register.filter(expects_localtime=True)
def local_time(value: dt.datetime | None, fmt: str = "Y-m-d H:i") -> str:
    """An aware time in the current time zone (the authority's, ``TIME_ZONE``), followed by the
    zone's abbreviation in force then (CET or CEST): ``{{ event.at|local_time:"Y-m-d H:i:s" }}``."""
    if not value:
        return ""
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return dateformat.format(value, f"{fmt} T")


def _model(event: AuditEvent) -> type[models.Model] | None:
    return event.content_type.model_class()


@cache
def _state_labels(model: type[models.Model]) -> dict[str, Any]:
    """The labels (lazy: translated when shown) of the ``state`` choices of a model."""
    try:
        choices = model._meta.get_field("state").flatchoices  # type: ignore[union-attr]
    except FieldDoesNotExist:
        return {}
    return {str(code): label for code, label in choices}


@cache
def _field_labels(model: type[models.Model]) -> dict[str, Any]:
    """The verbose names (lazy) of a model's fields, by field name."""
    labels = {
        field.name: getattr(field, "verbose_name", None) for field in model._meta.get_fields()
    }
    return {name: label for name, label in labels.items() if label}


def _state(labels: dict[str, Any], code: str) -> str:
    return str(labels.get(code, code)) if code else NOTHING


@register.filter
def event_states(event: AuditEvent) -> str:
    """ "from → to", each state by its label in the reader's language; "" without a state."""
    if not (event.from_state or event.to_state):
        return ""
    model = _model(event)
    labels = _state_labels(model) if model is not None else {}
    return f"{_state(labels, event.from_state)} → {_state(labels, event.to_state)}"


def _is_move(value: Any) -> bool:
    return isinstance(value, dict) and set(value) == {"from", "to"}


def _value(value: Any) -> str:
    """One recorded value on one line. Strings as recorded (the personal-data marker of
    ``licensing.services.records`` too), yes or no in the reader's language, lists joined."""
    if value is None or value == "" or value == [] or value == {}:
        return NOTHING
    if isinstance(value, bool):
        return str(yesno(value))
    if isinstance(value, list):
        return ", ".join(_value(item) for item in value)
    if _is_move(value):
        return f"{_value(value['from'])} → {_value(value['to'])}"
    if isinstance(value, dict):
        return "; ".join(f"{_key(key, {})}: {_value(item)}" for key, item in sorted(value.items()))
    return str(value)


def _key(key: str, labels: dict[str, Any]) -> str:
    return str(labels.get(key) or str(key).replace("_", " "))


def _lines(changes: dict[str, Any], labels: dict[str, Any], depth: int = 0) -> list[str]:
    lines = []
    # In the keys' order: PostgreSQL's JSON keeps no order of its own, so the same event reads
    # the same on every database.
    for key, value in sorted(changes.items()):
        label = f"{INDENT * depth}{_key(key, labels)}:"
        if isinstance(value, dict) and value and not _is_move(value):
            # A part of the record (a person of a party) or a group of values: its own lines.
            lines.append(label)
            lines.extend(_lines(value, {}, depth + 1))
        else:
            lines.append(f"{label} {_value(value)}")
    return lines


@register.filter
def event_details(event: AuditEvent) -> str:
    """The changed fields, one "field: value" line each (a change as "old → new"), the field by
    its label where the record's model has that field. Shown with ``white-space: pre-wrap``."""
    changes = event.changes
    if not changes:
        return ""
    if not isinstance(changes, dict):
        return _value(changes)
    model = _model(event)
    return "\n".join(_lines(changes, _field_labels(model) if model is not None else {}))


@register.filter
def other_record(event: AuditEvent, obj: Any) -> str:
    """The kind of record an event is about when it is not the page's record (the application's
    due-diligence review); "" for the page's own events."""
    model = _model(event)
    if obj is None or model is None:
        return ""
    if model._meta.label_lower == obj._meta.label_lower and event.object_id == str(obj.pk):
        return ""
    return str(model._meta.verbose_name)
