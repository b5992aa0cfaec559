"""The inspections' part of the demo world (``manage.py build_demo_fixture``), run by the core's
story runner through ``InspectionsConfig.demo_stories``. Days are counted back from the build
date.

On the build date the demo inspector has an ad hoc inspection of Fjordtobakk AS's manufacturing
site, where the register holds its machines: the issue's "done when" is walked on it (an
unregistered serial, a photo, submit; the officer confirms or sends back the suspension)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from django.utils import timezone

from inspections.models import InspectionKind
from inspections.services import inspections


def stories(w: Any) -> list[Iterator[int]]:
    return [fjord_inspection(w)]


def fjord_inspection(w: Any) -> Iterator[int]:
    yield 1  # after the equipment's story registered Fjordtobakk's machines
    licence = w.licences["fjord"]
    site = licence.sites.order_by("pk").first()
    inspections.plan_inspection(
        licence_id=licence.pk,
        site_id=site.pk,
        by=w.officer,
        kind=InspectionKind.AD_HOC,
        planned_on=timezone.localdate() + dt.timedelta(days=1),
        inspector=w.users["inspector"],
    )
