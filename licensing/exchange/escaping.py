"""Formula escaping for spreadsheets (OWASP CSV injection): a text cell that a spreadsheet would
read as a formula or a command gets a leading single quote. django-import-export's own setting
covers only ``=``; this covers every prefix, whatever that setting says."""

from __future__ import annotations

from typing import Any

import tablib

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def escape_cell(value: Any) -> Any:
    """Text only: numbers, dates and empty cells keep their type (a negative number is a
    number in XLSX, not text starting with "-")."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def escaped(dataset: tablib.Dataset) -> tablib.Dataset:
    """A copy of ``dataset`` with every cell, the headers too, escaped."""
    safe = tablib.Dataset(title=dataset.title)
    if dataset.headers:
        safe.headers = [escape_cell(header) for header in dataset.headers]
    for row in dataset:
        safe.append([escape_cell(cell) for cell in row])
    return safe
