"""An export as an XLSX workbook in which no cell can be a formula (Art. 21.1(a); a security
measure against formula injection). Every text is written as a text cell, exactly as held: no
quote is added (in XLSX it would be a literal character, issue 14), and openpyxl's own guess,
which stores a text starting with "=" as a formula and "#N/A" as an error, is overridden.
Numbers and dates keep their types."""

from __future__ import annotations

import io
from typing import Any

import tablib
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from licensing.exchange.escaping import looks_like_formula

MAX_COLUMN_WIDTH = 60
# The Unicode replacement character: XML cannot hold most C0 control characters, and one
# pasted into a name must not make the export fail.
REPLACEMENT = "\ufffd"


def _write_text(cell: Cell, text: str) -> None:
    cell.value = ILLEGAL_CHARACTERS_RE.sub(REPLACEMENT, text)
    cell.data_type = "s"  # an inline string: never <f>, never an error value
    if looks_like_formula(text):
        # The spreadsheet's own, invisible "this is text" mark (not part of the value): the
        # cell stays text even when someone edits it and presses Enter.
        cell.quotePrefix = True
    if "\n" in text:
        cell.alignment = Alignment(wrap_text=True)


def _write(cell: Cell, value: Any) -> None:
    if isinstance(value, str):
        _write_text(cell, value)
        return
    try:
        cell.value = value  # int, Decimal, float, date, bool, None keep their types
    except ValueError:
        _write_text(cell, str(value))  # any other object: as the text it prints


def workbook_bytes(dataset: tablib.Dataset, *, title: str) -> bytes:
    """One sheet named ``title``: the headers in bold and frozen, then the rows."""
    book = Workbook()
    sheet = book.worksheets[0]
    sheet.title = title[:31]
    rows: list[list[Any]] = [list(dataset.headers or [])] + [list(row) for row in dataset]
    widths: dict[int, int] = {}
    bold = Font(bold=True)
    for row_number, row in enumerate(rows, start=1):
        for column, value in enumerate(row, start=1):
            cell = sheet.cell(row=row_number, column=column)
            _write(cell, value)
            if row_number == 1 and dataset.headers:
                cell.font = bold
            longest = max((len(line) for line in str(value or "").splitlines()), default=0)
            widths[column] = max(widths.get(column, 0), longest)
    if dataset.headers:
        sheet.freeze_panes = "A2"
    for column, width in widths.items():
        sheet.column_dimensions[get_column_letter(column)].width = min(width, MAX_COLUMN_WIDTH) + 2
    stream = io.BytesIO()
    book.save(stream)
    return stream.getvalue()
