"""The identifier codes of a legacy register imported in bulk (``import_writing``): each chunk's
live licences give their holders an economic operator code and their sites a facility code
(Reg. (EU) 2018/574 Art. 15, 17), with their registry messages (1-1, 1-4), in a fixed number of
statements per chunk whatever its size, in the import's transaction. A holder already coded,
or a site already coded, is left as it is. docs/identifiers.md."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.db.models import Exists, OuterRef, Subquery

from licensing.exchange.copying import insert
from licensing.identifiers import codes_of_kinds
from licensing.models.identifiers import (
    CodeKind,
    FacilityCode,
    MessageType,
    OperatorCode,
    RegistryMessage,
)
from licensing.models.parties import Party, TaxRegistration
from licensing.models.sites import Site
from licensing.registry_fields import facility_fields, operator_fields


def issue_codes_in_bulk(live: Iterable[tuple[int, int | None]]) -> int:
    """``live``: (holder id, site id or None) of each live licence just written. Returns how
    many codes were issued. Three reads, the counter, and an insert per table."""
    pairs = list(live)
    holders = {holder for holder, _site in pairs}
    site_holder = {site: holder for holder, site in pairs if site is not None}
    if not holders:
        return 0
    # The holders with their active operator code, if any (one query), and the sites that
    # have no active facility code (one query).
    active = OperatorCode.objects.filter(party_id=OuterRef("pk"), active=True)
    holders_read = list(
        Party.objects.filter(pk__in=holders)
        .annotate(
            operator_pk=Subquery(active.values("pk")[:1]),
            operator_code=Subquery(active.values("code")[:1]),
        )
        .order_by("pk")
    )
    operators = {
        party.pk: (party.operator_pk, party.operator_code)
        for party in holders_read
        if party.operator_pk is not None
    }
    parties = [party for party in holders_read if party.operator_pk is None]
    taxes: dict[int, list[TaxRegistration]] = defaultdict(list)
    if parties:
        for tax in TaxRegistration.objects.filter(
            party_id__in=[party.pk for party in parties], ended_at__isnull=True
        ):
            taxes[tax.party_id].append(tax)
    sites = list(
        Site.objects.filter(pk__in=site_holder)
        .exclude(Exists(FacilityCode.objects.filter(site_id=OuterRef("pk"), active=True)))
        .order_by("pk")
    )
    kinds = [CodeKind.OPERATOR.value] * len(parties) + [CodeKind.FACILITY.value] * len(sites)
    codes = codes_of_kinds(kinds)
    if not codes:
        return 0
    new_operators = [
        OperatorCode(party=party, code=code)
        for party, code in zip(parties, codes[: len(parties)], strict=True)
    ]
    insert(new_operators)
    for operator in new_operators:
        operators[operator.party_id] = (operator.pk, operator.code)
    new_facilities = [
        FacilityCode(site=site, operator_id=operators[site_holder[site.pk]][0], code=code)
        for site, code in zip(sites, codes[len(parties) :], strict=True)
    ]
    insert(new_facilities)
    messages = [
        _message(
            operator_fields(
                MessageType.EO_REGISTRATION,
                code=operator.code,
                party=party,
                taxes=taxes[party.pk],
            )
        )
        for party, operator in zip(parties, new_operators, strict=True)
    ]
    messages += [
        _message(
            facility_fields(
                MessageType.F_REGISTRATION,
                code=facility.code,
                operator=operators[site_holder[site.pk]][1],
                site=site,
            )
        )
        for site, facility in zip(sites, new_facilities, strict=True)
    ]
    insert(messages, ids=False)
    return len(codes)


def _message(payload: dict[str, Any]) -> RegistryMessage:
    return RegistryMessage(
        message_type=str(payload["Message_Type"]),
        subject_code=str(payload.get("F_ID") or payload["EO_ID"]),
        operator_code=str(payload["EO_ID"]),
        payload=payload,
    )
