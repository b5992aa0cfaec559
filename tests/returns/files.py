"""Builders of the returns' test data: rows of an uploaded file (CSV or XLSX, with the
template's columns) and the portal form's posted formsets."""

from __future__ import annotations

import csv
import io
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from returns.upload import COLUMNS


def line(**changes: Any) -> dict[str, str]:
    """A balanced line of cigarettes in units."""
    row = {
        "product_type": "cigarettes",
        "measure": "units",
        "stock_start": "1000",
        "imported": "10000",
        "sold": "9000",
        "stock_end": "2000",
    }
    return {**row, **changes}


def counterpart(**changes: Any) -> dict[str, str]:
    """A Norwegian customer named by a valid organisation number."""
    row = {
        "role": "customer",
        "name": "Kunde AS",
        "country": "NO",
        "registration_number": "923609016",
        "product_type": "cigarettes",
        "measure": "units",
        "quantity": "9000",
    }
    return {**row, **changes}


def payment(**changes: Any) -> dict[str, str]:
    row = {
        "method": "transfer",
        "bank_name": "DNB Bank ASA",
        "bank_country": "NO",
        "amount": "50000.00",
        "currency": "NOK",
    }
    return {**row, **changes}


# Rows of a file: the kind first, a counterpart's role is its kind.
def line_row(**changes: Any) -> dict[str, str]:
    return {"kind": "line", **line(**changes)}


def customer_row(**changes: Any) -> dict[str, str]:
    row = counterpart(**changes)
    return {"kind": row.pop("role"), **row}


def supplier_row(**changes: Any) -> dict[str, str]:
    return customer_row(role="supplier", **changes)


def payment_row(**changes: Any) -> dict[str, str]:
    return {"kind": "payment", **payment(**changes)}


def a_return() -> list[dict[str, str]]:
    return [line_row(), supplier_row(name="Leverandør AS"), customer_row(), payment_row()]


def csv_bytes(rows: list[dict[str, str]], headers: list[str] | None = None) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=headers or COLUMNS, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


def xlsx_bytes(rows: list[dict[str, Any]], headers: list[str] | None = None) -> bytes:
    headers = headers or COLUMNS
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(headers)
    for row in rows:
        sheet.append([row.get(h, "") for h in headers])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def upload(content: bytes, name: str = "return.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def formsets(
    lines: list[dict[str, Any]] | None = None,
    counterparts: list[dict[str, Any]] | None = None,
    payments: list[dict[str, Any]] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """What the portal's form posts: the three formsets' management forms and rows."""
    data: dict[str, Any] = {}
    for prefix, rows in (
        ("line", lines or []),
        ("counterpart", counterparts or []),
        ("payment", payments or []),
    ):
        data |= {
            f"{prefix}-TOTAL_FORMS": str(len(rows)),
            f"{prefix}-INITIAL_FORMS": "0",
            f"{prefix}-MIN_NUM_FORMS": "0",
            f"{prefix}-MAX_NUM_FORMS": "500",
        }
        for index, row in enumerate(rows):
            data |= {f"{prefix}-{index}-{key}": value for key, value in row.items()}
    return data | extra
