"""A return uploaded as a CSV or XLSX file (Art. 9.2): one row per product line, supplier,
customer or payment, told apart by the ``kind`` column; the other columns are the form's
field names. The file is read by the project's safe reader (size first, zip and XML bombs and
formulas refused) and every row is checked by the same form as the portal's. All or nothing:
a file with any error files nothing, and each error names its row and column."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from typing import IO, Any

from django.conf import settings
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from licensing.exchange.reading import RowError, UnreadableFile, open_rows
from returns.forms import DUPLICATE_LINE, CounterpartForm, LineForm, PaymentForm, duplicate_line
from returns.services.filing import ReturnData

# The kinds of row, and the form that checks each; a counterpart's role is its kind.
KINDS: dict[str, type[Any]] = {
    "line": LineForm,
    "supplier": CounterpartForm,
    "customer": CounterpartForm,
    "payment": PaymentForm,
}
COLUMNS_OF: dict[str, list[str]] = {
    kind: [name for name in form.base_fields if name != "role"] for kind, form in KINDS.items()
}
COLUMNS: list[str] = ["kind"]
for _names in COLUMNS_OF.values():
    COLUMNS.extend(name for name in _names if name not in COLUMNS)
# Errors kept for the page: enough to fix a file, not a page of a hundred thousand lines.
MAX_ERRORS = 200

EXAMPLE_ROWS: list[dict[str, str]] = [
    {
        "kind": "line",
        "product_type": "cigarettes",
        "measure": "units",
        "stock_start": "1000",
        "imported": "10000",
        "sold": "9000",
        "stock_end": "2000",
    },
    {
        "kind": "supplier",
        "name": "Tobacco Supplier GmbH",
        "country": "DE",
        "tax_number": "DE136695976",
        "product_type": "cigarettes",
        "measure": "units",
        "quantity": "10000",
        "traded_on": "2026-03-28",
    },
    {
        "kind": "customer",
        "name": "Kunde AS",
        "country": "NO",
        "registration_number": "923609016",
        "product_type": "cigarettes",
        "measure": "units",
        "quantity": "9000",
    },
    {
        "kind": "payment",
        "method": "transfer",
        "bank_name": "DNB Bank ASA",
        "bank_country": "NO",
        "amount": "50000.00",
        "currency": "NOK",
    },
]


@dataclass
class DryRun:
    """What a file would file: its rows as read (kept to file them after the confirmation),
    the cleaned data, and every error; ``data`` is None while there is any error."""

    headers: list[str] = field(default_factory=list)
    rows: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    data: ReturnData | None = None
    errors: list[RowError] = field(default_factory=list)
    more_errors: int = 0
    _cells: set[tuple[int, str]] = field(default_factory=set, repr=False)

    @property
    def ok(self) -> bool:
        return not self.errors and self.data is not None

    def refuse(self, row: int, column: str, message: Any) -> None:
        if (row, column) in self._cells and row:
            return  # one message a cell: a formula's cell is not also "required"
        self._cells.add((row, column))
        if len(self.errors) < MAX_ERRORS:
            self.errors.append(RowError(row, column, str(message)))
        else:
            self.more_errors += 1


def check_upload(file: IO[bytes], filename: str, size: int) -> DryRun:
    """Read and check an uploaded file; nothing is saved. The size is checked before a byte
    is read, the row count while reading."""
    dry_run = DryRun()
    if size > settings.RETURN_MAX_BYTES:
        dry_run.refuse(
            0,
            "",
            _("The file is larger than %(mb)s MB.")
            % {"mb": f"{settings.RETURN_MAX_BYTES / 2**20:g}"},
        )
        return dry_run
    try:
        stream = open_rows(file, filename)
        dry_run.headers = stream.headers
        if not _check_header(stream.headers, dry_run):
            return dry_run
        limit = settings.RETURN_MAX_ROWS
        for number, row, errors in stream.rows:
            if len(dry_run.rows) >= limit:
                dry_run.errors.clear()
                dry_run.more_errors = 0
                dry_run.refuse(
                    0,
                    "",
                    _("The file has more than %(limit)s rows; a return has at most that many.")
                    % {"limit": limit},
                )
                return dry_run
            for error in errors:
                dry_run.refuse(error.row, error.column, error.message)
            dry_run.rows.append((number, {k: v for k, v in row.items() if v}))
    except UnreadableFile as error:
        dry_run.errors.clear()
        dry_run.more_errors = 0
        dry_run.refuse(0, "", str(error))
        return dry_run
    return check_rows(dry_run.headers, dry_run.rows, dry_run)


def _check_header(headers: list[str], dry_run: DryRun) -> bool:
    seen: set[str] = set()
    for index, header in enumerate(headers, start=1):
        if not header:
            dry_run.refuse(
                1,
                "",
                _("Column %(number)s has no name; name it or remove it.") % {"number": index},
            )
        elif header not in COLUMNS:
            dry_run.refuse(
                1,
                header,
                _("Unknown column “%(column)s”. The columns are: %(columns)s.")
                % {"column": header, "columns": ", ".join(COLUMNS)},
            )
        elif header in seen:
            dry_run.refuse(
                1, header, _("The column “%(column)s” is there twice.") % {"column": header}
            )
        seen.add(header)
    if "kind" not in seen:
        dry_run.refuse(1, "kind", _("The column “kind” is missing: it says what each row is."))
    return not dry_run.errors


def _required_columns(kind: str) -> list[str]:
    form = KINDS[kind]
    return [name for name in COLUMNS_OF[kind] if form.base_fields[name].required]


def check_rows(
    headers: list[str], rows: list[tuple[int, dict[str, str]]], dry_run: DryRun | None = None
) -> DryRun:
    """Check rows as read from a file (``row number``, cells by column) with the portal's
    forms; also used again, on the kept rows, when the user confirms."""
    dry_run = dry_run or DryRun(headers=headers, rows=rows)
    kinds = {row.get("kind", "").strip().lower() for _number, row in rows}
    missing = [
        column
        for kind in KINDS
        if kind in kinds
        for column in _required_columns(kind)
        if column not in headers
    ]
    if missing:
        for column in dict.fromkeys(missing):
            dry_run.refuse(1, column, _("The column “%(column)s” is missing.") % {"column": column})
        return dry_run
    data = ReturnData()
    seen: dict[tuple[str, str], Any] = {}
    for number, row in rows:
        kind = row.get("kind", "").strip().lower()
        if kind not in KINDS:
            dry_run.refuse(
                number,
                "kind",
                _("Unknown kind “%(kind)s”. Use line, supplier, customer or payment.")
                % {"kind": row.get("kind", "")},
            )
            continue
        for column, value in row.items():
            if column != "kind" and column not in COLUMNS_OF[kind] and value.strip():
                dry_run.refuse(
                    number,
                    column,
                    _("This column is not used in a “%(kind)s” row; leave it empty.")
                    % {"kind": kind},
                )
        fields = {name: row.get(name, "") for name in COLUMNS_OF[kind]}
        if KINDS[kind] is CounterpartForm:
            fields["role"] = kind
        form = KINDS[kind](fields)
        if not form.is_valid():
            for column, messages in form.errors.items():
                for message in messages:
                    dry_run.refuse(number, "" if column == "__all__" else column, message)
            continue
        cleaned = form.cleaned_data
        if kind == "line":
            earlier = duplicate_line(seen, cleaned, number)
            if earlier is not None:
                where = gettext("row %(number)s") % {"number": earlier}
                dry_run.refuse(number, "product_type", DUPLICATE_LINE % {"where": where})
                continue
            data.lines.append(cleaned)
        elif kind == "payment":
            data.payments.append(cleaned)
        else:
            data.counterparts.append(cleaned)
    if not dry_run.errors and not data.lines:
        dry_run.refuse(0, "kind", _("The file has no product line (a row of kind “line”)."))
    if not dry_run.errors:
        dry_run.data = data
    return dry_run


def template_csv() -> str:
    """The downloadable template: the header and one example row of each kind."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    for row in EXAMPLE_ROWS:
        writer.writerow(row)
    return out.getvalue()
