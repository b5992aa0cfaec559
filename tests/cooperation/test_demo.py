"""The demo's directory (issue 23, Art. 22.1): ``load_demo``'s signal makes three authorities
once, and the demo API partner belongs to Sweden's customs among them."""

from __future__ import annotations

from typing import Any

import pytest

from api.models import PartnerClient
from cooperation.models import CompetentAuthority
from licensing.signals import demo_loaded

pytestmark = pytest.mark.django_db


def test_the_demo_directory_is_made_once_and_holds_the_demo_partners_authority(
    senior: Any,
) -> None:
    demo_loaded.send(sender=None)
    demo_loaded.send(sender=None)
    assert sorted(CompetentAuthority.objects.values_list("country", "personal_data_allowed")) == [
        ("HU", True),
        ("PL", False),  # no agreement recorded: Art. 5, 22.2
        ("SE", True),
    ]
    partner = PartnerClient.objects.select_related("authority").get()
    assert (partner.authority.country.code, partner.authority.channels) == ("SE", ["api", "email"])


def test_the_demo_holds_one_request_to_take_up(officer: Any) -> None:
    from cooperation.models import AssistanceCase, CaseState
    from tests.factories import LicenceFactory

    licence = LicenceFactory()
    demo_loaded.send(sender=None)
    demo_loaded.send(sender=None)
    case = AssistanceCase.objects.get()
    assert (case.licence, case.state, case.authority.country.code) == (
        licence,
        CaseState.RECEIVED,
        "HU",
    )
    assert case.recorded_by == officer
