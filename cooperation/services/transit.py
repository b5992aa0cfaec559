"""Transit and transhipment notices (Art. 12.3): filed by a licensed transporter or broker for
the party it acts for, acknowledged or flagged by an officer, the exit confirmed by the holder
or an officer, and chased once when the goods have not left by their last day. Each step
checks, writes and audits in one transaction."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from cooperation.models import OPEN_TRANSIT, TransitNotice
from cooperation.models.transit import TransitUnit
from cooperation.services.errors import (
    AlreadyNotified,
    DeclarationRequired,
    EntersInPast,
    EntersTooLate,
    LeavesBeforeEntering,
    LeftBeforeEntering,
    LeftInFuture,
    NoTransitLicence,
    WholeUnitsOnly,
    WindowTooLong,
    ZoneClosed,
)
from licensing.exceptions import PermissionDenied
from licensing.models.activities import TRANSIT_ACTIVITIES
from licensing.models.audit import Verb
from licensing.models.licences import Licence, LicenceState
from licensing.services.audit import record_event
from licensing.services.common import locked, require_reason, run_transition
from licensing.services.notifications import queue_notification, queue_staff_alert
from licensing.services.numbers import save_with_reference

CHASE_GROUPS = ("licence officer",)
COUNTED = frozenset({TransitUnit.STICKS, TransitUnit.CARTONS, TransitUnit.PIECES})


def may_notify(user: Any, party: Any) -> bool:
    return bool(user.has_perm("licensing.act_for_party", party))


def check_notice(notice: TransitNotice, today: dt.date | None = None) -> None:
    """What a notice filed on ``today`` must hold (the portal's form checks the same)."""
    today = today or timezone.localdate()
    licence = notice.licence
    if (
        licence.holder_id != notice.party_id
        or licence.state != LicenceState.ACTIVE
        or not TRANSIT_ACTIVITIES.intersection(licence.activities or [])
    ):
        raise NoTransitLicence()
    # Art. 12.3: notified before the goods enter the territory, within a bounded window.
    if notice.enters_on < today:
        raise EntersInPast()
    ahead = settings.TRANSIT_NOTICE_DAYS_AHEAD
    if notice.enters_on > today + dt.timedelta(days=ahead):
        raise EntersTooLate(EntersTooLate.default_message % {"days": ahead})
    if (
        notice.unit in COUNTED
        and Decimal(notice.quantity) != Decimal(notice.quantity).to_integral()
    ):
        raise WholeUnitsOnly()
    if notice.leaves_by < notice.enters_on:
        raise LeavesBeforeEntering()
    window = settings.TRANSIT_WINDOW_DAYS
    if notice.leaves_by > notice.enters_on + dt.timedelta(days=window):
        raise WindowTooLong(WindowTooLong.default_message % {"days": window})
    if notice.from_free_zone_id is not None:
        if not notice.from_free_zone.open:  # type: ignore[union-attr]
            raise ZoneClosed()
        if not notice.no_intermingling_declared:
            raise DeclarationRequired()
    twin = same_consignment(notice)
    if twin is not None:
        raise AlreadyNotified(AlreadyNotified.default_message % {"reference": twin.reference})


def same_consignment(notice: TransitNotice) -> TransitNotice | None:
    """An open notice of the same licence, consignment and days: the form sent twice (the
    browser's back button), which files nothing new."""
    return (
        TransitNotice.objects.filter(
            licence_id=notice.licence_id,
            consignment__iexact=notice.consignment.strip(),
            enters_on=notice.enters_on,
            leaves_by=notice.leaves_by,
            state__in=OPEN_TRANSIT,
        )
        .exclude(pk=notice.pk)
        .first()
    )


@transaction.atomic
def notify_transit(
    *, notice: TransitNotice, by: Any, today: dt.date | None = None
) -> TransitNotice:
    """The holder's users (``act_for_party``), through the portal; the notice is the licence
    holder's. ``today``: the day it is notified (the demo's notice was filed days ago)."""
    notice.party_id = notice.licence.holder_id
    if not may_notify(by, notice.licence.holder):
        raise PermissionDenied()
    # One notice at a time per licence, so that two sends of one form cannot both pass.
    locked(Licence, notice.licence_id)
    check_notice(notice, today)
    notice.notified_by = by
    save_with_reference(notice, prefix="TN", year=notice.enters_on.year)
    record_event(
        notice,
        verb=Verb.SUBMITTED,
        by=by,
        to_state=notice.state,
        changes={
            "kind": notice.kind,
            "goods": notice.goods,
            "quantity": f"{Decimal(notice.quantity).normalize():f} {notice.unit}",
            "consignment": notice.consignment,
            "enters_on": notice.enters_on.isoformat(),
            "leaves_by": notice.leaves_by.isoformat(),
            "free_zone": notice.from_free_zone.code if notice.from_free_zone else "",
        },
    )
    return notice


@transaction.atomic
def acknowledge(*, notice_id: int, by: Any) -> TransitNotice:
    notice = locked(TransitNotice, notice_id)
    notice.handled_by = by
    run_transition(
        notice, "acknowledge", by=by, verb=Verb.ACKNOWLEDGED, extra_fields=("handled_by",)
    )
    return notice


@transaction.atomic
def flag(*, notice_id: int, by: Any, reason: str) -> TransitNotice:
    """A suspicion to follow up (a seal, a route, a quantity): kept with the reason."""
    notice = locked(TransitNotice, notice_id)
    reason = require_reason(reason)
    notice.handled_by = by
    run_transition(
        notice, "flag", by=by, verb=Verb.FLAGGED, reason=reason, extra_fields=("handled_by",)
    )
    return notice


@transaction.atomic
def confirm_exit(*, notice_id: int, by: Any, left_on: dt.date, at_point: str = "") -> TransitNotice:
    """The holder's users or an officer who handles transit notices."""
    notice = locked(TransitNotice, notice_id)
    if left_on > timezone.localdate():
        raise LeftInFuture()
    if left_on < notice.enters_on:
        raise LeftBeforeEntering()
    notice.left_on = left_on
    notice.left_at_point = (at_point or notice.exit_point).strip()[:200]
    run_transition(
        notice,
        "leave",
        by=by,
        verb=Verb.GOODS_LEFT,
        extra_fields=("left_on", "left_at_point"),
        changes={"left_on": left_on.isoformat(), "at": notice.left_at_point},
    )
    return notice


def chase_overdue(today: dt.date | None = None) -> int:
    """The notices whose goods have not left by their last day, each chased once: the holder
    is asked, the licence officers told."""
    today = today or timezone.localdate()
    late = TransitNotice.objects.filter(
        state__in=OPEN_TRANSIT, leaves_by__lt=today, chased_on__isnull=True
    )
    return sum(_chase(pk, today) for pk in late.values_list("pk", flat=True).order_by("pk"))


@transaction.atomic
def _chase(pk: int, today: dt.date) -> int:
    notice = TransitNotice.objects.select_for_update().select_related("party").get(pk=pk)
    if notice.chased_on is not None or notice.state not in OPEN_TRANSIT:
        return 0
    notice.chased_on = today
    notice.save(update_fields=["chased_on", "updated_at"])
    context = {
        "notice": notice.reference,
        "consignment": notice.consignment,
        "leaves_by": notice.leaves_by.isoformat(),
        "exit_point": notice.exit_point,
    }
    base = settings.PORTAL_BASE_URL.rstrip("/")
    queue_notification(
        key=f"transit_overdue:{notice.pk}",
        template="transit_overdue",
        party=notice.party,
        context={
            **context,
            "portal_url": base + reverse("cooperation:transit", args=[notice.public_id]),
        },
    )
    queue_staff_alert(
        groups=CHASE_GROUPS,
        key=f"transit_overdue_staff:{notice.pk}",
        template="transit_overdue_officer",
        context={
            **context,
            "party": str(notice.party),
            "admin_url": base + reverse("admin:cooperation_transitnotice_change", args=[notice.pk]),
        },
    )
    record_event(notice, verb=Verb.ESCALATED, by=None, changes={"leaves_by": str(notice.leaves_by)})
    return 1
