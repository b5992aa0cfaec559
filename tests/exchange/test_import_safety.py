"""A legacy register upload is untrusted: size and row caps, zip bombs and XML entity bombs in
XLSX refused before or by a safe parser, formulas never evaluated. Nothing is written for any:
a file too large or empty is not even kept, the others are kept as refused imports."""

from __future__ import annotations

import openpyxl
import pytest

from licensing.exchange import reading
from licensing.models import ImportState, LegacyImport, Licence
from licensing.services.legacy_import import stage_import
from tests.exchange.legacy_files import (
    HEADERS,
    billion_laughs,
    company,
    csv_bytes,
    external_entity,
    rezipped,
    upload,
    xlsx_bytes,
    xlsx_from_dicts,
)

pytestmark = pytest.mark.django_db


def refused(content: bytes, by, name: str = "register.xlsx") -> str:
    """The one file-level message of a refused dry run; checks that nothing was written."""
    dry_run = stage_import(upload=upload(content, name), by=by)
    (error,) = dry_run.errors
    assert (error.row, error.column) == (0, "")
    states = set(LegacyImport.objects.values_list("state", flat=True))
    assert states <= {ImportState.REFUSED} and not Licence.objects.exists()
    return error.message


def test_openpyxl_parses_with_defusedxml():
    assert openpyxl.DEFUSEDXML is True


def test_a_file_over_the_size_cap_is_refused_before_it_is_read(senior, settings):
    settings.IMPORT_MAX_BYTES = 1024
    content = csv_bytes([company(f"Z-{i}") for i in range(5)])
    assert len(content) > 1024
    assert "larger than" in refused(content, senior, "register.csv")


def test_a_file_over_the_row_cap_is_refused(senior, settings):
    settings.IMPORT_MAX_ROWS = 3
    content = csv_bytes([company(f"Z-{i}", registration_number="987654321") for i in range(4)])
    assert "more than 3 rows" in refused(content, senior, "register.csv")


def test_a_zip_bomb_is_refused_from_the_archive_directory(senior):
    # 60 MiB of zeros deflate to about 60 KiB: a small upload that would unpack a thousandfold.
    bomb = rezipped(xlsx_from_dicts([company("B-1")]), {}, add_zeros=("xl/media/a.bin", 60 * 2**20))
    assert len(bomb) < 200 * 1024
    assert "zip bomb" in refused(bomb, senior)


def test_a_workbook_unpacking_past_the_total_cap_is_refused(senior, monkeypatch):
    monkeypatch.setattr(reading, "XLSX_MAX_UNCOMPRESSED", 1024)
    message = refused(xlsx_from_dicts([company("B-2")]), senior)
    assert "would unpack" in message and "zip bomb" in message


@pytest.mark.parametrize("member", ["xl/worksheets/sheet1.xml", "xl/workbook.xml"])
def test_a_billion_laughs_workbook_is_refused(senior, member):
    bomb = billion_laughs(xlsx_from_dicts([company("B-3")]), member)
    assert "entity declarations" in refused(bomb, senior)


@pytest.mark.parametrize("member", ["xl/worksheets/sheet1.xml", "xl/workbook.xml"])
def test_an_external_entity_is_refused(senior, member):
    hostile = external_entity(xlsx_from_dicts([company("B-4")]), member)
    assert "entity declarations" in refused(hostile, senior)


def test_a_macro_workbook_and_odd_member_names_are_refused(senior):
    plain = xlsx_from_dicts([company("B-5")])
    with_macros = rezipped(plain, {}, add_zeros=("xl/vbaProject.bin", 2**20))
    assert "Macro" in refused(with_macros, senior)
    escaping = rezipped(plain, {}, add_zeros=("../../etc/evil.xml", 2**20))
    assert "invalid name" in refused(escaping, senior)


@pytest.mark.parametrize(
    ("content", "name", "expected"),
    [
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "old.xls", "old Excel"),
        (b"number,state\n", "register.xlsx", "not an XLSX workbook"),
        (b"PK\x03\x04 not really", "register.xlsx", "not a valid XLSX"),
        (b"PK\x03\x04 not really", "register.csv", "ZIP archive"),
        (b"number\n", "register.pdf", "CSV (.csv) or XLSX"),
        ("número\n".encode("latin-1"), "register.csv", "UTF-8"),
        (b"", "register.csv", "empty"),
    ],
)
def test_a_file_that_is_not_what_it_says_is_refused(senior, content, name, expected):
    assert expected in refused(content, senior, name)


def test_a_formula_cell_in_a_workbook_is_reported_never_evaluated(senior):
    row = company("FX-1")
    values = [row[h] for h in HEADERS]
    values[HEADERS.index("legal_name")] = '=HYPERLINK("http://evil.example","x")'
    values[HEADERS.index("site_postal_code")] = "=9000+750"
    dry_run = stage_import(upload=upload(xlsx_bytes([values]), "r.xlsx"), by=senior)
    assert [(e.row, e.column) for e in dry_run.errors if "formula" in e.message] == [
        (2, "legal_name"),
        (2, "site_postal_code"),
    ]
    assert dry_run.legacy_import.state == ImportState.REFUSED and not Licence.objects.exists()


def test_a_formula_in_a_csv_file_is_refused_too(senior):
    row = company("FX-2", trade_name="=1+1")
    dry_run = stage_import(upload=upload(csv_bytes([row])), by=senior)
    assert [(e.row, e.column) for e in dry_run.errors] == [(2, "trade_name")]


def test_text_our_export_escaped_reads_back_as_the_text(senior):
    # escaping.py writes "'=..." for text a spreadsheet would run: the quote goes on import.
    row = company("FX-3", trade_name="'=Nordkapp")
    dry_run = stage_import(upload=upload(csv_bytes([row])), by=senior)
    assert dry_run.errors == []
    assert dry_run.legacy_import is not None
