"""What the checks on returns read (``duediligence.return_checks``), loaded for a whole batch
of returns at once: a fixed number of queries however many returns, lines and counterparts
(issue: returns, part 3). Pure reads."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.utils import timezone

from duediligence.models import BlockedCustomer, KeyKind, ScreeningKey
from duediligence.normalise import number_key
from licensing.models import AuditEvent, Licence, LicenceState, LicenceTerm, MarketDeclaration
from licensing.models.sites import ProductionCapacity, SiteKind
from returns.models import Return, ReturnCounterpart, ReturnPeriod


@dataclass
class LicenceFacts:
    """A licence as the counterpart check needs it: its terms and its state over time (the
    state changes of its audit trail, oldest first)."""

    pk: int
    number: str
    holder_id: int
    holder_name: str
    state: str
    terms: list[tuple[dt.date, dt.date]] = field(default_factory=list)
    changes: list[tuple[dt.date, str, str]] = field(default_factory=list)

    def state_on(self, day: dt.date) -> str:
        past = [to_state for on, _from, to_state in self.changes if on <= day]
        if past:
            return past[-1]
        if self.changes:
            return self.changes[0][1] or LicenceState.ACTIVE
        # No recorded change: the state it is in, unless that is the end of a term, which the
        # terms themselves tell.
        return LicenceState.ACTIVE if self.state == LicenceState.EXPIRED else self.state

    def active_on(self, day: dt.date) -> bool:
        covered = any(start <= day <= end for start, end in self.terms)
        return covered and self.state_on(day) == LicenceState.ACTIVE


@dataclass
class CounterpartFacts:
    """One supplier or customer of the return, and who it turned out to be."""

    counterpart: Any  # returns.ReturnCounterpart
    on: dt.date
    party_id: int | None = None
    licences: list[LicenceFacts] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)  # decision references in force

    def licence_on(self) -> LicenceFacts | None:
        return next((lic for lic in self.licences if lic.active_on(self.on)), None)


@dataclass
class MirrorFacts:
    """What a licensed counterpart's own returns for the overlapping periods say of this
    licensee: ``filed`` only when every overlapping period has a return; ``quantities`` per
    (role in *its* return, product type, measure), from the latest version of each."""

    filed: bool
    periods: list[str] = field(default_factory=list)
    quantities: dict[tuple[str, str, str], Decimal] = field(default_factory=dict)


@dataclass
class ReturnFacts:
    filed_return: Return
    lines: list[Any]
    counterparts: list[CounterpartFacts]
    payments: list[Any]
    # Units per year of the holder's approved manufacturing capacity, by product type.
    capacity: dict[str, int]
    # Anticipated units per year of the licence's application, by product type; its markets.
    demand: dict[str, int]
    markets: list[str]
    mirrors: dict[int, MirrorFacts]  # by the counterpart's party id

    @property
    def period(self) -> Any:
        return self.filed_return.period

    @property
    def share_of_year(self) -> float:
        days = (self.period.ends_on - self.period.starts_on).days + 1
        return days / 365


def licence_number_key(value: str) -> str:
    return value.strip().upper()


def raw_variants(number: str) -> set[str]:
    """The spellings of a registration number a counterpart line may carry, for an index
    lookup on the raw column (compared normalised afterwards)."""
    plain = "".join(ch for ch in number if ch.isalnum())
    return {v for v in (number, number.strip(), plain, plain.upper()) if v}


def own_keys(filed: Return) -> tuple[str, str]:
    """How other returns name this return's licensee: licence number, registration key."""
    party = filed.period.party
    return (
        licence_number_key(filed.period.licence.number),
        number_key(str(party.country), party.registration_number),
    )


def names_licensee(row: dict[str, Any], licence_number: str, registration: str) -> bool:
    if row["licence_number"] and licence_number_key(row["licence_number"]) == licence_number:
        return True
    return bool(registration) and (
        number_key(str(row["country"]), row["registration_number"]) == registration
    )


def _overlaps(a: Any, b: Any) -> bool:
    return bool(a.starts_on <= b.ends_on and b.starts_on <= a.ends_on)


def latest_versions(period_ids: Iterable[int]) -> dict[int, int]:
    """period id -> the id of its latest return (one query)."""
    latest: dict[int, tuple[int, int]] = {}
    rows = Return.objects.filter(period_id__in=set(period_ids)).values_list(
        "period_id", "version", "pk"
    )
    for period_id, version, pk in rows:
        if period_id not in latest or version > latest[period_id][0]:
            latest[period_id] = (version, pk)
    return {period_id: pk for period_id, (_v, pk) in latest.items()}


