"""A party's network for the officer (Art. 6.3(d), 7.4): its persons, bank accounts, addresses,
registration and tax numbers, and the other parties, reports and blocked identities that share
one of them, read from the screening-key index.

Bounded on purpose: depth 1 (the party's own keys and who shares them), at most ``MAX_KEYS``
keys and ``MAX_LINKED`` linked nodes, each found by an indexed query (``kind = ... AND value IN
(...)``), so a party linked to thousands costs what one linked to ten does. The layout is
computed here, numbers only; the SVG is drawn by a template, so every name is escaped."""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.utils.translation import gettext as _

from duediligence.models import BlockedCustomer, KeyKind, LicenseeReport, ScreeningKey
from duediligence.report_source import adverse_reports
from duediligence.sources import LINKING_KINDS, adverse_sources, keys_q
from licensing.models import Party

MAX_KEYS = 24
MAX_LINKED = 40
SIZE = 800
KEY_RING = 190
LINKED_RING = 340


@dataclass
class Node:
    id: str
    label: str
    kind: str  # "party", "key", "report" or "blocked"
    detail: str = ""
    adverse: list[str] = field(default_factory=list)
    party_id: int | None = None
    record_id: int | None = None  # a report's or a blocked identity's primary key
    x: float = 0.0
    y: float = 0.0
    keys: list[str] = field(default_factory=list)  # for linked nodes: ids of the shared keys


@dataclass
class Edge:
    x1: float
    y1: float
    x2: float
    y2: float
    adverse: bool = False


@dataclass
class Network:
    centre: Node
    keys: list[Node]
    linked: list[Node]
    edges: list[Edge]
    truncated: bool
    size: int = SIZE

    @property
    def adverse_count(self) -> int:
        return sum(1 for node in self.linked if node.adverse)


def _key_label(kind: str, value: str, person: str) -> str:
    if kind == KeyKind.PERSON and person:
        return person
    return value


def _angle(count: int, index: int) -> float:
    return -math.pi / 2 + 2 * math.pi * index / max(count, 1)


def _point(radius: float, angle: float) -> tuple[float, float]:
    centre = SIZE / 2
    return round(centre + radius * math.cos(angle), 1), round(centre + radius * math.sin(angle), 1)


def _ring(count: int, radius: float, index: int) -> tuple[float, float]:
    return _point(radius, _angle(count, index))


def _place_linked(key_list: list[Node], linked: list[Node]) -> list[Node]:
    """Evenly spaced on the outer ring (so no two overlap), in the order of the angle of the
    first key each shares, the whole ring turned so that each node sits as near as it can to
    that key: the lines run outwards instead of across the drawing."""
    angle_of = {node.id: _angle(len(key_list), index) for index, node in enumerate(key_list)}
    ordered = sorted(
        linked, key=lambda n: (min(angle_of[k] for k in n.keys), n.kind, n.label, n.id)
    )
    count = len(ordered)
    wanted = [min(angle_of[k] for k in node.keys) for node in ordered]
    drift = [want - _angle(count, index) for index, want in enumerate(wanted)]
    turn = math.atan2(sum(math.sin(d) for d in drift), sum(math.cos(d) for d in drift))
    for index, node in enumerate(ordered):
        node.x, node.y = _point(LINKED_RING, _angle(count, index) + turn)
    return ordered


def party_network(party: Party) -> Network:
    """The network of ``party`` at depth 1, laid out: the party in the centre, its keys on the
    inner ring, the nodes sharing them on the outer ring (``_place_linked``)."""
    key_rows = list(
        ScreeningKey.objects.filter(party=party, kind__in=LINKING_KINDS)
        .order_by("kind", "value")
        .values_list("kind", "value", "person__full_name")
        .distinct()[: MAX_KEYS + 1]
    )
    truncated = len(key_rows) > MAX_KEYS
    key_rows = key_rows[:MAX_KEYS]
    kind_labels = dict(KeyKind.choices)
    keys: dict[tuple[str, str], Node] = {}
    for kind, value, person in key_rows:
        if (kind, value) not in keys:
            keys[(kind, value)] = Node(
                id=f"k{len(keys)}",
                label=_key_label(kind, value, person or ""),
                kind="key",
                detail=str(kind_labels.get(kind, kind)),
            )
    by_kind: dict[str, set[str]] = defaultdict(set)
    for kind, value in keys:
        by_kind[kind].add(value)

    linked, more = _linked(party, by_kind, keys)
    truncated = truncated or more
    centre = Node(id="p", label=party.legal_name, kind="party", party_id=party.pk)
    centre.x = centre.y = SIZE / 2
    centre.adverse = _mark_adverse(party, by_kind, linked)

    key_list = list(keys.values())
    for index, node in enumerate(key_list):
        node.x, node.y = _ring(len(key_list), KEY_RING, index)
    linked_list = _place_linked(key_list, list(linked.values()))
    edges = [Edge(centre.x, centre.y, node.x, node.y) for node in key_list]
    by_id = {node.id: node for node in key_list}
    for node in linked_list:
        for key_id in node.keys:
            key = by_id[key_id]
            edges.append(Edge(key.x, key.y, node.x, node.y, adverse=bool(node.adverse)))
    return Network(centre, key_list, linked_list, edges, truncated)


