"""Changes of custody (Art. 6.3(h), 14.1(g)) and moves to another site (Art. 6.3(g)).

The holder notifies through the portal; a licence officer confirms or rejects. A sale between
two licensees is two notices, the seller's disposal and the buyer's acquisition: the machine
changes hands only when an officer has confirmed both."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from equipment.models import (
    CustodyNotice,
    Machine,
    MachineState,
    NoticeKind,
    NoticeStatus,
    normalised_serial,
)
from equipment.services.codes import issue_machine_code, relink_machine_code
from equipment.services.errors import (
    BuyerNotLicensed,
    MachineNotWithSeller,
    NotInAdvance,
    NotOwnSite,
    SellerNotLicensed,
    SellerRequired,
)
from equipment.services.machines import declare_machine
from licensing.exceptions import PermissionDenied
from licensing.models.audit import Verb
from licensing.models.licences import Licence, LicenceState
from licensing.models.sites import Site
from licensing.services.audit import record_event
from licensing.services.common import locked, require_reason, run_transition


def _acts_for(user: Any, licence: Licence) -> None:
    if not user.has_perm("licensing.act_for_party", licence.holder):
        raise PermissionDenied()


def _active_licence(number: str) -> Licence | None:
    return Licence.objects.filter(number=number.strip().upper(), state=LicenceState.ACTIVE).first()


def _own_site(licence: Licence, site: Site | None) -> Site | None:
    if site is not None and site.party_id != licence.holder_id:
        raise NotOwnSite()
    return site


def _pair(notice: CustodyNotice) -> None:
    """Link the two sides of one sale, when the other side has notified too."""
    other_kind = (
        NoticeKind.DISPOSAL if notice.kind == NoticeKind.ACQUISITION else NoticeKind.ACQUISITION
    )
    other = (
        CustodyNotice.objects.select_for_update()
        .filter(
            machine=notice.machine,
            kind=other_kind,
            licence=notice.counterparty_licence,
            counterparty_licence=notice.licence,
            counterpart__isnull=True,
            state__in=[NoticeStatus.NOTIFIED, NoticeStatus.CONFIRMED],
        )
        .exclude(pk=notice.pk)
        .first()
    )
    if other is not None and not CustodyNotice.objects.filter(counterpart=other).exists():
        notice.counterpart = other
        notice.save(update_fields=["counterpart", "updated_at"])
        other.counterpart = notice
        other.save(update_fields=["counterpart", "updated_at"])


def _audit_notice(notice: CustodyNotice, by: Any) -> None:
    record_event(
        notice.machine,
        verb=Verb.CUSTODY_NOTIFIED,
        by=by,
        changes={
            "notice": str(notice.public_id),
            "kind": notice.kind,
            "planned_on": notice.planned_on.isoformat(),
            "counterparty": notice.counterparty_licence.number
            if notice.counterparty_licence
            else notice.foreign_supplier,
        },
    )


@transaction.atomic
def notify_acquisition(
    *,
    licence_id: int,
    by: Any,
    make: str,
    model: str,
    serial_number: str,
    planned_on: dt.date,
    site: Site | None = None,
    seller_licence_number: str = "",
    foreign_supplier: str = "",
    foreign_country: str = "",
    kind: str = "",
    hs_code: str = "",
    year: int | None = None,
    rated_capacity: int | None = None,
) -> CustodyNotice:
    """The holder's portal users. From a licensee (its licence number; the machine must be in
    the register with that seller), or from a declared foreign manufacturer or exporter (the
    machine is declared here and registered when an officer confirms)."""
    licence = locked(Licence, licence_id)
    _acts_for(by, licence)
    _own_site(licence, site)
    if seller_licence_number.strip():
        seller = _active_licence(seller_licence_number)
        if seller is None or seller.holder_id == licence.holder_id:
            raise SellerNotLicensed()
        machine = (
            Machine.objects.select_for_update()
            .filter(
                make_key=normalised_serial(make),
                serial_key=normalised_serial(serial_number),
                licence=seller,
            )
            .first()
        )
        if machine is None:
            raise MachineNotWithSeller()
        notice = CustodyNotice.objects.create(
            kind=NoticeKind.ACQUISITION,
            machine=machine,
            party=licence.holder,
            licence=licence,
            counterparty_licence=seller,
            to_site=site,
            planned_on=planned_on,
        )
        _pair(notice)
    elif foreign_supplier.strip() and foreign_country:
        machine = declare_machine(
            licence=licence,
            site=site,
            make=make,
            model=model,
            serial_number=serial_number,
            kind=kind,
            hs_code=hs_code,
            year=year,
            rated_capacity=rated_capacity,
            by=by,
        )
        notice = CustodyNotice.objects.create(
            kind=NoticeKind.ACQUISITION,
            machine=machine,
            party=licence.holder,
            licence=licence,
            foreign_supplier=foreign_supplier.strip(),
            foreign_country=foreign_country,
            to_site=site,
            planned_on=planned_on,
        )
    else:
        raise SellerRequired()
    _audit_notice(notice, by)
    return notice


@transaction.atomic
def notify_disposal(
    *, machine_id: int, by: Any, buyer_licence_number: str, planned_on: dt.date
) -> CustodyNotice:
    """Art. 6.3(h): the holder's portal users notify a disposal to a licensee whose licence
    covers manufacturing (of products or of equipment)."""
    machine = locked(Machine, machine_id)
    if machine.licence is None:
        raise PermissionDenied()
    _acts_for(by, machine.licence)
    buyer = _active_licence(buyer_licence_number)
    if buyer is None or not buyer.is_manufacturing or buyer.holder_id == machine.holder_id:
        raise BuyerNotLicensed()
    notice = CustodyNotice(
        kind=NoticeKind.DISPOSAL,
        machine=machine,
        party=machine.holder,
        licence=machine.licence,
        counterparty_licence=buyer,
        planned_on=planned_on,
    )
    run_transition(
        machine,
        "notify_disposal",
        by=by,
        verb=Verb.CUSTODY_NOTIFIED,
        changes={"buyer": buyer.number, "planned_on": planned_on.isoformat()},
    )
    notice.save()
    _pair(notice)
    return notice


@transaction.atomic
def notify_move(
    *, machine_id: int, by: Any, to_site: Site, planned_on: dt.date, today: dt.date | None = None
) -> CustodyNotice:
    """Art. 6.3(g): a move to another of the holder's sites, notified before it happens."""
    today = today or timezone.localdate()
    machine = locked(Machine, machine_id)
    if machine.licence is None or machine.state not in (
        MachineState.REGISTERED,
        MachineState.TRANSFERRED,
    ):
        raise PermissionDenied()
    _acts_for(by, machine.licence)
    if to_site.party_id != machine.holder_id or to_site.pk == machine.site_id:
        raise NotOwnSite()
    if planned_on <= today:
        raise NotInAdvance()
    notice = CustodyNotice.objects.create(
        kind=NoticeKind.MOVE,
        machine=machine,
        party=machine.holder,
        licence=machine.licence,
        to_site=to_site,
        planned_on=planned_on,
    )
    _audit_notice(notice, by)
    return notice


