"""The demo's directory of competent authorities (Art. 22.1), made by ``load_demo`` through
``demo_loaded``: Sweden's customs (the demo API partner's authority), Hungary's tax and customs
administration, and Poland's, which may not receive personal data (no agreement recorded).
And one request received from Hungary's authority about an active licence of the register, due
in ten days, for the licence officer to take up (Art. 28). Art. 12: the free zone at Ågotnes,
with Fjordtobakk's bonded warehouse inside it (its manufacturing licence gets the free-zone
controls), and the carrier Bałtyk Dystrybucja's portal user (``applicant-pl``) with one transit
notice whose goods were due out yesterday, for the job to chase. A second load changes
nothing."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth import get_user_model
from django.utils import timezone

from cooperation.models import (
    AssistanceCase,
    AuthorityKind,
    Channel,
    CompetentAuthority,
    Direction,
    FreeZone,
    FreeZoneSite,
    SubjectKind,
    TransitNotice,
)
from cooperation.services.cases import record_case
from cooperation.services.transit import notify_transit
from cooperation.services.zones import mark_site
from licensing.demo.users import demo_password, ensure_portal_user
from licensing.models import Licence, LicenceState, Party, Site

CARRIER = "Bałtyk Dystrybucja Sp. z o.o."
FREE_ZONE_SITE = "Ågotnes bonded warehouse"
CARRIER_USERNAME = "applicant-pl"

AUTHORITIES: list[dict[str, Any]] = [
    {
        "country": "SE",
        "name": "Tullverket (demo)",
        "kind": AuthorityKind.CUSTOMS,
        "email": "registrator@tullverket.example",
        "channels": [Channel.API, Channel.EMAIL],
        "agreements": "Regulation (EC) No 515/97 on mutual assistance in customs matters",
        "personal_data_allowed": True,
        "designated_on": dt.date(2025, 3, 3),
    },
    {
        "country": "HU",
        "name": "Nemzeti Adó- és Vámhivatal (demo)",
        "kind": AuthorityKind.CUSTOMS,
        "email": "nemzetkozi@nav.example",
        "phone": "+36 1 428 5100",
        "address": "Széchenyi utca 2, 1054 Budapest",
        "channels": [Channel.SECURE, Channel.EMAIL],
        "agreements": "Regulation (EC) No 515/97 on mutual assistance in customs matters",
        "personal_data_allowed": True,
        "designated_on": dt.date(2025, 5, 12),
    },
    {
        "country": "PL",
        "name": "Krajowa Administracja Skarbowa (demo)",
        "kind": AuthorityKind.TAX,
        "email": "wspolpraca@kas.example",
        "channels": [Channel.EMAIL, Channel.POST],
        "agreements": "",
        "personal_data_allowed": False,
        "designated_on": dt.date(2025, 9, 1),
    },
]


def on_demo_loaded(sender: object, **kwargs: object) -> None:
    for values in AUTHORITIES:
        fields = dict(values)
        CompetentAuthority.objects.get_or_create(
            country=fields.pop("country"), name=fields.pop("name"), defaults=fields
        )
    demo_request()
    demo_free_zone()
    demo_transit(ensure_carrier_user(password=demo_password()))


def demo_request() -> AssistanceCase | None:
    """Recorded in the name of the demo licence officer, about the oldest active licence."""
    if AssistanceCase.objects.exists():
        return None
    officer = get_user_model().objects.filter(username="officer", is_active=True).first()
    licence = Licence.objects.filter(state=LicenceState.ACTIVE).order_by("issued_at").first()
    nav = CompetentAuthority.objects.filter(country="HU").order_by("pk").first()
    if officer is None or licence is None or nav is None:
        return None
    today = timezone.localdate()
    return record_case(
        case=AssistanceCase(
            direction=Direction.INBOUND,
            authority=nav,
            their_reference="NAV-BU-2026/0412",
            received_on=today - dt.timedelta(days=4),
            due_on=today + dt.timedelta(days=10),
            subject_kind=SubjectKind.LICENCE,
            licence=licence,
            question=(
                "Was the licence valid on the day of the seizure, and who were the holder's "
                "directors then?"
            ),
            justification=(
                "2.4 million cigarettes without tax stamps seized at Záhony on a lorry whose "
                "consignment note names the licence holder as consignor."
            ),
            as_of=today - dt.timedelta(days=20),
        ),
        by=officer,
    )


def demo_free_zone() -> FreeZone:
    zone, _ = FreeZone.objects.get_or_create(
        code="FZ-AGT",
        defaults={
            "name": "Ågotnes frihavn (demo)",
            "addresses": "Ågotnesvegen 2-40, 5363 Ågotnes",
            "coordinates": [[60.404, 5.005], [60.409, 5.016], [60.401, 5.021]],
            "designated_on": dt.date(2024, 1, 1),
        },
    )
    senior = get_user_model().objects.filter(username="senior", is_active=True).first()
    site = Site.objects.filter(name=FREE_ZONE_SITE).order_by("pk").first()
    if (
        senior is not None
        and site is not None
        and not FreeZoneSite.objects.filter(site=site).exists()
    ):
        mark_site(
            site_id=site.pk,
            zone=zone,
            by=senior,
            since=timezone.localdate() - dt.timedelta(days=30),
        )
    return zone


def ensure_carrier_user(*, password: str | None) -> Any:
    """Bałtyk's portal user, in English: it notifies transits (Art. 12.3)."""
    return ensure_portal_user(
        username=CARRIER_USERNAME,
        first_name="Agnieszka",
        last_name="Nowak",
        language="en",
        parties=Party.objects.filter(legal_name=CARRIER),
        password=password,
    )


def demo_transit(user: Any) -> TransitNotice | None:
    if TransitNotice.objects.exists():
        return None
    carrier = Licence.objects.filter(
        holder__legal_name=CARRIER, state=LicenceState.ACTIVE, activities__icontains="transport"
    ).first()
    if carrier is None:
        return None
    today = timezone.localdate()
    return notify_transit(
        notice=TransitNotice(
            party=carrier.holder,
            licence=carrier,
            kind="transit",
            goods="products",
            description="Cigarettes, 12 brands, for the Russian market",
            quantity=3_600_000,
            unit="sticks",
            consignment="Container MSKU 4471902, CMR 2026/88412",
            origin_country="PL",
            destination_country="FI",
            entry_point="Svinesund",
            exit_point="Storskog",
            route="E6 Svinesund - Oslo - Trondheim - Kirkenes",
            transport="road",
            vehicle="GD 7K412 / trailer GD 3P118",
            seals="PL-CUS 0048213, PL-CUS 0048214",
            enters_on=today - dt.timedelta(days=6),
            leaves_by=today - dt.timedelta(days=1),
        ),
        by=user,
        today=today - dt.timedelta(days=8),  # notified before the goods entered
    )