def licence_facts(party_ids: set[int]) -> dict[int, list[LicenceFacts]]:
    """Every licence of these parties, with its terms and its state changes (3 queries). Also
    read by an assistance answer (cooperation), for each licence's state on the day asked."""
    facts = {
        row["pk"]: LicenceFacts(
            pk=row["pk"],
            number=row["number"],
            holder_id=row["holder_id"],
            holder_name=row["holder__legal_name"],
            state=row["state"],
        )
        for row in Licence.objects.filter(holder_id__in=party_ids).values(
            "pk", "number", "holder_id", "holder__legal_name", "state"
        )
    }
    terms = LicenceTerm.objects.filter(licence_id__in=facts).values_list(
        "licence_id", "valid_from", "expires_on"
    )
    for licence_id, start, end in terms:
        facts[licence_id].terms.append((start, end))
    events = (
        AuditEvent.objects.filter(
            content_type=ContentType.objects.get_for_model(Licence),
            object_id__in=[str(pk) for pk in facts],
        )
        .exclude(to_state="")
        .order_by("at", "pk")
        .values_list("object_id", "at", "from_state", "to_state")
    )
    for object_id, at, from_state, to_state in events:
        facts[int(object_id)].changes.append((timezone.localdate(at), from_state, to_state))
    by_party: dict[int, list[LicenceFacts]] = defaultdict(list)
    for licence in sorted(facts.values(), key=lambda f: f.pk):
        by_party[licence.holder_id].append(licence)
    return by_party


def _counterparts(returns: list[Return]) -> dict[int, list[CounterpartFacts]]:
    """Who each supplier and customer is: by licence number, else by registration or tax
    number through the screening keys; its licences and any block in force (6 queries)."""
    found = {
        r.pk: [
            CounterpartFacts(counterpart=c, on=c.traded_on or r.period.ends_on)
            for c in r.counterparts.all()
        ]
        for r in returns
    }
    everyone = [f for rows in found.values() for f in rows]
    numbers = {licence_number_key(f.counterpart.licence_number) for f in everyone} - {""}
    holder_of = dict(Licence.objects.filter(number__in=numbers).values_list("number", "holder_id"))
    wanted: dict[int, list[tuple[str, str]]] = {}  # by id() of the facts
    for f in everyone:
        c, country = f.counterpart, str(f.counterpart.country)
        wanted[id(f)] = [
            (kind, number_key(country, number))
            for kind, number in (
                (KeyKind.REGISTRATION, c.registration_number),
                (KeyKind.TAX, c.tax_number),
            )
            if number_key(country, number)
        ]
    query = Q(pk__in=[])
    for wanted_kind in (KeyKind.REGISTRATION, KeyKind.TAX):
        values = {value for keys in wanted.values() for k, value in keys if k == wanted_kind}
        if values:
            query |= Q(kind=wanted_kind, value__in=values)
    blocked_type = ContentType.objects.get_for_model(BlockedCustomer)
    parties: dict[tuple[str, str], set[int]] = defaultdict(set)
    free: dict[tuple[str, str], set[int]] = defaultdict(set)
    for kind, value, party_id, type_id, source_id in ScreeningKey.objects.filter(query).values_list(
        "kind", "value", "party_id", "source_type_id", "source_id"
    ):
        if party_id is not None:
            parties[(kind, value)].add(party_id)
        elif type_id == blocked_type.pk:
            free[(kind, value)].add(source_id)
    for f in everyone:
        number = licence_number_key(f.counterpart.licence_number)
        ids = {holder_of[number]} if number in holder_of else set()
        for key in wanted[id(f)]:
            ids = ids or parties.get(key, set())
        f.party_id = min(ids) if ids else None
    party_ids = {f.party_id for f in everyone if f.party_id is not None}
    licences = licence_facts(party_ids)
    block_ids = {i for ids in free.values() for i in ids}
    blocks = list(
        BlockedCustomer.objects.filter(Q(party_id__in=party_ids) | Q(pk__in=block_ids)).values(
            "pk", "party_id", "blocked_from", "until", "decision_reference"
        )
    )
    by_pk = {b["pk"]: b for b in blocks}
    of_party: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for b in blocks:
        if b["party_id"] is not None:
            of_party[b["party_id"]].append(b)
    for f in everyone:
        f.licences = licences.get(f.party_id, []) if f.party_id is not None else []
        mine = {i for key in wanted[id(f)] for i in free.get(key, set())}
        candidates = [by_pk[i] for i in sorted(mine) if i in by_pk]
        candidates += of_party.get(f.party_id, []) if f.party_id is not None else []
        f.blocked = sorted(
            {
                b["decision_reference"]
                for b in candidates
                if b["blocked_from"] <= f.on and (b["until"] is None or b["until"] >= f.on)
            }
        )
    return found


