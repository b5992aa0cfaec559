"""Where the due-diligence network's nodes and labels go (duediligence/network.py): the rings as
narrow as their labels allow, each label in the first free place beside its node, none over
another label or a node. Nodes are the network's ``Node`` objects, read and given positions."""

from __future__ import annotations

import math
from typing import Any

from django.utils.text import Truncator

from licensing.svg_text import boxes_overlap, text_box

Box = tuple[float, float, float, float]  # left, top, right, bottom
Place = tuple[str, float, float]  # a label's text-anchor and the point it is written at
Node = Any  # duediligence.network.Node (that module imports this one)

# ``lay_out`` starts from SHRINK times the rings' radii, and widens a ring (and those around it)
# by GROWTH while one of its labels has no room, at most TRIES times.
SHRINK = 0.6
GROWTH = 1.1
TRIES = 60
LABEL_FONT = 11  # px, as the template's stylesheet draws the labels
LABEL_CHARS = 28  # a longer label is cut, the whole of it in its <title> and the tables
CENTRE_CHARS = 40
LABEL_PAD = 4  # between a node and its label
LABEL_GAP = 2  # the least room between two labels, or a label and a node
LINE = 16  # from one line of labels to the next: the tallest of the usual fonts' boxes
PADDING = 8  # round the drawing
# Half the size of a node's mark: the keys' squares, the other nodes' circles, the centre's.
MARKS = {"key": 7, "centre": 14}
MARK = 9


def lay_out(centre: Node, rings: list[list[Node]], radii: tuple[int, ...]) -> tuple[int, int]:
    """Where the nodes, whose angles are set, and their labels go: the rings as narrow as
    their labels allow (``_label``), the centre in the middle of the drawing. Returns the
    drawing's size and margin (``Network``)."""
    nodes = [centre, *(node for ring in rings for node in ring)]
    for node in nodes:
        node.text = Truncator(node.label).chars(CENTRE_CHARS if node is centre else LABEL_CHARS)
    widths = [radius * SHRINK for radius in radii]
    for attempt in range(TRIES):
        centre.x = centre.y = 0.0
        for ring, radius in zip(rings, widths, strict=True):
            for node in ring:
                node.x = round(radius * math.cos(node.angle), 1)
                node.y = round(radius * math.sin(node.angle), 1)
        # TRIES widenings part any labels the view draws; were they too few, the last try
        # would still place every label, in its best place.
        boxes, crowded = _label(centre, rings, last=attempt == TRIES - 1)
        if crowded is None:
            break
        widths = [r * GROWTH if index >= crowded else r for index, r in enumerate(widths)]
    top = max(max(-box[1], box[3]) for box in boxes) + PADDING
    side = max(max(-box[0], box[2]) for box in boxes) + PADDING
    size = math.ceil(top) * 2
    margin = max(0, math.ceil(side - size / 2))
    for node in nodes:
        node.x, node.y = round(node.x + size / 2, 1), round(node.y + size / 2, 1)
        node.label_x = round(node.label_x + size / 2, 1)
        node.label_y = round(node.label_y + size / 2, 1)
    return size, margin


def label_box(node: Node, place: Place | None = None) -> Box:
    """The box a node's label takes at most, where it is or at ``place`` (the adverse mark,
    bold, a little wider)."""
    anchor, x, y = place or (node.anchor, node.label_x, node.label_y)
    text = f"! {node.text}" if node.adverse else node.text
    left, top, right, bottom = text_box(x, y, text, LABEL_FONT, anchor)
    extra = 0.3 * LABEL_FONT if node.adverse else 0
    shift = {"start": 0, "middle": extra / 2, "end": extra}[anchor]
    return (left - shift, top, right + extra - shift, bottom)


def _mark_box(node: Node, is_centre: bool) -> Box:
    half = MARKS["centre"] if is_centre else MARKS.get(node.kind, MARK)
    return (node.x - half, node.y - half, node.x + half, node.y + half)


def _label(centre: Node, rings: list[list[Node]], *, last: bool) -> tuple[list[Box], int | None]:
    """Each label in the first of its places (``_places``) that overlaps no label placed
    before and no node, the centre's first and going outwards. Returns the boxes of the nodes
    and labels, and the ring of the first label without room (the centre's counts as the
    first ring's), or None: then the layout is tried with that ring wider, unless this is the
    ``last`` try (then each label goes in its best place)."""
    nodes = [(0, centre), *((index, node) for index, ring in enumerate(rings) for node in ring)]
    marks = [_mark_box(node, node is centre) for _ring, node in nodes]
    labels: list[Box] = []
    crowded = None
    for ring, node in nodes:
        places = _places(node, node is centre)
        free = next(
            (
                (place, box)
                for place, box in ((place, label_box(node, place)) for place in places)
                if not any(boxes_overlap(box, other, LABEL_GAP) for other in (*labels, *marks))
            ),
            None,
        )
        if free is None:
            crowded = ring if crowded is None else crowded
            if not last:
                return [], crowded
        (node.anchor, node.label_x, node.label_y), box = free or (
            places[0],
            label_box(node, places[0]),
        )
        labels.append(box)
    return [*marks, *labels], crowded


def _places(node: Node, is_centre: bool) -> list[Place]:
    """Where a node's label may go, best first: away from the centre (beside the node on the
    left and right of the drawing, above or below it at the top and bottom), then the other
    sides, then a line or two further out."""
    half = (MARKS["centre"] if is_centre else MARKS.get(node.kind, MARK)) + LABEL_PAD
    ascent, descent = 1.1 * LABEL_FONT, 0.32 * LABEL_FONT
    x, y = node.x, node.y
    outward_x, outward_y = (0.0, 1.0) if is_centre else (math.cos(node.angle), math.sin(node.angle))
    down = 1 if outward_y >= 0 else -1
    middle = y + (ascent - descent) / 2  # the baseline of a label level with the node
    side = ("start", x + half, middle) if outward_x >= 0 else ("end", x - half, middle)
    other_side = ("end", x - half, middle) if outward_x >= 0 else ("start", x + half, middle)
    below = ("middle", x, y + half + ascent)
    above = ("middle", x, y - half - descent)
    vertical, other_vertical = (below, above) if down > 0 else (above, below)
    near = [side, vertical] if abs(outward_x) >= 0.38 else [vertical, side]
    places = [*near, other_vertical, other_side]
    for lines in (1, 2):
        shift = lines * LINE * down
        places += [
            (vertical[0], vertical[1], vertical[2] + shift),
            (side[0], side[1], side[2] + shift),
            (side[0], side[1], side[2] - shift),
        ]
    return places
