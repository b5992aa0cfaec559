"""A party's network for the officer (Art. 6.3(d), 7.4, 18): its persons, bank accounts,
addresses, registration and tax numbers, and the other parties, reports, blocked identities and
seizure cases that share one of them, read from the screening-key index.

Bounded on purpose: depth 1 (the party's own keys and who shares them) or, on request, 2 (the
parties that share a key with those linked parties), at most ``MAX_KEYS`` keys, ``MAX_LINKED``
linked nodes and ``MAX_SECOND`` nodes at the second step, each step found by an indexed query
(``kind = ... AND value IN (...)``), so a party linked to thousands costs what one linked to
ten does. The layout is
computed here, numbers only (``lay_out``: rings as wide as their nodes' labels need, each label
placed beside its node where it overlaps no other label and no node); the SVG is drawn by a
template, so every name is escaped."""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.utils.translation import gettext as _

from duediligence.models import BlockedCustomer, KeyKind, LicenseeReport, ScreeningKey
from duediligence.network_layout import lay_out
from duediligence.report_source import adverse_reports
from duediligence.sources import LINKING_KINDS, adverse_sources, keys_q
from licensing.models import Party
from seizures.models import SeizureCase

MAX_KEYS = 24
MAX_LINKED = 40
MAX_SECOND = 30
RING_SLOTS = 24  # a ring with fewer nodes keeps them this close, near what they hang from
# The radii of the rings: keys, linked nodes, and at depth 2 the nodes of the second step.
# ``lay_out`` (duediligence/network_layout.py) starts from narrower rings and widens them while
# a label has no room.
RINGS = {1: (200, 350, 0), 2: (130, 260, 390)}


@dataclass
class Node:
    id: str
    label: str
    kind: str  # "party", "key", "report", "blocked" or "seizure"
    detail: str = ""
    adverse: list[str] = field(default_factory=list)
    party_id: int | None = None
    record_id: int | None = None  # a report's, blocked identity's or seizure case's key
    x: float = 0.0
    y: float = 0.0
    angle: float = 0.0  # on its ring, from the centre
    # The label as drawn (cut to its length), where (its baseline) and how (SVG's text-anchor).
    text: str = ""
    label_x: float = 0.0
    label_y: float = 0.0
    anchor: str = "middle"
    # For linked nodes: the ids of the nodes it hangs from (the shared keys; at the second
    # step, the linked parties), and what is shared, in words, for the table.
    keys: list[str] = field(default_factory=list)
    through: list[tuple[str, str]] = field(default_factory=list)


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
    second: list[Node] = field(default_factory=list)
    depth: int = 1
    # The drawing's height, the centre at half of it both ways; ``margin`` beside it for what
    # reaches further sideways (labels are wider than tall).
    size: int = 0
    margin: int = 0

    @property
    def outer(self) -> list[Node]:
        return [*self.linked, *self.second]

    @property
    def view_box(self) -> str:
        return f"{-self.margin} 0 {self.view_width} {self.size}"

    @property
    def view_width(self) -> int:
        return self.size + 2 * self.margin


def _key_label(kind: str, value: str, person: str) -> str:
    if kind == KeyKind.PERSON and person:
        return person
    return value


def _angle(count: int, index: int) -> float:
    return -math.pi / 2 + 2 * math.pi * index / max(count, 1)


def _normal(angle: float) -> float:
    """The same angle in the range the rings are laid out in, from -pi/2 (the top)."""
    return (angle + math.pi / 2) % (2 * math.pi) - math.pi / 2


def _place(anchors: dict[str, float], nodes: list[Node]) -> list[Node]:
    """The angles of nodes on a ring: each as near as it can be to the angle of the first node
    it hangs from (``anchors``: id -> angle; the nodes of one anchor spread around it), and no
    two closer than ``1 / RING_SLOTS`` of a turn (or an even share of the ring when there are
    more): lines run outwards instead of across the drawing. ``lay_out`` sets the radius."""
    ordered = sorted(nodes, key=lambda n: (min(anchors[k] for k in n.keys), n.kind, n.label, n.id))
    count = len(ordered)
    step = 2 * math.pi / max(count, RING_SLOTS)
    groups: dict[float, int] = defaultdict(int)
    for node in ordered:
        groups[min(anchors[k] for k in node.keys)] += 1
    seen: dict[float, int] = defaultdict(int)
    angles: list[float] = []
    for node in ordered:
        anchor = min(anchors[k] for k in node.keys)
        angles.append(anchor + (seen[anchor] - (groups[anchor] - 1) / 2) * step)
        seen[anchor] += 1
    # Push apart going round; what then overruns the start of the ring is pushed back.
    for index in range(1, count):
        angles[index] = max(angles[index], angles[index - 1] + step)
    if count:
        overrun = angles[-1] - (angles[0] + 2 * math.pi - step)
        if overrun > 0:
            angles[-1] -= overrun
            for index in range(count - 2, -1, -1):
                angles[index] = min(angles[index], angles[index + 1] - step)
    for node, angle in zip(ordered, angles, strict=True):
        node.angle = _normal(angle)
    return ordered