def _linked(
    party: Party, by_kind: dict[str, set[str]], keys: dict[tuple[str, str], Node]
) -> tuple[dict[str, Node], bool]:
    """Who else holds one of these keys: other parties, licensees' reports and blocked
    identities (one indexed query, capped)."""
    query = keys_q(by_kind)
    if query is None:
        return {}, False
    report_type = ContentType.objects.get_for_model(LicenseeReport)
    blocked_type = ContentType.objects.get_for_model(BlockedCustomer)
    rows = list(
        ScreeningKey.objects.filter(query)
        .exclude(party=party)
        .order_by("kind", "value", "party_id", "source_type_id", "source_id")
        .values("kind", "value", "party_id", "party__legal_name", "source_type_id", "source_id")[
            : MAX_LINKED * 6
        ]
    )
    nodes: dict[str, Node] = {}
    more = False
    for row in rows:
        if row["party_id"] is not None:
            node_id, label, kind = f"p{row['party_id']}", row["party__legal_name"], "party"
        elif row["source_type_id"] == report_type.pk:
            node_id, kind = f"r{row['source_id']}", "report"
            label = LicenseeReport.reference_for(row["source_id"])
        elif row["source_type_id"] == blocked_type.pk:
            node_id, kind = f"b{row['source_id']}", "blocked"
            label = _("blocked customer")
        else:
            continue
        if node_id not in nodes:
            if len(nodes) >= MAX_LINKED:
                more = True
                continue
            nodes[node_id] = Node(
                id=node_id,
                label=label,
                kind=kind,
                party_id=row["party_id"],
                record_id=None if row["party_id"] is not None else row["source_id"],
            )
        key_id = keys[(row["kind"], row["value"])].id
        if key_id not in nodes[node_id].keys:
            nodes[node_id].keys.append(key_id)
    _describe_sources(nodes)
    return nodes, more


def _describe_sources(nodes: dict[str, Node]) -> None:
    """Names and states of the reports and blocked identities among the nodes (two queries)."""
    report_ids = [int(n.id[1:]) for n in nodes.values() if n.kind == "report"]
    adverse = set(adverse_reports().filter(pk__in=report_ids).values_list("pk", flat=True))
    for pk, name, state in LicenseeReport.objects.filter(pk__in=report_ids).values_list(
        "pk", "customer_name", "state"
    ):
        node = nodes[f"r{pk}"]
        node.detail = name
        if pk in adverse:
            node.adverse.append(_("reported by a licensee (report accepted)"))
        else:
            node.detail = f"{name} ({LicenseeReport(state=state).get_state_display()})"
    blocked_ids = [int(n.id[1:]) for n in nodes.values() if n.kind == "blocked"]
    in_force = set(
        BlockedCustomer.objects.in_force().filter(pk__in=blocked_ids).values_list("pk", flat=True)
    )
    for pk, name in BlockedCustomer.objects.filter(pk__in=blocked_ids).values_list("pk", "name"):
        node = nodes[f"b{pk}"]
        node.detail = name
        if pk in in_force:
            node.adverse.append(_("blocked customer"))


def _mark_adverse(party: Party, by_kind: dict[str, set[str]], nodes: dict[str, Node]) -> list[str]:
    """Mark the parties among the nodes that a source holds adverse (refused, revoked,
    blocked), one query per source; the reasons that hold for ``party`` itself are returned."""
    own: list[str] = []
    for source in adverse_sources():
        for match in source.adverse_matches(by_kind):
            if match.party_id is None:
                continue  # reports and free identities: described by ``_describe_sources``
            reasons = own if match.party_id == party.pk else None
            node = nodes.get(f"p{match.party_id}")
            if reasons is None and node is not None:
                reasons = node.adverse
            if reasons is not None and match.reason not in reasons:
                reasons.append(match.reason)
    return own


def table_rows(network: Network) -> list[dict[str, Any]]:
    """The same links as the drawing, for the accessible table under it."""
    keys = {node.id: node for node in network.keys}
    return [
        {
            "node": node,
            "shared": [(keys[k].detail, keys[k].label) for k in node.keys],
        }
        for node in network.linked
    ]
