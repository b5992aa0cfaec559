"""Seizure records for the exchange of enforcement information (Art. 21.1(e)): case reference,
quantity, value, product description, entities involved, date and place of manufacture, and the
modi operandi (transport, concealment, routing, detection).

One shape, ``case_record``, serves both directions: the export (JSON, one record per case, or a
CSV with one row per item for spreadsheets, every cell escaped) and ``accept_records``, which
takes another Party's records into the same ``SeizureCase`` model with ``origin`` "partner", its
country and its own reference. The authorities' API offers and accepts exactly this shape.
Art. 21.2: a partner's record marked ``onward_restricted`` is never exported again. Persons
(Art. 21.1(b)) are included only when asked for, by a user who may read them."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Iterator
from decimal import Decimal, InvalidOperation
from typing import Any

import tablib
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from licensing.exceptions import DomainError, PermissionDenied
from licensing.exchange.escaping import escaped
from licensing.exchange.export import CONTENT_TYPES, ExportFile, ExportFormat
from licensing.models.audit import Verb
from licensing.services.audit import record_event
from seizures.models import CaseOrigin, PartyKind, SeizedItem, SeizureCase, SeizurePerson
from seizures.services import cases
from seizures.signals import records_exported

SCHEMA = "seizure/1"
EXPORT = "seizures.export_seizures"
PERSONS = "seizures.view_seizureperson"
CASE_FIELDS = (
    "agency",
    "agency_reference",
    "seized_on",
    "place",
    "country",
    "latitude",
    "longitude",
    "summary",
)
MODUS = ("transport", "concealment", "routing", "detection")
ENTITY = ("name", "registration_number", "tax_number", "address", "country")
PERSON_FIELDS = (
    "full_name",
    "date_of_birth",
    "nationality",
    "id_document_country",
    "id_document_number",
    "role",
)
ITEM_FIELDS = (
    "kind",
    "description",
    "make",
    "model",
    "serial_number",
    "cloned",
    "product_type",
    "tobacco_form",
    "brand",
    "markings",
    "quantity",
    "unit",
    "value",
    "currency",
    "manufactured_in",
    "manufactured_on",
)


def _plain(value: Any) -> Any:
    if value is None:
        return None
    code = getattr(value, "code", None)  # django-countries' Country
    if code is not None:
        return code or ""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return value


def _entity(case: SeizureCase) -> dict[str, Any]:
    if case.party is not None:
        party = case.party
        return {
            "kind": case.party_kind,
            "name": party.legal_name,
            "registration_number": party.registration_number,
            "tax_number": "",
            "address": party.headquarters_address or party.address,
            "country": _plain(party.country),
            "licence_numbers": sorted(party.licences.values_list("number", flat=True)),
        }
    entity: dict[str, Any] = {"kind": case.party_kind}
    for name in ENTITY:
        entity[name] = _plain(getattr(case, f"party_{name}"))
    entity["licence_numbers"] = []
    return entity


def case_record(case: SeizureCase, *, persons: bool = False) -> dict[str, Any]:
    """The case as exchanged: a partner's case keeps its Party and its own reference."""
    own = case.origin == CaseOrigin.OWN
    record: dict[str, Any] = {
        "schema": SCHEMA,
        "reporting_party": _plain(case.reporting_country),
        "reference": case.reference if own else case.external_reference,
        **{name: _plain(getattr(case, name)) for name in CASE_FIELDS},
        "modus_operandi": {name: getattr(case, name) for name in MODUS},
        "entity": _entity(case),
        "items": [
            {"number": item.number, **{n: _plain(getattr(item, n)) for n in ITEM_FIELDS}}
            for item in case.items.order_by("number")
        ],
        "onward_restricted": case.onward_restricted,
    }
    if persons:
        record["persons"] = [
            {name: _plain(getattr(person, name)) for name in PERSON_FIELDS}
            for person in case.persons.order_by("pk")
        ]
    return record


def exportable(queryset: QuerySet[SeizureCase]) -> QuerySet[SeizureCase]:
    """Art. 21.2: not a partner's record it asked not to be passed on."""
    return queryset.exclude(origin=CaseOrigin.PARTNER, onward_restricted=True)


