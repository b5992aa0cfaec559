"""Seizure cases and items as the officers' services record them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone

from licensing.services.records import save_record
from seizures.models import ItemKind, PartyKind, SeizedItem, SeizureCase, StorageLocation, Unit
from seizures.services import cases


def store(officer: Any, name: str = "Sentrallager Oslo", region: str = "Oslo") -> StorageLocation:
    location = StorageLocation(name=name, address=f"{name} 1, 0667 Oslo", region=region)
    save_record(obj=location, by=officer, changes={"name": name})
    return location


def open_case(officer: Any, **fields: Any) -> SeizureCase:
    values: dict[str, Any] = {
        "agency": "Tolletaten",
        "seized_on": timezone.localdate() - dt.timedelta(days=1),
        "place": "Kartbladveien 12, 1526 Moss",
        "party_kind": PartyKind.UNKNOWN,
        **fields,
    }
    return cases.record_case(case=SeizureCase(**values), by=officer)


def machine(make: str, serial: str, **fields: Any) -> SeizedItem:
    return SeizedItem(
        kind=ItemKind.MACHINE,
        make=make,
        serial_number=serial,
        quantity=1,
        unit=Unit.PIECE,
        **fields,
    )


def tobacco(kg: int | str = 300, **fields: Any) -> SeizedItem:
    return SeizedItem(
        kind=ItemKind.TOBACCO, tobacco_form="cut", quantity=Decimal(kg), unit=Unit.KG, **fields
    )
