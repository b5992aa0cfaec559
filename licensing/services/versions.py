"""Writing the versions of regulated records (licensing.models.versions). Called by the services
that make a change current: the approval of an application, an officer's correction in the admin,
the register import. Nothing else writes ``RecordVersion``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db import models

from licensing.exchange.copying import insert_rows, prep_value
from licensing.models.parties import Party
from licensing.models.sites import ProductionCapacity
from licensing.models.versions import RecordSource, RecordVersion, Regulated

BOOKKEEPING = frozenset(Regulated.bookkeeping)


def content_fields(model: type[models.Model]) -> list[models.Field]:
    """The fields that make up a record's versioned values (not its id, times or proposal
    links)."""
    return [
        f
        for f in model._meta.concrete_fields
        if f.name not in BOOKKEEPING and f.attname not in BOOKKEEPING
    ]


def record_type(obj: models.Model | type[models.Model]) -> str:
    return obj._meta.label_lower


def record_data(obj: models.Model) -> dict[str, Any]:
    """The record's values as a version keeps them: by column name, as the database stores
    them (dates and decimals become text through the version's JSON encoder)."""
    return {f.attname: f.get_prep_value(getattr(obj, f.attname)) for f in content_fields(type(obj))}


def same_content(a: models.Model, b: models.Model) -> bool:
    return record_data(a) == record_data(b)


def owner_party_id(obj: models.Model) -> int:
    if isinstance(obj, Party):
        return int(obj.pk)
    if isinstance(obj, ProductionCapacity):
        return int(obj.site.party_id)
    return int(obj.party_id)  # type: ignore[attr-defined]


def write_version(
    obj: models.Model,
    *,
    when: dt.datetime,
    source: str,
    by: Any = None,
    application: Any = None,
    ended: bool = False,
    party_id: int | None = None,
) -> RecordVersion:
    """Close the record's open version at ``when`` and open the next one (``obj.version``)."""
    kind = record_type(obj)
    RecordVersion.objects.filter(record_type=kind, record_id=obj.pk, valid_to__isnull=True).update(
        valid_to=when
    )
    return RecordVersion.objects.create(
        record_type=kind,
        record_id=obj.pk,
        party_id=party_id or owner_party_id(obj),
        version=getattr(obj, "version", 1),
        valid_from=when,
        data=record_data(obj),
        ended=ended,
        source=source,
        application=application,
        approved_by=by if getattr(by, "pk", None) else None,
    )


VERSION_COLUMNS = (
    "record_type",
    "record_id",
    "party_id",
    "version",
    "valid_from",
    "data",
    "source",
    "approved_by_id",
)


def write_first_versions(
    objs: Sequence[models.Model], *, when: dt.datetime, source: str, by: Any = None
) -> int:
    """``write_version`` for many records of one model just created (a register import): their
    version 1, with nothing open to close, inserted together (``licensing.exchange.copying``).
    Returns how many."""
    if not objs:
        return 0
    model = type(objs[0])
    kind = record_type(model)
    fields = [(f.attname, prep_value(f)) for f in content_fields(model)]
    approved_by = by.pk if getattr(by, "pk", None) else None
    rows = (
        (
            kind,
            obj.pk,
            owner_party_id(obj),
            getattr(obj, "version", 1),
            when,
            # As ``record_data``; read from ``__dict__`` past descriptors that build objects.
            {name: prep(_raw(obj, name)) for name, prep in fields},
            source,
            approved_by,
        )
        for obj in objs
    )
    insert_rows(RecordVersion, VERSION_COLUMNS, rows)  # each made as the last is stored
    return len(objs)


def _raw(obj: models.Model, attname: str) -> Any:
    return obj.__dict__[attname] if attname in obj.__dict__ else getattr(obj, attname)


def record_officer_change(obj: models.Model, *, by: Any, when: dt.datetime, adding: bool) -> None:
    """An officer's correction in the admin is the authority's decision: a new version. Only
    approved records of approved parties are versioned; a proposal is not a record yet."""
    if not isinstance(obj, Party | Regulated):
        return
    if isinstance(obj, Regulated) and obj.is_proposal:
        return
    party = obj if isinstance(obj, Party) else Party.objects.get(pk=owner_party_id(obj))
    if party.approved_at is None:
        return
    if not adding:
        type(obj)._base_manager.filter(pk=obj.pk).update(version=models.F("version") + 1)
        obj.refresh_from_db(fields=["version"])
    write_version(obj, when=when, source=RecordSource.OFFICER, by=by)


def instance_from(model: type[models.Model], data: dict[str, Any], pk: int) -> models.Model:
    """An unsaved instance holding a version's values (the as-of selector's rows)."""
    obj = model(pk=pk)
    for field in content_fields(model):
        if field.attname in data:
            setattr(obj, field.attname, field.to_python(data[field.attname]))
    return obj
