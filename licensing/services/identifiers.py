"""Issuing and deactivating the tracking-and-tracing identifier codes (Reg. (EU) 2018/574 Chapter
III; Protocol Art. 8), always inside the transaction of the licence decision that causes it:

- a party gets its economic operator code (Art. 15) with its first live licence, and each site
  on one of its live licences a facility code under it (Art. 17);
- when its last live licence is revoked, surrendered, expired or transferred, its operator code
  is deactivated, and with it its facility codes (Art. 15(4)) and, through the
  ``codes_deactivated`` signal, the machine codes in ``equipment`` (Art. 15(4), 17(4));
- a site leaving the party's licences loses its facility code; a site that passes to another
  operator (a transfer, Art. 6.4 of the Protocol) gets a new code under that operator's, the
  old one deactivated: a facility code belongs to the operator that requested it (Art. 16, 17);
- an approved change of the operator's or a facility's particulars writes a correction (1-2,
  1-5; Art. 14(5), 16(4)).

Each step writes the registry's message (``RegistryMessage``). Called by the licence services,
the approval of proposals and the legacy import; never by views. docs/identifiers.md."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from licensing.identifiers import new_codes
from licensing.models.identifiers import (
    CodeKind,
    FacilityCode,
    MessageType,
    OperatorCode,
    RegistryMessage,
)
from licensing.models.licences import Licence, LicenceState
from licensing.models.parties import Party, TaxRegistration
from licensing.models.sites import Site
from licensing.registry_fields import facility_fields, operator_fields
from licensing.signals import codes_deactivated

# A licence under which the holder may still trade: its codes stay active. A suspended
# licence is still the holder's (Art. 6.3(a)); an expired one is not, even in its grace period.
LIVE_STATES = (LicenceState.ACTIVE, LicenceState.SUSPENDED)


def write_message(message_type: str, *, subject: str, payload: dict[str, Any]) -> RegistryMessage:
    return RegistryMessage.objects.create(
        message_type=message_type,
        subject_code=subject,
        operator_code=payload.get("EO_ID", ""),
        payload=payload,
    )


def _taxes(party: Party) -> list[TaxRegistration]:
    return list(TaxRegistration.objects.filter(party=party, ended_at__isnull=True))


def issue_operator_code(party: Party) -> OperatorCode:
    """Art. 15(1)-(3): a new EO_ID for ``party`` and its message 1-1."""
    (code,) = new_codes(CodeKind.OPERATOR)
    operator = OperatorCode.objects.create(party=party, code=code)
    payload = operator_fields(
        MessageType.EO_REGISTRATION, code=code, party=party, taxes=_taxes(party)
    )
    write_message(MessageType.EO_REGISTRATION, subject=code, payload=payload)
    return operator


def issue_facility_code(site: Site, operator: OperatorCode) -> FacilityCode:
    """Art. 17(1)-(3): a new F_ID for ``site`` under ``operator`` and its message 1-4."""
    (code,) = new_codes(CodeKind.FACILITY)
    facility = FacilityCode.objects.create(site=site, operator=operator, code=code)
    payload = facility_fields(
        MessageType.F_REGISTRATION, code=code, operator=operator.code, site=site
    )
    write_message(MessageType.F_REGISTRATION, subject=code, payload=payload)
    return facility


def deactivate_codes(
    *,
    operators: Iterable[OperatorCode] = (),
    facilities: Iterable[FacilityCode] = (),
    reason: str,
) -> None:
    """Art. 15(4), 17(4): deactivate the codes given, the facility codes of each operator code
    with it, write 1-6 and 1-3 messages, and tell ``equipment`` (in this transaction) so that
    the related machine codes fall too (1-9)."""
    operators = [code for code in operators if code.active]
    falling = {code.pk: code for code in facilities if code.active}
    if operators:
        for code in FacilityCode.objects.select_for_update().filter(
            operator__in=operators, active=True
        ):
            falling.setdefault(code.pk, code)
    if not operators and not falling:
        return
    now = timezone.now()
    reason = reason[:300]
    operator_by_pk = {
        code.pk: code.code
        for code in OperatorCode.objects.filter(
            pk__in={facility.operator_id for facility in falling.values()}
        )
    }
    for facility in falling.values():
        _deactivate(facility, now, reason)
        payload = facility_fields(
            MessageType.F_DEREGISTRATION,
            code=facility.code,
            operator=operator_by_pk.get(facility.operator_id, ""),
            site=None,
        )
        write_message(MessageType.F_DEREGISTRATION, subject=facility.code, payload=payload)
    for operator in operators:
        _deactivate(operator, now, reason)
        payload = operator_fields(
            MessageType.EO_DEREGISTRATION, code=operator.code, party=None, taxes=()
        )
        write_message(MessageType.EO_DEREGISTRATION, subject=operator.code, payload=payload)
    codes_deactivated.send(
        sender=OperatorCode,
        operator_ids=[code.pk for code in operators],
        facility_ids=list(falling),
        reason=reason,
    )


def _deactivate(code: OperatorCode | FacilityCode, when: Any, reason: str) -> None:
    code.active = False
    code.deactivated_at = when
    code.deactivation_reason = reason
    code.save(update_fields=["active", "deactivated_at", "deactivation_reason", "updated_at"])


def licence_reason(licence: Licence) -> str:
    """Why a code changed: the licence and its state, e.g. ``TL-2026-000123-K: revoked``."""
    return f"{licence.number}: {licence.state}"


def sync_party_codes(*, party_id: int, reason: str) -> None:
    """Bring ``party``'s codes in line with its live licences, inside the caller's transaction
    (which holds the licence's row lock). Idempotent: a second call changes nothing."""
    live = Licence.objects.filter(holder_id=party_id, state__in=LIVE_STATES)
    site_ids = set(
        Licence.sites.through.objects.filter(
            licence__holder_id=party_id, licence__state__in=LIVE_STATES
        ).values_list("site_id", flat=True)
    )
    operator = (
        OperatorCode.objects.select_for_update().filter(party_id=party_id, active=True).first()
    )
    if not live.exists():
        if operator is not None:
            deactivate_codes(operators=[operator], reason=reason)
        return
    if operator is None:
        operator = issue_operator_code(Party.objects.get(pk=party_id))
    held = list(
        FacilityCode.objects.select_for_update()
        .filter(Q(operator=operator) | Q(site_id__in=site_ids), active=True)
        .select_related("site")
    )
    # A site no longer licensed to the party, or licensed to it but coded under another
    # operator (it passed to this one): its code goes; the latter gets a new one below.
    gone = [
        code for code in held if code.site_id not in site_ids or code.operator_id != operator.pk
    ]
    deactivate_codes(facilities=gone, reason=reason)
    kept = {code.site_id for code in held if code not in gone}
    for site in Site.objects.filter(pk__in=site_ids - kept).order_by("pk"):
        issue_facility_code(site, operator)


def write_corrections(*, party: Party) -> int:
    """Art. 14(5), 16(4): after an approved change of ``party``'s records, a correction (1-2,
    1-5) for each of its active codes whose registry fields now differ from the last message
    sent about it. Returns how many were written."""
    operator = OperatorCode.objects.filter(party=party, active=True).first()
    if operator is None:
        return 0
    facilities = list(
        FacilityCode.objects.filter(operator=operator, active=True).select_related("site")
    )
    subjects = [operator.code, *(code.code for code in facilities)]
    last: dict[str, dict[str, Any]] = {}
    for message in RegistryMessage.objects.filter(subject_code__in=subjects).order_by("pk"):
        last[message.subject_code] = message.payload
    written = 0
    current = [
        (
            MessageType.EO_CORRECTION,
            operator.code,
            operator_fields(
                MessageType.EO_CORRECTION, code=operator.code, party=party, taxes=_taxes(party)
            ),
        )
    ]
    for code in facilities:
        fields = facility_fields(
            MessageType.F_CORRECTION, code=code.code, operator=operator.code, site=code.site
        )
        current.append((MessageType.F_CORRECTION, code.code, fields))
    for message_type, subject, payload in current:
        if _particulars(payload) != _particulars(last.get(subject, {})):
            write_message(message_type, subject=subject, payload=payload)
            written += 1
    return written


def _particulars(payload: dict[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in payload.items() if name != "Message_Type"}


def parties_missing_codes() -> list[int]:
    """The holders of a live licence without an active operator code, or with a site on a
    live licence without an active facility code: what ``backfill_codes`` fixes."""
    live = Licence.objects.filter(state__in=LIVE_STATES)
    uncoded = live.exclude(holder__operator_codes__active=True).values_list("holder_id", flat=True)
    sites = Licence.sites.through.objects.filter(licence__state__in=LIVE_STATES).exclude(
        site__facility_codes__active=True
    )
    return sorted(set(uncoded) | set(sites.values_list("licence__holder_id", flat=True)))


def backfill_codes(*, reason: str = "backfill") -> int:
    """Codes for licences issued before the codes existed (``manage.py issue_identifier_codes``):
    one short transaction per party, so it may run beside the officers and be run again.
    Returns the parties brought in line."""
    done = 0
    for party_id in parties_missing_codes():
        with transaction.atomic():
            Party.objects.select_for_update().get(pk=party_id)
            sync_party_codes(party_id=party_id, reason=reason)
        done += 1
    return done
