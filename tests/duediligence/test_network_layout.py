"""Issue 14: the network drawing's labels, laid out on the server from estimated text widths,
overlap neither one another nor a node, however many nodes the view draws and however long
their names (the browser test, tests/browser/test_svg_labels.py, measures the real boxes)."""

from __future__ import annotations

import itertools
import math

import pytest

from duediligence.network import (
    MAX_KEYS,
    MAX_LINKED,
    MAX_SECOND,
    RING_SLOTS,
    RINGS,
    Node,
)
from duediligence.network_layout import LABEL_CHARS, label_box, lay_out
from licensing.svg_text import boxes_overlap

# Half the size of each mark as the template draws it: the keys' squares, the circles.
MARKS = {"key": 5, "centre": 14, "other": 9}
NAMES = (
    "Wolfsburger Mineralöl- und Tabakwarenhandel {} GmbH",
    "DE8937040044053201300{}",
    "Maximiliane Wilhelmina Montgomery {}",
    "Wisła {}",
)


def ring(count: int, prefix: str, kind: str, *, clustered: bool = False) -> list[Node]:
    """``count`` nodes, spread round the ring or, as the nodes hanging from one anchor are,
    side by side at the top."""
    step = 2 * math.pi / (max(count, RING_SLOTS) if clustered else max(count, 1))
    return [
        Node(
            id=f"{prefix}{index}",
            label=NAMES[index % len(NAMES)].format(index),
            kind=kind,
            adverse=["a licence of this party was revoked"] if index % 3 == 0 else [],
            angle=-math.pi / 2 + step * (index - (count - 1) / 2 if clustered else index),
        )
        for index in range(count)
    ]


def network(depth: int, keys: int, linked: int, second: int, **options: bool):
    centre = Node(id="p", label="Zentrale Tabakwarenhandelsgesellschaft mbH & Co. KG", kind="party")
    rings = [
        ring(keys, "k", "key"),
        ring(linked, "l", "party", **options),
        ring(second, "s", "party", **options),
    ]
    size, margin = lay_out(centre, rings, RINGS[depth])
    return centre, [node for nodes in rings for node in nodes], size, margin


def mark(node: Node, centre: Node) -> tuple[float, float, float, float]:
    half = MARKS["centre"] if node is centre else MARKS.get(node.kind, MARKS["other"])
    return (node.x - half, node.y - half, node.x + half, node.y + half)


@pytest.mark.parametrize(
    ("depth", "keys", "linked", "second", "clustered"),
    [
        (1, 0, 0, 0, False),
        (1, 3, 1, 0, False),
        (1, 12, 0, 0, False),
        (2, 12, 0, 0, False),
        (1, 9, 12, 0, True),
        (2, 5, 10, MAX_SECOND, True),
        (1, MAX_KEYS, MAX_LINKED, 0, False),
        (2, MAX_KEYS, MAX_LINKED, MAX_SECOND, False),
    ],
)
def test_no_label_overlaps_another_label_or_a_node(depth, keys, linked, second, clustered):
    centre, nodes, size, margin = network(depth, keys, linked, second, clustered=clustered)
    everyone = [centre, *nodes]
    labels = [label_box(node) for node in everyone]
    marks = [mark(node, centre) for node in everyone]
    for (a, node_a), (b, node_b) in itertools.combinations(zip(labels, everyone, strict=True), 2):
        assert not boxes_overlap(a, b), (node_a.text, node_b.text)
    for label, node in zip(labels, everyone, strict=True):
        assert not any(boxes_overlap(label, other) for other in marks), node.text
        assert -margin <= label[0] and label[2] <= size + margin, node.text
        assert label[1] >= 0 and label[3] <= size, node.text
    assert centre.x == centre.y == size / 2


def test_a_long_name_is_cut_in_the_drawing_and_kept_whole_for_its_title():
    centre, nodes, _size, _margin = network(1, 4, 0, 0)
    assert len(centre.text) <= 40 and centre.text.endswith("…")
    assert centre.label == "Zentrale Tabakwarenhandelsgesellschaft mbH & Co. KG"
    cut = [node for node in nodes if len(node.label) > LABEL_CHARS]
    assert cut and all(len(node.text) == LABEL_CHARS and node.text.endswith("…") for node in cut)


def test_a_small_network_is_drawn_small_and_a_large_one_widens_its_rings():
    _centre, _nodes, small, small_margin = network(1, 12, 0, 0)
    _centre, _nodes, large, _margin = network(2, MAX_KEYS, MAX_LINKED, MAX_SECOND)
    assert small <= 500 and small + 2 * small_margin <= 800
    assert large > 2 * small


def test_the_layout_is_the_same_each_time():
    first, second = network(2, 12, 20, 10), network(2, 12, 20, 10)
    assert [(n.x, n.y, n.label_x, n.label_y, n.anchor) for n in first[1]] == [
        (n.x, n.y, n.label_x, n.label_y, n.anchor) for n in second[1]
    ]
