"""The demo's directory of competent authorities (Art. 22.1), made by ``load_demo`` through
``demo_loaded``: Sweden's customs (the demo API partner's authority), Hungary's tax and customs
administration, and Poland's, which may not receive personal data (no agreement recorded).
And one request received from Hungary's authority about an active licence of the register, due
in ten days, for the licence officer to take up (Art. 28). A second load changes nothing."""

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
    SubjectKind,
)
from cooperation.services.cases import record_case
from licensing.models import Licence, LicenceState

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
