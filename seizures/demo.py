"""The seizures' part of the demo world (``manage.py build_demo_fixture``), run by the core's
story runner through ``SeizuresConfig.demo_stories``. Days are counted back from the build date.

- Two stores: the authority's central store in Oslo and the customs store in Drammen.
- 25 days before the build, customs raid Lager Syd AS in Moss, a warehouse without a licence:
  a making machine carrying the serial of one of Fjordtobakk's registered machines (a clone:
  Fjordtobakk's risk score rises), 300 kg of cut tobacco, 48,000 cigarettes without tax stamps
  and NOK 85,000 in cash; its manager is a person involved (an adverse screening key). The
  items go to the customs store; five days later the tobacco, the cigarettes and the machine
  move to the central store (the custody chain's second step).
- 12 days before the build, an officer orders the destruction of the tobacco and the
  cigarettes at the central store, eight days after the build; an inspector is assigned. The
  machine stays as evidence, the cash waits for the court.
- 5 days before the build, a senior officer receives a seizure record from Sweden's customs
  (Art. 21): raw tobacco in a lorry bound for Norway."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from django.utils import timezone

from equipment.services import destruction_jobs
from licensing.services.records import save_record
from seizures import exchange
from seizures.models import (
    ItemKind,
    PartyKind,
    PersonRole,
    SeizedItem,
    SeizureCase,
    SeizurePerson,
    StorageLocation,
    TobaccoForm,
    Unit,
)
from seizures.services import cases, custody, disposal

STORES = [
    ("Sentrallager Oslo", "Brynsveien 5, 0667 Oslo", "Oslo"),
    ("Tollager Drammen", "Holmenkaia 2, 3041 Drammen", "Viken"),
]

SWEDISH_RECORD: dict[str, Any] = {
    "schema": exchange.SCHEMA,
    "reporting_party": "SE",
    "reference": "TV-2026-04417",
    "agency": "Tullverket",
    "agency_reference": "Mål 5523-26",
    "place": "Svinesundsbron, Strömstad",
    "country": "SE",
    "summary": "Raw tobacco declared as animal feed.",
    "modus_operandi": {
        "transport": "lorry with trailer",
        "concealment": "behind pallets of animal feed",
        "routing": "Gdańsk - Malmö - Svinesund - Oslo",
        "detection": "X-ray scan at the border",
    },
    "entity": {"name": "Nordvik Frakt AS", "registration_number": "", "country": "NO"},
    "items": [
        {
            "kind": "tobacco",
            "tobacco_form": "leaf",
            "quantity": "1200",
            "unit": "kg",
            "value": "540000",
            "currency": "SEK",
            "manufactured_in": "Poland",
        }
    ],
    "onward_restricted": True,
}


def stories(w: Any) -> list[Iterator[int]]:
    return [raid_story(w)]


def raid_story(w: Any) -> Iterator[int]:
    yield 40
    stores = []
    for name, address, region in STORES:
        store = StorageLocation(name=name, address=address, region=region)
        save_record(obj=store, by=w.officer, changes={"name": name})
        stores.append(store)
    oslo, drammen = stores
    yield 25
    case = cases.record_case(
        case=SeizureCase(
            agency="Tolletaten",
            agency_reference="TE-2026-3381",
            seized_on=timezone.localdate(),
            place="Lager Syd AS, Kartbladveien 12, 1526 Moss",
            latitude=Decimal("59.4342"),
            longitude=Decimal("10.6578"),
            officers="Kari Nilsen, Jonas Berg",
            party_kind=PartyKind.UNLICENSED,
            party_name="Lager Syd AS",
            party_registration_number="NO 998 877 665",
            party_address="Kartbladveien 12\n1526 Moss",
            party_country="NO",
            summary="Unlicensed production found in a rented warehouse.",
            transport="van",
            concealment="production hall behind a furniture store",
            detection="tip-off from the electricity supplier (night-time load)",
        ),
        by=w.officer,
    )
    cases.add_person(
        case_id=case.pk,
        person=SeizurePerson(
            full_name="Tor Kristiansen",
            date_of_birth=dt.date(1979, 3, 14),
            nationality="NO",
            id_document_country="NO",
            id_document_number="P7741236",
            role=PersonRole.OWNER,
        ),
        by=w.officer,
    )
    specs = [
        SeizedItem(
            kind=ItemKind.MACHINE,
            make="Hauni",
            model="Protos M8",
            serial_number="PM8-204417",
            cloned=True,  # Fjordtobakk's registered machine is still at its site
            quantity=1,
            unit=Unit.PIECE,
        ),
        SeizedItem(
            kind=ItemKind.TOBACCO,
            tobacco_form=TobaccoForm.CUT,
            quantity=Decimal(300),
            unit=Unit.KG,
            value=Decimal(450000),
            currency="NOK",
        ),
        SeizedItem(
            kind=ItemKind.PRODUCT,
            product_type="cigarettes",
            brand="Marlboro Gold",
            markings="No Norwegian tax stamp; health warnings in Polish.",
            quantity=Decimal(48000),
            unit=Unit.STICK,
            value=Decimal(264000),
            currency="NOK",
        ),
        SeizedItem(kind=ItemKind.CASH, quantity=Decimal(85000), unit=Unit.MONEY, currency="NOK"),
    ]
    items = [
        cases.add_item(
            case_id=case.pk, item=item, by=w.officer, location=drammen, received_by="Kari Nilsen"
        )
        for item in specs
    ]
    yield 20
    for item in items[:3]:
        custody.move_item(
            item_id=item.pk,
            to_location_id=oslo.pk,
            expected_from_id=drammen.pk,
            by=w.officer,
            handed_over_by="Kari Nilsen",
            received_by="Ivar Lunde",
        )
    yield 12
    disposal.order_destruction(
        case_id=case.pk,
        item_ids=[items[1].pk, items[2].pk],
        by=w.officer,
        reason="Confiscation order of Søndre Østfold tingrett, 24-118833MED.",
        method="other",
        planned_on=timezone.localdate() + dt.timedelta(days=20),
    )
    destruction_jobs.assign_inspectors()
    yield 5
    seized_on = timezone.localdate() - dt.timedelta(days=2)
    record = {**SWEDISH_RECORD, "seized_on": seized_on.isoformat()}
    exchange.accept_records(payload=json.dumps({"records": [record]}).encode(), by=w.senior)
