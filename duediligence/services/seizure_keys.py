"""The screening keys of a seizure case (Art. 18, 21.1(e)): the party it was seized from (a
party of the register under its own identifiers, or the name, numbers and address typed for
an unlicensed one), the persons involved (name with date of birth, identity document) and the
serial numbers of the machines seized, each with the case as its source. Indexed whenever the
case changes (``seizures.signals.case_changed``, in the case's transaction); the seizure
sources (``duediligence.seizure_source``) decide how they count."""

from __future__ import annotations

from collections.abc import Iterator

from django.contrib.contenttypes.models import ContentType
from django.db import transaction

from duediligence.models import KeyKind, ScreeningKey
from duediligence.normalise import (
    free_address_key,
    id_document_key,
    name_key,
    number_key,
    person_key,
    serial_key,
)
from seizures.models import ItemKind, SeizureCase


def case_keys(case: SeizureCase) -> Iterator[tuple[str, str]]:
    party = case.party
    if party is not None:
        country = str(party.country)
        yield KeyKind.NAME, name_key(party.legal_name)
        yield KeyKind.REGISTRATION, number_key(country, party.registration_number)
    elif case.party_name:
        country = str(case.party_country or case.country)
        yield KeyKind.NAME, name_key(case.party_name)
        yield KeyKind.REGISTRATION, number_key(country, case.party_registration_number)
        yield KeyKind.TAX, number_key(country, case.party_tax_number)
        yield KeyKind.ADDRESS, free_address_key(case.party_address, country)
    for person in case.persons.order_by("pk"):
        yield KeyKind.NAME, name_key(person.full_name)
        yield KeyKind.PERSON, person_key(person.full_name, person.date_of_birth)
        yield (
            KeyKind.ID_DOCUMENT,
            id_document_key(str(person.id_document_country), person.id_document_number),
        )
    for serial in case.items.filter(kind=ItemKind.MACHINE).values_list("serial_number", flat=True):
        yield KeyKind.SERIAL, serial_key(serial)


@transaction.atomic
def index_case(case: SeizureCase) -> int:
    """Replace the case's keys (a case only grows: a person or an item added)."""
    source_type = ContentType.objects.get_for_model(SeizureCase)
    ScreeningKey.objects.filter(source_type=source_type, source_id=case.pk).delete()
    seen: set[tuple[str, str]] = set()
    keys = []
    for kind, value in case_keys(case):
        if value and (kind, value) not in seen:
            seen.add((kind, value))
            keys.append(
                ScreeningKey(
                    kind=kind, value=value[:255], source_type=source_type, source_id=case.pk
                )
            )
    ScreeningKey.objects.bulk_create(keys)
    return len(keys)


def index_all_cases() -> int:
    return sum(index_case(case) for case in SeizureCase.objects.order_by("pk"))