def _complete_sale(machine: Machine, acquisition: CustodyNotice, by: Any) -> None:
    seller = machine.licence
    machine.holder = acquisition.party
    machine.licence = acquisition.licence
    machine.site = acquisition.to_site
    run_transition(
        machine,
        "transfer",
        by=None,  # the officer's permission was checked on the notice
        actor=by,
        verb=Verb.TRANSFERRED,
        extra_fields=("holder", "licence", "site"),
        changes={
            "from": seller.number if seller else "",
            "to": acquisition.licence.number,
        },
    )


@transaction.atomic
def confirm_notice(*, notice_id: int, by: Any) -> CustodyNotice:
    """Licence officers (``decide_custody``). A move takes effect; an acquisition from abroad
    registers the machine; one side of a sale waits for the other's confirmation, and the
    second confirmation moves the machine."""
    notice = locked(CustodyNotice, notice_id)
    machine = locked(Machine, notice.machine_id)
    notice.decided_by = by
    notice.decided_at = timezone.now()
    run_transition(
        notice,
        "confirm",
        by=by,
        verb=Verb.CUSTODY_CONFIRMED,
        extra_fields=("decided_by", "decided_at"),
        changes={"machine": machine.identifier, "kind": notice.kind},
    )
    if notice.kind == NoticeKind.MOVE:
        before = machine.site
        machine.site = notice.to_site
        machine.save(update_fields=["site", "updated_at"])
        relink_machine_code(machine)  # Reg. 2018/574 Art. 18(4): a correction (1-8)
        record_event(
            machine,
            verb=Verb.EDITED,
            by=by,
            changes={"site": {"from": str(before or ""), "to": str(notice.to_site)}},
        )
    elif notice.counterparty_licence_id is None:
        run_transition(machine, "register", by=by, verb=Verb.REGISTERED)
        issue_machine_code(machine)  # Reg. 2018/574 Art. 19
    else:
        other = notice.counterpart
        if other is not None and other.state == NoticeStatus.CONFIRMED:
            acquisition = notice if notice.kind == NoticeKind.ACQUISITION else other
            _complete_sale(machine, acquisition, by)
            relink_machine_code(machine)  # Reg. 2018/574 Art. 18(4): a correction (1-8)
    return notice


@transaction.atomic
def reject_notice(*, notice_id: int, by: Any, reason: str) -> CustodyNotice:
    """Licence officers, with a reason. A rejected disposal leaves the machine with its
    holder; a rejected side of a sale stops the sale."""
    notice = locked(CustodyNotice, notice_id)
    reason = require_reason(reason)
    machine = locked(Machine, notice.machine_id)
    notice.reason = reason
    notice.decided_by = by
    notice.decided_at = timezone.now()
    run_transition(
        notice,
        "reject",
        by=by,
        verb=Verb.CUSTODY_REJECTED,
        reason=reason,
        extra_fields=("reason", "decided_by", "decided_at"),
        changes={"machine": machine.identifier, "kind": notice.kind},
    )
    disposal = notice if notice.kind == NoticeKind.DISPOSAL else notice.counterpart
    if disposal is not None and machine.state == MachineState.DISPOSAL_NOTIFIED:
        run_transition(machine, "keep", by=by, verb=Verb.CUSTODY_REJECTED, reason=reason)

    return notice


def open_notices(machine: Machine) -> Any:
    return machine.custody_notices.filter(state=NoticeStatus.NOTIFIED)


def pending_for(licence: Licence) -> Any:
    return CustodyNotice.objects.filter(
        Q(licence=licence) | Q(counterparty_licence=licence), state=NoticeStatus.NOTIFIED
    )
