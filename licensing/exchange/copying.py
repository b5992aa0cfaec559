"""Inserting many new rows of one model at once: ``bulk_create``'s meaning, PostgreSQL's speed.

On PostgreSQL the rows go in with one ``COPY ... FROM STDIN`` (the fastest way in, about ten
times a multi-row INSERT for wide rows), their ids taken beforehand from the table's sequence
in one query, so the objects have their primary keys as after ``bulk_create``. Each value is
prepared by its model field exactly as ``bulk_create`` prepares it (``pre_save`` for the
``auto_now`` times, ``get_db_prep_save``), so what is stored is the same; a value that the
field would hand on unchanged (a ``str`` for a text field, an ``int``, a ``date``, an aware
``datetime``) skips the call. Elsewhere (SQLite in development and tests) this is
``bulk_create``. No signal is sent, as with ``bulk_create``.

``insert`` takes model instances (``instances`` builds them quickly); ``insert_rows`` takes the
rows as tuples of attribute values (what a million audit events, versions and screening keys
need: no model instance each)."""

from __future__ import annotations

import datetime as dt
import itertools
import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVar

from django.db import DEFAULT_DB_ALIAS, connection, connections, models
from django.utils import timezone
from django_countries.fields import CountryField
from django_fsm import FSMField

# Fields whose get_db_prep_save returns a value of these types unchanged on PostgreSQL (the
# exact classes only: a subclass may prepare differently).
_TEXT = (models.CharField, models.TextField, models.EmailField, CountryField, FSMField)
_INTEGER = (
    models.AutoField,
    models.BigAutoField,
    models.SmallAutoField,
    models.IntegerField,
    models.BigIntegerField,
    models.SmallIntegerField,
    models.PositiveIntegerField,
    models.PositiveBigIntegerField,
    models.PositiveSmallIntegerField,
)
Row = Sequence[Any]
M = TypeVar("M", bound=models.Model)


def insert(objs: Sequence[models.Model], *, ids: bool = True) -> None:
    """Insert ``objs`` (new objects of one model). ``ids=False``: the objects' primary keys
    are not needed afterwards (a through table's rows), the database assigns them."""
    if not objs:
        return
    model = type(objs[0])
    if connection.vendor != "postgresql":
        model._base_manager.bulk_create(objs)
        return
    opts = model._meta
    pk = opts.pk
    fields = list(opts.concrete_fields)
    db = connections[DEFAULT_DB_ALIAS]  # the connection itself, not the per-call proxy
    if ids:
        for obj, value in zip(objs, _next_ids(db, model, len(objs)), strict=True):
            obj.pk = value
    else:
        fields = [f for f in fields if f is not pk]
    prepare = [_preparer(f, db) for f in fields]
    _copy(db, model, fields, ([value(obj) for value in prepare] for obj in objs))
    for obj in objs:
        obj._state.adding = False
        obj._state.db = db.alias


def insert_rows(
    model: type[models.Model],
    columns: Sequence[str],
    rows: Iterable[Row],
    *,
    ids: bool = False,
    count: int | None = None,
) -> list[int]:
    """Insert ``rows`` of ``model``, each a tuple of the values of ``columns`` (attribute
    names, ``party_id`` for a foreign key) as they would be set on an instance. The other
    fields take their defaults (``auto_now`` times: now). Returns the new ids if ``ids``, in
    the order of ``rows``. ``rows`` may be a generator: on PostgreSQL each row is made while
    the database stores the ones before it (with ``ids``, give ``count``, the number of rows,
    or the rows are listed first to count them)."""
    if ids and count is None:
        rows = list(rows)
        count = len(rows)
    iterator = iter(rows)
    first = next(iterator, None)
    if first is None:
        return []
    rows = itertools.chain([first], iterator)
    if connection.vendor != "postgresql":
        objs = [model(**dict(zip(columns, row, strict=True))) for row in rows]
        model._base_manager.bulk_create(objs)
        return [int(obj.pk) for obj in objs] if ids else []
    opts = model._meta
    db = connections[DEFAULT_DB_ALIAS]
    by_name = {f.attname: f for f in opts.concrete_fields}
    given = [by_name[name] for name in columns]
    others = [f for f in opts.concrete_fields if f.attname not in columns and f is not opts.pk]
    defaults = [_default(f) for f in others]
    prepare = [_value_preparer(f, db) for f in given]
    new_ids = _next_ids(db, model, count or 0) if ids else []
    fields = ([opts.pk] if ids else []) + given + others

    def lines() -> Iterable[list[Any]]:
        # The defaults once per call (the same ``now`` for every row, as one bulk_create
        # gives within a second); a callable default (a uuid4) once per row.
        makers = [make if each else _constant(make()) for make, each in defaults]
        varying = any(each for _make, each in defaults)
        tail = [] if varying else [make() for make in makers]
        for index, row in enumerate(rows):
            line = [prep(value) for prep, value in zip(prepare, row, strict=True)]
            if ids:
                line.insert(0, new_ids[index])
            line += [make() for make in makers] if varying else tail
            yield line
        if ids and index + 1 != count:
            raise ValueError(f"{index + 1} rows of {model.__name__} given, {count} counted")

    _copy(db, model, fields, lines())
    return new_ids


