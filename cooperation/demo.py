"""The demo's directory of competent authorities (Art. 22.1), made by ``load_demo`` through
``demo_loaded``: Sweden's customs (the demo API partner's authority), Hungary's tax and customs
administration, and Poland's, which may not receive personal data (no agreement recorded).
A second load changes nothing."""

from __future__ import annotations

import datetime as dt
from typing import Any

from cooperation.models import AuthorityKind, Channel, CompetentAuthority

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
