"""Text in the SVG drawings the server makes (the dashboard's chart, the due-diligence network):
a server cannot measure its text, so labels are laid out from a generous estimate of their
width, and kept apart by their boxes."""

from __future__ import annotations

import unicodedata

# Widths of characters in ems, generous for the sans-serif fonts an admin is shown in (DejaVu
# Sans, the widest of them, within these; Arial, Segoe UI, Roboto narrower).
_NARROW = frozenset("iljI.,:;'!|")
_SLIM = frozenset("frt()[]/-")
_SYMBOLS = frozenset("#&+<=>~^")
_WIDE = frozenset("mwMW@%…—")


def text_width(text: str, font_size: float) -> float:
    """An upper estimate of the width of ``text`` drawn at ``font_size``: a server-side SVG
    cannot measure its text, so labels are laid out from this."""
    ems = 0.0
    for char in text:
        base = unicodedata.normalize("NFD", char)[:1] or char  # "ó" is as wide as "o"
        if char == " ":
            ems += 0.33
        elif base in _NARROW:
            ems += 0.32
        elif base in _SLIM:
            ems += 0.45
        elif base in _WIDE or unicodedata.east_asian_width(char) in ("W", "F"):
            ems += 1.0
        elif base in _SYMBOLS:
            ems += 0.86
        elif base.isupper():
            ems += 0.8
        else:
            ems += 0.66
    return ems * font_size


Box = tuple[float, float, float, float]  # left, top, right, bottom


def text_box(x: float, y: float, text: str, font_size: float, anchor: str = "middle") -> Box:
    """The box (left, top, right, bottom) that ``text`` written at ``x``, baseline ``y``, with
    SVG's ``text-anchor`` takes at most: fonts' boxes reach about 1.1 em above the baseline and
    0.32 em below it."""
    width = text_width(text, font_size)
    left = {"start": x, "middle": x - width / 2, "end": x - width}[anchor]
    return (left, y - 1.1 * font_size, left + width, y + 0.32 * font_size)


def boxes_overlap(a: Box, b: Box, gap: float = 0) -> bool:
    """Whether two boxes come closer than ``gap`` (boxes that touch do not overlap)."""
    return a[0] < b[2] + gap and b[0] < a[2] + gap and a[1] < b[3] + gap and b[1] < a[3] + gap
