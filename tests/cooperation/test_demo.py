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


def test_the_demo_free_port_and_its_overdue_transit(officer: Any, senior: Any) -> None:
    from cooperation.demo import CARRIER, CARRIER_USERNAME, FREE_ZONE_SITE
    from cooperation.models import FreeZoneSite, TransitNotice
    from cooperation.tasks import chase_overdue_transits
    from tests.factories import LicenceFactory
    from tests.factories.licensing import SiteFactory

    transport = LicenceFactory(holder__legal_name=CARRIER, activities=["distribution", "transport"])
    maker = LicenceFactory(activities=["manufacture_products", "export"])
    maker.sites.add(SiteFactory(party=maker.holder, kind="warehouse", name=FREE_ZONE_SITE))
    demo_loaded.send(sender=None)
    demo_loaded.send(sender=None)
    mark = FreeZoneSite.objects.get()
    assert (mark.zone.code, mark.site.party) == ("FZ-AGT", maker.holder)
    notice = TransitNotice.objects.get()
    assert notice.notified_by.username == CARRIER_USERNAME
    assert notice.notified_by.has_perm("licensing.act_for_party", transport.holder)
    assert chase_overdue_transits.delay().get() == 1
