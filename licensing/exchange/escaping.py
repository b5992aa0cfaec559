"""Formula escaping for text exports (Art. 21.1(a): records sent to another Party's authority;
a security measure against CSV / formula injection, as OWASP describes it): a CSV cell that a
spreadsheet would read as a formula or a command gets a leading single quote. django-import-export's
own setting covers only ``=``; this covers every prefix, whatever that setting says. XLSX needs
no quote: ``workbook.py`` writes its text cells as text."""

from __future__ import annotations

import unicodedata
from typing import Any

import tablib

# Characters that, first in a cell, start a formula or a command (OWASP: = + - @ tab CR).
# The import side (reading.py) reads these to take our quote off again: keep the tuple.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
FORMULA_TRIGGERS = frozenset("=+-@")


def _is_invisible(char: str) -> bool:
    """Whitespace (NO-BREAK SPACE included), control characters and format characters (the
    byte-order mark, zero-width space, joiners, word joiner, direction marks): nothing a reader
    sees, and what a spreadsheet may skip before it reads ``=``."""
    return char.isspace() or unicodedata.category(char) in ("Cc", "Cf")


def first_visible(text: str) -> str:
    """The first character a reader (or a spreadsheet) sees; "" for none."""
    return next((char for char in text if not _is_invisible(char)), "")


def looks_like_formula(text: str) -> bool:
    """True when a spreadsheet could take ``text`` for a formula or a command: it starts with a
    tab or a carriage return, or its first visible character is = + - or @ (a phone number
    "+47 ..." too: a spreadsheet would compute it)."""
    if text.startswith(FORMULA_PREFIXES):
        return True
    return first_visible(text) in FORMULA_TRIGGERS


def escape_cell(value: Any) -> Any:
    """Text only: numbers, dates and empty cells keep their type (a negative number is a
    number, not text starting with "-"). Ordinary text is returned unchanged."""
    if isinstance(value, str) and looks_like_formula(value):
        return "'" + value
    return value


def escaped(dataset: tablib.Dataset) -> tablib.Dataset:
    """A copy of ``dataset`` with every cell, the headers too, escaped (for CSV)."""
    safe = tablib.Dataset(title=dataset.title)
    if dataset.headers:
        safe.headers = [escape_cell(header) for header in dataset.headers]
    for row in dataset:
        safe.append([escape_cell(cell) for cell in row])
    return safe
