"""The free-zone controls (Art. 12.1, 12.2) of the licences with a site inside an open free
zone, registered with the core's registry (``licensing.controls``) for the returns and the
inspection planning to read: returns monthly (``FREE_ZONE_MONTHLY_RETURNS``), inspections at
most ``FREE_ZONE_INSPECTION_DAYS`` apart, and the declaration against intermingling at removal
(Art. 12.2), which a transit notice from the zone must carry. One query for any number of
licences."""

from __future__ import annotations

from collections import defaultdict

from django.conf import settings
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from cooperation.models.zones import open_zone_q
from licensing.controls import Controls, register_controls
from licensing.models.licences import Licence


def free_zone_controls(licence_ids: list[int]) -> dict[int, Controls]:
    rows = Licence.sites.through.objects.filter(
        # In one filter(): the same marking row, which must exist (not the LEFT JOIN's NULLs),
        # marked by today, not ended, in a zone open today.
        open_zone_q("site__free_zone_marks__zone__"),
        licence_id__in=licence_ids,
        site__free_zone_marks__zone__isnull=False,
        site__free_zone_marks__since__lte=timezone.localdate(),
        site__free_zone_marks__until__isnull=True,
    ).values_list("licence_id", "site__name", "site__free_zone_marks__zone__name")
    zones: dict[int, list[str]] = defaultdict(list)
    for licence_id, site, zone in rows:
        zones[licence_id].append(f"{site} ({zone})")
    days = settings.FREE_ZONE_INSPECTION_DAYS
    found = {}
    for licence_id, sites in zones.items():
        conditions: list[str | Promise] = [
            _("Art. 12.1: a site of this licence is in a free zone: %(sites)s.")
            % {"sites": ", ".join(sorted(sites))},
            _("Inspections at most %(days)d days apart.") % {"days": days},
            _(
                "Art. 12.2: at removal from the free zone, the holder declares that no tobacco "
                "product travels with other goods in the same container."
            ),
        ]
        if settings.FREE_ZONE_MONTHLY_RETURNS:
            conditions.insert(1, _("Returns are filed monthly."))
        found[licence_id] = Controls(
            monthly_returns=settings.FREE_ZONE_MONTHLY_RETURNS,
            inspection_interval_days=days,
            conditions=tuple(conditions),
        )
    return found


def register() -> None:
    register_controls(free_zone_controls)