def _mirrors(
    returns: list[Return], found: dict[int, list[CounterpartFacts]]
) -> dict[int, dict[int, MirrorFacts]]:
    """For each return, what its licensed counterparts' returns for overlapping periods say
    of its licensee (3 queries for the batch)."""
    wanted = {
        r.pk: {f.party_id for f in found[r.pk] if f.licences and f.party_id != r.period.party_id}
        for r in returns
    }
    party_ids = {p for ids in wanted.values() for p in ids if p is not None}
    if not party_ids:
        return {r.pk: {} for r in returns}
    periods = list(
        ReturnPeriod.objects.filter(
            party_id__in=party_ids,
            starts_on__lte=max(r.period.ends_on for r in returns),
            ends_on__gte=min(r.period.starts_on for r in returns),
        ).only("pk", "party_id", "starts_on", "ends_on")
    )
    latest = latest_versions(p.pk for p in periods)
    periods_of: dict[int, list[Any]] = defaultdict(list)
    for p in periods:
        periods_of[p.party_id].append(p)
    numbers, registrations = set(), set()
    for r in returns:
        numbers.add(r.period.licence.number)
        registrations |= raw_variants(r.period.party.registration_number)
    lines = list(
        ReturnCounterpart.objects.filter(filed_return_id__in=latest.values())
        .filter(Q(licence_number__in=numbers) | Q(registration_number__in=registrations))
        .values(
            "filed_return_id",
            "role",
            "product_type",
            "measure",
            "quantity",
            "licence_number",
            "registration_number",
            "country",
        )
    )
    by_return: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for line in lines:
        by_return[line["filed_return_id"]].append(line)
    result: dict[int, dict[int, MirrorFacts]] = {}
    for r in returns:
        number, registration = own_keys(r)
        result[r.pk] = {}
        for party_id in wanted[r.pk]:
            if party_id is None:
                continue
            theirs = [p for p in periods_of[party_id] if _overlaps(p, r.period)]
            seen = MirrorFacts(
                filed=bool(theirs) and all(p.pk in latest for p in theirs),
                periods=[f"{p.starts_on:%Y-%m-%d}/{p.ends_on:%Y-%m-%d}" for p in theirs],
            )
            quantities: dict[tuple[str, str, str], Decimal] = defaultdict(Decimal)
            for p in theirs:
                for line in by_return.get(latest.get(p.pk, 0), []):
                    if names_licensee(line, number, registration):
                        key = (line["role"], line["product_type"], line["measure"])
                        quantities[key] += line["quantity"]
            seen.quantities = dict(quantities)
            result[r.pk][party_id] = seen
    return result


def load_facts(return_ids: list[int], *, lock: bool = False) -> list[ReturnFacts]:
    """What every check needs for these returns, read set-wise: a fixed number of queries."""
    queryset = Return.objects.filter(pk__in=return_ids)
    if lock:
        queryset = queryset.select_for_update(of=("self",))
    returns = list(
        queryset.select_related("period__party", "period__licence")
        .prefetch_related("lines", "counterparts", "payments")
        .order_by("pk")
    )
    if not returns:
        return []
    capacity: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for party_id, product_type, units in ProductionCapacity.objects.filter(
        site__party_id__in={r.period.party_id for r in returns},
        site__kind=SiteKind.MANUFACTURING,
        site__proposed_in__isnull=True,
    ).values_list("site__party_id", "product_type", "units_per_year"):
        capacity[party_id][product_type] += units
    demand: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    markets: dict[int, set[str]] = defaultdict(set)
    for application_id, product_type, market, units in (
        MarketDeclaration.objects.current()
        .filter(application_id__in={r.period.licence.application_id for r in returns})
        .values_list("application_id", "product_type", "market", "anticipated_demand")
    ):
        demand[application_id][product_type] += units
        markets[application_id].add(str(market))
    found = _counterparts(returns)
    mirrors = _mirrors(returns, found)
    application = {r.pk: r.period.licence.application_id for r in returns}
    return [
        ReturnFacts(
            filed_return=r,
            lines=list(r.lines.all()),
            counterparts=found[r.pk],
            payments=list(r.payments.all()),
            capacity=dict(capacity.get(r.period.party_id, {})),
            demand=dict(demand.get(application[r.pk], {})),
            markets=sorted(markets.get(application[r.pk], set())),
            mirrors=mirrors[r.pk],
        )
        for r in returns
    ]
