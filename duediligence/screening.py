"""Screening one party against every other through the key index: a fixed number of indexed
queries, however many parties there are (issue: scale; ``tests/duediligence/test_scale.py``)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Q

from duediligence.models import KeyKind, ScreeningKey
from duediligence.normalise import name_key, number_key, serial_key
from duediligence.services.indexing import index_party
from duediligence.sources import (
    LINKING_KINDS,
    Match,
    adverse_sources,
    keys_q,
    machine_sources,
)
from licensing.models import Application, Licence, LicenceState, Party

LINKED_PARTIES_SHOWN = 50


def keys_of(party: Party) -> dict[str, set[str]]:
    """The party's current keys, re-indexed first so that a change the applicant just made
    counts."""
    index_party(party)
    found: dict[str, set[str]] = defaultdict(set)
    for kind, value in ScreeningKey.objects.filter(party=party).values_list("kind", "value"):
        found[kind].add(value)
    return dict(found)


def related_parties(party: Party) -> tuple[list[Match], list[dict[str, Any]]]:
    """The adverse matches of every source (the party's own history included: a revoked
    licensee applying again is found through its own keys), and the other parties that share a
    linking key, adverse or not, for the officer's picture."""
    keys = {kind: values for kind, values in keys_of(party).items() if kind in LINKING_KINDS}
    matches: list[Match] = []
    for source in adverse_sources():
        matches.extend(source.adverse_matches(keys))
    query = keys_q(keys)
    linked: list[dict[str, Any]] = []
    if query is not None:
        rows = (
            ScreeningKey.objects.filter(query, party__isnull=False)
            .exclude(party=party)
            .order_by("party_id", "kind", "value")
            .values("party_id", "party__legal_name", "kind", "value")[: LINKED_PARTIES_SHOWN * 4]
        )
        by_party: dict[int, dict[str, Any]] = {}
        for row in rows:
            entry = by_party.setdefault(
                row["party_id"],
                {"party_id": row["party_id"], "party": row["party__legal_name"], "shared": []},
            )
            entry["shared"].append(f"{row['kind']}: {row['value']}")
        linked = list(by_party.values())[:LINKED_PARTIES_SHOWN]
    return matches, linked


def machine_matches(party: Party, serials: list[str]) -> list[Match]:
    """Serial numbers known to a machine source. The built-in source (declared by another
    party) does not count the applicant's own declarations."""
    keys = {KeyKind.SERIAL.value: {serial_key(s) for s in serials if serial_key(s)}}
    found: list[Match] = []
    for source in machine_sources():
        for match in source.adverse_matches(keys):
            if getattr(source, "excludes_applicant", False) and match.party_id == party.pk:
                continue
            found.append(match)
    return found


@dataclass(frozen=True)
class Counterparty:
    """A supplier or customer an application or a licensee declared (Art. 7.2(a))."""

    name: str
    country: str = ""
    registration_number: str = ""
    role: str = ""  # "supplier" or "customer"


CounterpartyProvider = Callable[[Application], list[Counterparty]]
_providers: list[CounterpartyProvider] = []


def register_counterparty_provider(provider: CounterpartyProvider) -> None:
    if provider not in _providers:
        _providers.append(provider)


def counterparty_licences(application: Application) -> list[dict[str, Any]] | None:
    """Each declared counterparty with the licence it holds ("" if none); None when no
    provider records counterparties. Found by registration number, else by name."""
    if not _providers:
        return None
    declared = [c for provider in _providers for c in provider(application)]
    registration = {
        c: number_key(c.country, c.registration_number) for c in declared if c.registration_number
    }
    names = {c: name_key(c.name) for c in declared}
    query = Q(kind=KeyKind.REGISTRATION, value__in=set(registration.values())) | Q(
        kind=KeyKind.NAME, value__in=set(names.values())
    )
    holders: dict[tuple[str, str], set[int]] = defaultdict(set)
    for kind, value, party_id in ScreeningKey.objects.filter(
        query, party__isnull=False
    ).values_list("kind", "value", "party_id"):
        holders[(kind, value)].add(party_id)
    all_ids = {pid for ids in holders.values() for pid in ids}
    licences = dict(
        Licence.objects.filter(holder_id__in=all_ids, state=LicenceState.ACTIVE).values_list(
            "holder_id", "number"
        )
    )
    rows = []
    for c in declared:
        if c in registration:
            ids = holders.get((KeyKind.REGISTRATION.value, registration[c]), set())
        else:
            ids = holders.get((KeyKind.NAME.value, names[c]), set())
        licence = next((licences[i] for i in sorted(ids) if i in licences), "")
        rows.append({"name": c.name, "role": c.role, "country": c.country, "licence": licence})
    return rows