def party_network(party: Party, *, depth: int = 1) -> Network:
    """The network of ``party`` at depth 1 or 2, laid out: the party in the centre, its keys on
    the inner ring, the nodes sharing them on the next, and at depth 2 the parties sharing a key
    with those on the outer ring (``_place``)."""
    depth = 2 if depth >= 2 else 1
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
    centre.adverse = _mark_adverse(party, by_kind, linked)

    key_list = list(keys.values())
    for index, node in enumerate(key_list):
        node.angle = _angle(len(key_list), index)
    by_id = {node.id: node for node in key_list}
    for node in linked.values():
        node.through = [(by_id[k].detail, by_id[k].label) for k in node.keys]
    linked_list = _place({node.id: node.angle for node in key_list}, list(linked.values()))
    second: list[Node] = []
    if depth == 2:
        second, more = _second_step(party, linked_list)
        truncated = truncated or more
        second = _place({n.id: n.angle for n in linked_list}, second)
    size, margin = lay_out(centre, [key_list, linked_list, second], RINGS[depth])
    edges = [Edge(centre.x, centre.y, node.x, node.y) for node in key_list]
    by_id.update({node.id: node for node in linked_list})
    for node in [*linked_list, *second]:
        for anchor_id in node.keys:
            anchor = by_id[anchor_id]
            edges.append(Edge(anchor.x, anchor.y, node.x, node.y, adverse=bool(node.adverse)))
    return Network(
        centre,
        key_list,
        linked_list,
        edges,
        truncated,
        second=second,
        depth=depth,
        size=size,
        margin=margin,
    )


def _second_step(party: Party, linked: list[Node]) -> tuple[list[Node], bool]:
    """Parties that share a key with one of the linked parties (not with ``party`` itself):
    one query for the linked parties' keys, one for who else holds them, one per adverse
    source; capped at ``MAX_SECOND``."""
    first = {node.party_id: node for node in linked if node.kind == "party" and node.party_id}
    if not first:
        return [], False
    owners: dict[tuple[str, str], list[int]] = defaultdict(list)
    by_kind: dict[str, set[str]] = defaultdict(set)
    for party_id, kind, value in (
        ScreeningKey.objects.filter(party_id__in=list(first), kind__in=LINKING_KINDS)
        .order_by("party_id", "kind", "value")
        .values_list("party_id", "kind", "value")
    ):
        if party_id not in owners[(kind, value)]:
            owners[(kind, value)].append(party_id)
        by_kind[kind].add(value)
    query = keys_q(by_kind)
    if query is None:
        return [], False
    rows = (
        ScreeningKey.objects.filter(query, party__isnull=False)
        .exclude(party_id__in=[party.pk, *first])
        .order_by("kind", "value", "party_id")
        .values("kind", "value", "party_id", "party__legal_name")[: MAX_SECOND * 6]
    )
    kind_labels = dict(KeyKind.choices)
    nodes: dict[str, Node] = {}
    more = False
    for row in rows:
        node_id = f"p{row['party_id']}"
        if node_id not in nodes:
            if len(nodes) >= MAX_SECOND:
                more = True
                continue
            nodes[node_id] = Node(
                id=node_id, label=row["party__legal_name"], kind="party", party_id=row["party_id"]
            )
        node = nodes[node_id]
        for owner in owners[(row["kind"], row["value"])]:
            anchor = first[owner]
            if anchor.id not in node.keys:
                node.keys.append(anchor.id)
            shared = (
                str(kind_labels.get(row["kind"], row["kind"])),
                f"{row['value']} ({anchor.label})",
            )
            if shared not in node.through:
                node.through.append(shared)
    for source in adverse_sources():
        for match in source.adverse_matches(by_kind):
            found = nodes.get(f"p{match.party_id}") if match.party_id else None
            if found is not None and match.reason not in found.adverse:
                found.adverse.append(match.reason)
    return list(nodes.values()), more


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
    seizure_type = ContentType.objects.get_for_model(SeizureCase)
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
        elif row["source_type_id"] == seizure_type.pk:
            node_id, kind, label = f"s{row['source_id']}", "seizure", _("seizure case")
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
    """Names and states of the reports, blocked identities and seizure cases among the nodes
    (three queries)."""
    seizure_ids = [int(n.id[1:]) for n in nodes.values() if n.kind == "seizure"]
    for pk, reference, agency, seized_on in SeizureCase.objects.filter(
        pk__in=seizure_ids
    ).values_list("pk", "reference", "agency", "seized_on"):
        node = nodes[f"s{pk}"]
        node.label = reference or node.label
        node.detail = f"{agency}, {seized_on.isoformat()}"
        node.adverse.append(_("seizure (Art. 18)"))
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


def table_rows(nodes: list[Node]) -> list[dict[str, Any]]:
    """The same links as the drawing, for the accessible table under it."""
    return [{"node": node, "shared": node.through} for node in nodes]
