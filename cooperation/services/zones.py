"""Sites in free zones (Art. 12.1): an officer marks a site of the register inside a zone, or
records the day it left; each marking is audited on the site, and the licences covering the
site get the free-zone controls from the next run of the returns and inspection jobs
(``cooperation.controls``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from cooperation.models import FreeZone, FreeZoneSite
from cooperation.services.errors import (
    AlreadyInZone,
    LeftBeforeMarked,
    MarkedBeforeDesignation,
    MarkedInFuture,
    SiteLeftInFuture,
    ZoneClosed,
)
from licensing.exceptions import PermissionDenied
from licensing.models.audit import Verb
from licensing.models.sites import Site
from licensing.services.audit import record_event
from licensing.services.common import locked

MARK = "cooperation.add_freezonesite"


@transaction.atomic
def mark_site(
    *, site_id: int, zone: FreeZone, by: Any, since: dt.date | None = None
) -> FreeZoneSite:
    if not by.has_perm(MARK):
        raise PermissionDenied()
    site = locked(Site, site_id)
    if not zone.open:
        raise ZoneClosed()
    since = since or timezone.localdate()
    if since > timezone.localdate():  # a marking records what is so: its controls apply at once
        raise MarkedInFuture()
    if zone.designated_on is not None and since < zone.designated_on:
        raise MarkedBeforeDesignation()
    if FreeZoneSite.objects.filter(site=site, until__isnull=True).exists():
        raise AlreadyInZone()
    try:
        with transaction.atomic():
            mark = FreeZoneSite.objects.create(site=site, zone=zone, since=since, marked_by=by)
    except IntegrityError as error:  # marked by another officer meanwhile
        raise AlreadyInZone() from error
    record_event(
        site,
        verb=Verb.EDITED,
        by=by,
        changes={"free_zone": {"zone": zone.code, "since": mark.since.isoformat()}},
    )
    return mark


@transaction.atomic
def unmark_site(*, mark_id: int, by: Any, until: dt.date | None = None) -> FreeZoneSite:
    if not by.has_perm("cooperation.change_freezonesite"):
        raise PermissionDenied()
    mark = locked(FreeZoneSite, mark_id)
    until = until or timezone.localdate()
    if mark.until is not None:
        return mark
    if until > timezone.localdate():
        raise SiteLeftInFuture()
    if until < mark.since:
        raise LeftBeforeMarked()
    mark.until = until
    mark.save(update_fields=["until", "updated_at"])
    record_event(
        mark.site,
        verb=Verb.EDITED,
        by=by,
        changes={"free_zone": {"zone": mark.zone.code, "until": until.isoformat()}},
    )
    return mark
