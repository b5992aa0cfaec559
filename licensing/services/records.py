"""Edits outside the state machines (an officer correcting a party's address, adding a condition):
saved and written to the audit trail in one transaction, so no edit goes unrecorded."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from licensing.exceptions import PermissionDenied
from licensing.models.audit import Verb
from licensing.services.audit import record_event
from licensing.services.versions import record_officer_change

# Art. 5: personal data is kept in the record itself, where access is controlled, and not
# copied into the trail, which more roles read (the registrar, the auditor).
PERSONAL = "(personal data: changed, value not recorded)"


def plain(value: Any) -> Any:
    """A value as the audit trail keeps it: JSON types, records by their label."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, dt.date | dt.datetime | Decimal):
        return str(value)
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, dict):
        return {str(key): plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set | models.QuerySet):
        return [plain(item) for item in value]
    if hasattr(value, "name") and hasattr(value, "url"):  # an uploaded file
        return value.name
    return str(value)


def _may(by: Any, obj: models.Model, adding: bool) -> bool:
    meta = obj._meta
    action = "add" if adding else "change"
    return bool(by.has_perm(f"{meta.app_label}.{action}_{meta.model_name}"))


@transaction.atomic
def save_record(
    *,
    obj: models.Model,
    by: Any,
    changes: dict[str, Any],
    subject: models.Model | None = None,
) -> models.Model:
    """Save an edited or new record and append one event (``created`` or ``edited``) naming the
    changed fields with their old and new values. ``subject`` is the record whose trail shows the
    event when ``obj`` is a part of it (a person of a party, a condition of a licence).

    Staff with the model's add or change permission; nothing changed, nothing written."""
    adding = obj._state.adding
    if not _may(by, obj, adding):
        raise PermissionDenied()
    if not adding and not changes:
        return obj
    obj.save()
    # Art. 6.3(g), 9: the officer's correction is a decision of the authority, kept as a version.
    record_officer_change(obj, by=by, when=timezone.now(), adding=adding)
    target = subject if subject is not None else obj
    personal = set(getattr(type(obj), "personal_data_fields", ()))
    recorded: dict[str, Any] = {
        name: PERSONAL if name in personal else plain(value) for name, value in changes.items()
    }
    if target is not obj:
        label = f"{obj._meta.verbose_name} {obj.pk}"
        recorded = {"record": label, "added": adding, "fields": recorded}
    record_event(
        target,
        verb=Verb.CREATED if adding and target is obj else Verb.EDITED,
        by=by,
        changes=recorded,
    )
    return obj