def instances(model: type[M], rows: Iterable[dict[str, Any]]) -> list[M]:
    """New instances of ``model``, one per dict of values by attribute name (``party_id`` for
    a foreign key), the other fields at their defaults (a callable default, e.g. a uuid4, is
    called for each). Built as ``from_db`` builds instances, positionally: a third of the time
    of keyword arguments, which go through each field's descriptor."""
    fields = model._meta.concrete_fields
    defaults: list[tuple[str, Any, bool]] = []
    for f in fields:
        per_row = f.has_default() and callable(f.default)
        defaults.append((f.attname, None if per_row else f.get_default(), per_row))
    field_of = {f.attname: f for f in fields}
    built = []
    for values in rows:
        unknown = values.keys() - field_of.keys()
        if unknown:
            raise TypeError(f"{model.__name__} has no field {', '.join(sorted(unknown))}")
        args = [
            values[name]
            if name in values
            else (field_of[name].get_default() if per_row else default)
            for name, default, per_row in defaults
        ]
        built.append(model(*args))
    return built


def _next_ids(db: Any, model: type[models.Model], count: int) -> list[int]:
    with db.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [model._meta.db_table, model._meta.pk.column, count],
        )
        return [value for (value,) in cursor.fetchall()]


def _copy(
    db: Any, model: type[models.Model], fields: list[models.Field], lines: Iterable[list[Any]]
) -> None:
    columns = ", ".join(db.ops.quote_name(f.column) for f in fields)
    table = db.ops.quote_name(model._meta.db_table)
    sql = f"COPY {table} ({columns}) FROM STDIN"
    started = time.monotonic()
    with db.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for line in lines:
            copy.write_row(line)
    if db.queries_logged:
        # psycopg's copy goes past Django's cursor wrapper: counted as the statement it is, so
        # that query counts (assertNumQueries, the debug toolbar) see it.
        db.queries_log.append({"sql": sql, "time": f"{time.monotonic() - started:.3f}"})


def _constant(value: Any) -> Callable[[], Any]:
    return lambda: value


def _default(field: models.Field) -> tuple[Callable[[], Any], bool]:
    """The prepared default of a field not given: ``(make, per_row)``."""
    db = connections[DEFAULT_DB_ALIAS]
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        return (lambda: field.get_db_prep_save(timezone.now(), db)), False
    per_row = field.has_default() and callable(field.default)
    return (lambda: field.get_db_prep_save(field.get_default(), db)), per_row


def _preparer(field: models.Field, db: Any) -> Callable[[models.Model], Any]:
    """What ``bulk_create`` stores for ``field``: ``pre_save`` where it sets the value (the
    ``auto_now`` times), else the attribute as set (read from the instance's ``__dict__``,
    past descriptors that would build objects, e.g. a ``Country``), prepared by the field."""
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        prep = field.get_db_prep_save
        return lambda obj: prep(field.pre_save(obj, True), db)
    attname = field.attname
    prepare = _value_preparer(field, db)

    def value(obj: models.Model) -> Any:
        raw = obj.__dict__[attname] if attname in obj.__dict__ else getattr(obj, attname)
        return prepare(raw)

    return value


def _value_preparer(field: models.Field, db: Any) -> Callable[[Any], Any]:
    """``field.get_db_prep_save(value)``, skipped for values it would return unchanged."""
    prep = field.get_db_prep_save
    kind = _kind(field) if db.vendor == "postgresql" else None
    if kind is None:
        return lambda value: prep(value, db)

    if kind is dt.datetime:

        def prepare_time(value: Any) -> Any:
            # A naive time is prepared by the field (which warns and makes it aware).
            if value is None or (type(value) is dt.datetime and value.tzinfo is not None):
                return value
            return prep(value, db)

        return prepare_time

    def prepare(value: Any) -> Any:
        if value is None or type(value) is kind:
            return value
        return prep(value, db)

    return prepare


def prep_value(field: models.Field) -> Callable[[Any], Any]:
    """``field.get_prep_value``, skipped for values it would return unchanged (a version's
    data: a million records' values)."""
    prep = field.get_prep_value
    kind = _kind(field)
    if kind is None:
        return prep
    if kind is dt.datetime:
        return lambda value: (
            value
            if value is None or (type(value) is dt.datetime and value.tzinfo is not None)
            else prep(value)
        )
    return lambda value: value if value is None or type(value) is kind else prep(value)


def _kind(field: models.Field) -> type | None:
    """The type of value that ``field`` prepares by returning it unchanged, on PostgreSQL also
    for the database; None if it prepares every value."""
    if type(field) is models.ForeignKey:
        return _kind(field.target_field)
    if type(field) in _TEXT and not getattr(field, "multiple", False):
        return str
    if type(field) in _INTEGER:
        return int
    if type(field) is models.DateField:
        return dt.date
    if type(field) is models.DateTimeField:
        return dt.datetime
    if type(field) is models.BooleanField:
        return bool
    if type(field) is models.UUIDField:
        return uuid.UUID  # PostgreSQL's own uuid type
    return None