CSV_HEADERS = (
    "reporting_party",
    "reference",
    *CASE_FIELDS,
    *MODUS,
    *(f"entity_{name}" for name in ("kind", *ENTITY)),
    "item_number",
    *ITEM_FIELDS,
)


def _csv_rows(record: dict[str, Any]) -> Iterator[list[Any]]:
    common = {
        "reporting_party": record["reporting_party"],
        "reference": record["reference"],
        **{name: record[name] for name in CASE_FIELDS},
        **record["modus_operandi"],
        **{f"entity_{k}": v for k, v in record["entity"].items() if k != "licence_numbers"},
    }
    for item in record["items"]:
        row = {**common, "item_number": item["number"], **item}
        yield ["" if row.get(h) is None else row.get(h) for h in CSV_HEADERS]


@transaction.atomic
def export_cases(
    *,
    queryset: QuerySet[SeizureCase],
    by: Any,
    fmt: str = ExportFormat.JSON,
    purpose: str = "",
    persons: bool = False,
) -> ExportFile:
    """Holders of ``export_seizures``. One ``exported`` audit event names the cases sent and
    the purpose; persons only for a user who may read them."""
    if not (by.is_active and by.has_perm(EXPORT)):
        raise PermissionDenied()
    persons = persons and by.has_perm(PERSONS)
    chosen = list(
        exportable(queryset)
        .select_related("party")
        .prefetch_related("items", "persons")
        .order_by("pk")
    )
    records = [case_record(case, persons=persons) for case in chosen]
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    if fmt == ExportFormat.CSV:
        dataset = tablib.Dataset(headers=list(CSV_HEADERS), title="seizures")
        for record in records:
            for row in _csv_rows(record):
                dataset.append(row)
        content = str(escaped(dataset).export("csv")).encode("utf-8-sig")
    else:
        fmt = ExportFormat.JSON
        content = json.dumps({"schema": SCHEMA, "records": records}, ensure_ascii=False).encode()
    record_event(
        ContentType.objects.get_for_model(SeizureCase),
        verb=Verb.EXPORTED,
        by=by,
        reason=purpose.strip(),
        changes={
            "format": str(fmt),
            "records": len(chosen),
            "ids": [case.pk for case in chosen],
            "persons": persons,
            "withheld": queryset.count() - len(chosen),
        },
    )
    records_exported.send(
        sender=SeizureCase,
        by=by,
        purpose=purpose.strip(),
        persons=persons,
        cases=[
            (case.party_id, case.reference or "", persons and bool(case.persons.all()))
            for case in chosen
        ],
    )
    return ExportFile(
        content=content,
        content_type=CONTENT_TYPES[ExportFormat(fmt)],
        filename=f"seizures-{stamp}.{fmt}",
        count=len(chosen),
    )


