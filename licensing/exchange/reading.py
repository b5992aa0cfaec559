"""Reading an uploaded register file into rows of text, safely (Art. 9.2, 21.1(a)).

Nothing here trusts the upload: the size is capped before a byte is parsed; an XLSX file is a
ZIP archive whose directory is inspected with ``zipfile`` before any XML parser sees it (member
count, declared sizes, compression ratios, encryption, odd names), so a zip bomb is refused
from its directory alone; its XML is parsed by openpyxl only while ``defusedxml`` is installed
(``openpyxl.DEFUSEDXML``), which refuses entity declarations (billion laughs) and external
entities. Formula cells are never evaluated: a cell holding a formula is reported as an error.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
import logging
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any

from django.conf import settings
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from licensing.exceptions import DomainError
from licensing.exchange.escaping import first_visible, looks_like_formula
from licensing.models.imports import ImportFormat

logger = logging.getLogger(__name__)

# An XLSX workbook of a few thousand rows has a dozen members and a few megabytes of XML. These
# limits are far above that and far below what would hurt the server.
XLSX_MAX_MEMBERS = 200
XLSX_MAX_UNCOMPRESSED = 50 * 1024 * 1024
XLSX_MAX_RATIO = 100
# Members smaller than this cannot hurt whatever their ratio (a tiny, repetitive styles.xml
# may compress very well); the total above bounds many of them together.
XLSX_RATIO_FROM_BYTES = 256 * 1024
XLSX_REQUIRED_MEMBERS = ("[Content_Types].xml", "xl/workbook.xml")

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # .xls, and password-protected (encrypted) .xlsx


class UnreadableFile(DomainError):
    default_message = _("The file cannot be read as a licence register.")


@dataclass(frozen=True)
class RowError:
    """One problem, where a person finds it in the spreadsheet: ``row`` as the spreadsheet
    numbers it (the header is row 1; 0 for the file as a whole), ``column`` as its header."""

    row: int
    column: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "message": self.message}


@dataclass
class Table:
    file_format: str
    headers: list[str]
    rows: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


def file_format_of(filename: str, head: bytes) -> str:
    """CSV or XLSX, from the name and the first bytes together: a file whose content is not
    what its name says is refused rather than guessed at."""
    name = filename.lower()
    if head.startswith(OLE_MAGIC):
        raise UnreadableFile(
            _(
                "This is an old Excel (.xls) or a password-protected workbook. Save it as an "
                "XLSX workbook without a password, or as CSV."
            )
        )
    if name.endswith(".xlsx"):
        if not head.startswith(ZIP_MAGIC):
            raise UnreadableFile(_("The file is named .xlsx but is not an XLSX workbook."))
        return ImportFormat.XLSX
    if name.endswith((".csv", ".txt")):
        if head.startswith(ZIP_MAGIC):
            raise UnreadableFile(_("The file is named .csv but is a ZIP archive."))
        return ImportFormat.CSV
    raise UnreadableFile(_("Upload a CSV (.csv) or XLSX (.xlsx) file."))


def check_size(size: int) -> None:
    if size <= 0:
        raise UnreadableFile(_("The file is empty."))
    if size > settings.IMPORT_MAX_BYTES:
        raise UnreadableFile(
            _("The file is larger than %(mb)s MB.")
            % {"mb": f"{settings.IMPORT_MAX_BYTES / 2**20:g}"}
        )


def read_table(content: bytes, filename: str) -> Table:
    """The header and the non-empty rows of the file, every cell as stripped text. Raises
    ``UnreadableFile`` for what makes the whole file unusable; cell-level problems (formulas)
    are in ``Table.errors``."""
    stream = open_rows(io.BytesIO(content), filename)
    table = Table(file_format=stream.file_format, headers=stream.headers)
    for number, row, errors in stream.rows:
        table.errors.extend(errors)
        table.rows.append((number, row))
    return table


@dataclass
class RowStream:
    """A register file read as a stream: its header, then its non-empty rows one at a time,
    each as ``(row number, cells by column, the row's reading errors)``. Iterating ``rows``
    may raise ``UnreadableFile`` (a malformed line, more rows than ``IMPORT_MAX_ROWS``)."""

    file_format: str
    headers: list[str]
    rows: Iterator[tuple[int, dict[str, str], list[RowError]]]


def open_rows(file: IO[bytes], filename: str) -> RowStream:
    """Open ``file`` (binary, seekable) as a stream of rows: nothing is read into memory whole.
    The size is checked first, an XLSX archive's directory before any XML is parsed."""
    file.seek(0, io.SEEK_END)
    check_size(file.tell())
    file.seek(0)
    file_format = file_format_of(filename, file.read(8))
    file.seek(0)
    if file_format == ImportFormat.XLSX:
        inspect_xlsx_archive(file)
        file.seek(0)
        lines = _xlsx_lines(file)
    else:
        lines = _csv_lines(file)
    headers = _headers(lines)
    return RowStream(file_format=file_format, headers=headers, rows=_rows(headers, lines))


# CSV


def _csv_lines(file: IO[bytes]) -> Iterator[list[Any]]:
    # With or without the byte-order mark that spreadsheets write (our export too).
    text = io.TextIOWrapper(file, encoding="utf-8-sig", newline="")
    try:
        yield from _csv_text_lines(text)
    except UnicodeDecodeError as exc:
        raise UnreadableFile(
            _("The file is not UTF-8 text. Save the CSV file with the UTF-8 encoding.")
        ) from exc
    finally:
        # The caller's file stays open; if it is closed already (a stream left unfinished and
        # collected later), there is nothing to hand back.
        if not file.closed:
            text.detach()


def _csv_text_lines(text: IO[str]) -> Iterator[list[Any]]:
    first_line = text.readline()
    # The header holds field names only, which contain neither separator: whichever of the two
    # it has is the file's delimiter (spreadsheets in Norway and Hungary write ";").
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(itertools.chain([first_line], text), delimiter=delimiter, strict=True)
    try:
        for line in reader:
            yield [_csv_cell(value) for value in line]
    except csv.Error as exc:
        raise UnreadableFile(
            _("The CSV file is malformed near line %(line)s: %(error)s")
            % {"line": reader.line_num, "error": exc}
        ) from exc


@dataclass(frozen=True)
class Formula:
    text: str


def _csv_cell(value: str) -> Any:
    # CSV has no formulas, but a spreadsheet opening this file would run one: refused alike,
    # also behind spaces, NBSP, a BOM or zero-width characters.
    first = value[:1]
    if "!" <= first <= "~":  # visible ASCII: the first character a reader sees
        return Formula(value) if first == "=" else value
    if first_visible(value) == "=":
        return Formula(value)
    return value


# XLSX


def inspect_xlsx_archive(content: bytes | IO[bytes]) -> None:
    """Refuse an archive that could exhaust memory or hide something, from its directory
    alone: nothing is decompressed here. ``zipfile`` later reads each member only up to its
    declared size (and checks its CRC), so the declared sizes bound what openpyxl can get."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(content) if isinstance(content, bytes) else content)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise UnreadableFile(_("The file is not a valid XLSX workbook (a ZIP archive).")) from exc
    with archive:
        members = archive.infolist()
        if len(members) > XLSX_MAX_MEMBERS:
            raise UnreadableFile(
                _("The workbook has too many parts (%(count)s); at most %(limit)s are accepted.")
                % {"count": len(members), "limit": XLSX_MAX_MEMBERS}
            )
        names: set[str] = set()
        total = 0
        for member in members:
            _check_member(member, names)
            names.add(member.filename)
            total += member.file_size
        if total > XLSX_MAX_UNCOMPRESSED:
            raise UnreadableFile(
                _(
                    "The workbook would unpack to %(mb)s MB; at most %(limit)s MB are accepted. "
                    "It may be a zip bomb."
                )
                % {"mb": total // 2**20, "limit": XLSX_MAX_UNCOMPRESSED // 2**20}
            )
        missing = [name for name in XLSX_REQUIRED_MEMBERS if name not in names]
        if missing:
            raise UnreadableFile(_("The file is a ZIP archive but not an XLSX workbook."))


def _check_member(member: zipfile.ZipInfo, seen: set[str]) -> None:
    name = member.filename
    if member.flag_bits & 0x1:
        raise UnreadableFile(_("The workbook is encrypted. Save it without a password."))
    if member.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        raise UnreadableFile(_("The workbook uses a compression that XLSX does not use."))
    parts = name.replace("\\", "/").split("/")
    if name.startswith("/") or "\\" in name or "\x00" in name or ".." in parts or name in seen:
        raise UnreadableFile(_("The workbook contains a part with an invalid name."))
    if name.lower().endswith("vbaproject.bin"):
        raise UnreadableFile(_("Macro-enabled workbooks are not accepted. Save it as XLSX."))
    if member.file_size > XLSX_RATIO_FROM_BYTES and member.file_size > XLSX_MAX_RATIO * max(
        member.compress_size, 1
    ):
        raise UnreadableFile(
            _(
                "A part of the workbook is compressed more than %(ratio)s times, which "
                "spreadsheets never do. It may be a zip bomb."
            )
            % {"ratio": XLSX_MAX_RATIO}
        )


def _xlsx_lines(file: IO[bytes]) -> Iterator[list[Any]]:
    import openpyxl
    from defusedxml import DefusedXmlException

    if not openpyxl.DEFUSEDXML:
        # Without defusedxml, openpyxl parses entity declarations: no workbook is read then.
        raise UnreadableFile(_("XLSX files cannot be read safely on this server; upload CSV."))
    try:
        workbook = openpyxl.load_workbook(file, read_only=True, data_only=False, keep_links=False)
    except Exception as exc:  # an untrusted file: any parser failure means "cannot read it"
        if _caused_by(exc, DefusedXmlException):
            raise UnreadableFile(_entity_message()) from exc
        logger.info("unreadable XLSX upload: %r", exc)
        raise UnreadableFile(_("The file is not a valid XLSX workbook.")) from exc
    try:
        if not workbook.worksheets:
            raise UnreadableFile(_("The workbook has no sheet."))
        sheet = workbook.worksheets[0]  # the first sheet, whichever was active when saved
        try:
            for row in sheet.iter_rows():
                yield [_xlsx_cell(cell) for cell in row]
        except UnreadableFile:
            raise
        except Exception as exc:
            if _caused_by(exc, DefusedXmlException):
                raise UnreadableFile(_entity_message()) from exc
            logger.info("unreadable XLSX sheet: %r", exc)
            raise UnreadableFile(_("The first sheet of the workbook cannot be read.")) from exc
    finally:
        workbook.close()


def _caused_by(exc: BaseException, kind: type[BaseException]) -> bool:
    """Whether ``kind`` is ``exc`` or in its chain: openpyxl wraps what its parser raised."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, kind):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _entity_message() -> str:
    return gettext(
        "The workbook contains XML entity declarations, which spreadsheets do not write "
        "(it may be an XML bomb). It was not read."
    )


def _xlsx_cell(cell: Any) -> Any:
    value = getattr(cell, "value", None)
    if getattr(cell, "data_type", None) == "f" or (
        isinstance(value, str) and first_visible(value) == "="
    ):
        return Formula(str(value))
    return value


# Rows


def _text(value: Any) -> str:
    """A cell as the text a person sees in it; dates as ISO dates."""
    if type(value) is str:
        return _plain_text(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # a registration number typed as a number
    return _plain_text(str(value))


def _plain_text(value: str) -> str:
    text = value.strip()
    # Our own export puts a quote before text a spreadsheet would take for a formula
    # (escaping.py), also one hidden behind invisible characters: read back, the quote goes and
    # the text is kept as text.
    if text.startswith("'") and looks_like_formula(text[1:]):
        text = text[1:]
    return text


def _headers(lines: Iterator[list[Any]]) -> list[str]:
    header_cells = next(lines, None)
    if header_cells is None or not any(_is_filled(c) for c in header_cells):
        raise UnreadableFile(_("The file has no header row."))
    headers = [
        "" if isinstance(cell, Formula) else _text(cell).strip().lower() for cell in header_cells
    ]
    while headers and not headers[-1]:
        headers.pop()  # trailing empty header cells (spreadsheets keep formatted columns)
    return headers


def _rows(
    headers: list[str], lines: Iterable[list[Any]]
) -> Iterator[tuple[int, dict[str, str], list[RowError]]]:
    limit = settings.IMPORT_MAX_ROWS
    count = 0
    for number, cells in enumerate(lines, start=2):
        if not any(_is_filled(c) for c in cells):
            continue  # blank lines between or after the rows
        if count >= limit:
            raise UnreadableFile(
                _("The file has more than %(limit)s rows. Split it into several imports.")
                % {"limit": limit}
            )
        count += 1
        if len(cells) <= len(headers) and not any(type(cell) is Formula for cell in cells):
            # The usual row: nothing to report while reading it.
            cleaned = {column: _text(cell) for column, cell in zip(headers, cells, strict=False)}
            yield number, cleaned, []
            continue
        row: dict[str, str] = {}
        errors: list[RowError] = []
        for index, cell in enumerate(cells):
            column = headers[index] if index < len(headers) else ""
            if isinstance(cell, Formula):
                errors.append(
                    RowError(
                        number,
                        column,
                        gettext("A formula is not accepted here; enter the value itself."),
                    )
                )
                continue
            if index >= len(headers):
                if _is_filled(cell):
                    errors.append(
                        RowError(number, "", gettext("This row has more cells than the header."))
                    )
                continue
            row[column] = _text(cell)
        yield number, row, errors


def _is_filled(cell: Any) -> bool:
    return isinstance(cell, Formula) or _text(cell) != ""