class RecordsRejected(DomainError):
    """Nothing was saved; ``errors`` lists each problem with where it is."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__(_("The records were not accepted: nothing was saved."))
        self.errors = errors


def _messages(error: ValidationError) -> list[str]:
    if hasattr(error, "error_dict"):
        return [f"{field}: {m}" for field, msgs in error.message_dict.items() for m in msgs]
    return list(error.messages)


def _text(data: dict[str, Any], name: str) -> str:
    value = data.get(name)
    return "" if value is None else str(value).strip()


def _case_from(record: dict[str, Any]) -> SeizureCase:
    entity = record.get("entity") or {}
    name = _text(entity, "name")
    modus = record.get("modus_operandi") or {}
    case = SeizureCase(
        origin=CaseOrigin.PARTNER,
        reporting_country=_text(record, "reporting_party").upper(),
        external_reference=_text(record, "reference"),
        party_kind=PartyKind.UNLICENSED if name else PartyKind.UNKNOWN,
        party_name=name,
        party_registration_number=_text(entity, "registration_number"),
        party_tax_number=_text(entity, "tax_number"),
        party_address=_text(entity, "address"),
        party_country=_text(entity, "country").upper(),
        onward_restricted=bool(record.get("onward_restricted")),
        **{n: _text(record, n) for n in ("agency", "agency_reference", "place", "summary")},
        **{n: _text(modus, n)[:300] for n in MODUS},
    )
    # Checked by full_clean, like every other field of a received record.
    case.seized_on = record.get("seized_on")  # type: ignore[assignment]
    case.country = _text(record, "country").upper()
    case.latitude = record.get("latitude")
    case.longitude = record.get("longitude")
    return case


def _item_from(data: dict[str, Any]) -> SeizedItem:
    item = SeizedItem(
        **{n: _text(data, n) for n in ITEM_FIELDS if n not in ("cloned", "quantity", "value")},
        cloned=False,  # whether it clones one of ours is for this authority to find out
    )
    for name in ("quantity", "value"):
        raw = data.get(name)
        try:
            setattr(item, name, None if raw in (None, "") else Decimal(str(raw)))
        except InvalidOperation:
            setattr(item, name, Decimal("NaN"))
    item.manufactured_on = data.get("manufactured_on") or None
    return item


def _check(obj: Any, where: str, errors: list[str], exclude: Iterable[str]) -> None:
    try:
        obj.full_clean(exclude=list(exclude))
    except ValidationError as error:
        errors.extend(f"{where}: {message}" for message in _messages(error))
    except (TypeError, ValueError, InvalidOperation) as error:
        errors.append(f"{where}: {error}")


def _validated(
    records: list[Any],
) -> tuple[list[tuple[SeizureCase, list[Any], list[Any]]], list[str]]:
    errors: list[str] = []
    found = []
    seen: set[tuple[str, str]] = set()
    for index, record in enumerate(records, start=1):
        where = _("record %(n)s") % {"n": index}
        if not isinstance(record, dict) or record.get("schema") != SCHEMA:
            errors.append(
                _("%(where)s: not a seizure record (%(schema)s).")
                % {"where": where, "schema": SCHEMA}
            )
            continue
        case = _case_from(record)
        if case.reporting_country == settings.AUTHORITY_COUNTRY:
            errors.append(
                _("%(where)s: a record of this authority is not received from a partner.")
                % {"where": where}
            )
        if not case.external_reference:
            errors.append(
                _("%(where)s: the reporting Party's reference is missing.") % {"where": where}
            )
        key = (str(case.reporting_country), case.external_reference)
        if key in seen:
            errors.append(
                _("%(where)s: the same record appears twice in the file.") % {"where": where}
            )
        seen.add(key)
        _check(case, where, errors, ("reference", "recorded_by", "party", "state"))
        items = [_item_from(row) for row in record.get("items") or [] if isinstance(row, dict)]
        if not items:
            errors.append(_("%(where)s: it lists no item.") % {"where": where})
        for number, item in enumerate(items, start=1):
            item_where = _("%(where)s, item %(n)s") % {"where": where, "n": number}
            _check(item, item_where, errors, ("case", "number", "register_machine", "state"))
        persons = []
        for number, row in enumerate(record.get("persons") or [], start=1):
            if not isinstance(row, dict):
                continue
            person = SeizurePerson(
                **{n: _text(row, n) for n in PERSON_FIELDS if n != "date_of_birth"}
            )
            person.date_of_birth = row.get("date_of_birth") or None
            _check(
                person,
                _("%(where)s, person %(n)s") % {"where": where, "n": number},
                errors,
                ("case",),
            )
            persons.append(person)
        found.append((case, items, persons))
    return found, errors


@transaction.atomic
def accept_records(*, payload: bytes, by: Any) -> list[SeizureCase]:
    """Another Party's records (Art. 21): all or nothing. Every record is checked before any
    is written; a record already received (same Party and reference) is refused."""
    if not (by.has_perm(EXPORT) and by.has_perm(cases.RECORD)):
        raise PermissionDenied()
    try:
        document = json.loads(payload.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise RecordsRejected([_("The file is not JSON in UTF-8.")]) from None
    records = document.get("records") if isinstance(document, dict) else None
    if not isinstance(records, list) or not records:
        raise RecordsRejected([_("The file holds no records.")])
    found, errors = _validated(records)
    if errors:
        raise RecordsRejected(errors)
    received = []
    for case, items, persons in found:
        cases.record_case(case=case, by=by)
        for person in persons:
            cases.add_person(case_id=case.pk, person=person, by=by)
        for item in items:
            cases.add_item(case_id=case.pk, item=item, by=by)
        record_event(
            case,
            verb=Verb.IMPORTED,
            by=by,
            changes={
                "reporting_party": str(case.reporting_country),
                "reference": case.external_reference,
            },
        )
        received.append(case)
    return received
