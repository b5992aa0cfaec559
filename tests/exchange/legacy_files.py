"""Legacy register files for the import tests: CSV and XLSX built from rows of values, and the
hostile workbooks (a zip bomb, XML entity bombs) built as real ZIP archives."""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
from django.core.files.uploadedfile import SimpleUploadedFile

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "legacy-register-example.csv"
# The day the example file's states agree with its dates (active until 2029, expired in 2019).
EXAMPLE_DAY = dt.datetime(2026, 12, 1, 12, 0, tzinfo=dt.UTC)

HEADERS = [
    "number",
    "holder_kind",
    "legal_name",
    "trade_name",
    "registration_number",
    "country",
    "address",
    "email",
    "date_of_incorporation",
    "place_of_incorporation",
    "headquarters_address",
    "principal_place_of_business",
    "date_of_birth",
    "activities",
    "valid_from",
    "expires_on",
    "state",
    "site_name",
    "site_street_address",
    "site_postal_code",
    "site_municipality",
    "site_country",
]


def today() -> dt.date:
    from django.utils import timezone

    return timezone.localdate()


def company(number: str, **overrides: Any) -> dict[str, Any]:
    """A valid row: a legal person's active licence with one site."""
    row: dict[str, Any] = {
        "number": number,
        "holder_kind": "legal",
        "legal_name": "Nordkapp Tobakk AS",
        "trade_name": "Nordkapp",
        "registration_number": "987654321",
        "country": "NO",
        "address": "Postboks 1, 9750 Honningsvåg",
        "email": "post@nordkapp.example",
        "date_of_incorporation": "2001-02-03",
        "place_of_incorporation": "Honningsvåg",
        "headquarters_address": "Storgata 1, 9750 Honningsvåg",
        "principal_place_of_business": "Storgata 1, 9750 Honningsvåg",
        "date_of_birth": "",
        "activities": "import;wholesale",
        "valid_from": (today() - dt.timedelta(days=400)).isoformat(),
        "expires_on": (today() + dt.timedelta(days=300)).isoformat(),
        "state": "active",
        "site_name": "Honningsvåg lager",
        "site_street_address": "Havnegata 3",
        "site_postal_code": "9750",
        "site_municipality": "Nordkapp",
        "site_country": "NO",
    }
    row.update(overrides)
    return row


def person(number: str, **overrides: Any) -> dict[str, Any]:
    """A valid row: a natural person's retail licence, no site."""
    row = company(
        number,
        holder_kind="natural",
        legal_name="Ola Nordmann",
        trade_name="Olas Kiosk",
        registration_number="",
        email="ola@example.org",
        date_of_incorporation="",
        place_of_incorporation="",
        headquarters_address="",
        principal_place_of_business="",
        date_of_birth="1970-01-31",
        activities="retail",
        site_name="",
        site_street_address="",
        site_postal_code="",
        site_municipality="",
        site_country="",
    )
    row.update(overrides)
    return row


def csv_bytes(rows: list[dict[str, Any]], *, delimiter: str = ",", bom: bool = False) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter)
    writer.writerow(HEADERS)
    for row in rows:
        writer.writerow([row.get(h, "") for h in HEADERS])
    return out.getvalue().encode("utf-8-sig" if bom else "utf-8")


def xlsx_bytes(rows: list[list[Any]], headers: list[str] = HEADERS) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def xlsx_from_dicts(rows: list[dict[str, Any]]) -> bytes:
    return xlsx_bytes([[row.get(h, "") for h in HEADERS] for row in rows])


def upload(content: bytes, name: str = "register.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def rezipped(
    content: bytes, replace: dict[str, bytes], *, add_zeros: tuple[str, int] | None = None
):
    """The workbook ``content`` with members replaced, and optionally one more member of
    ``size`` zero bytes (a zip bomb: it deflates about a thousand to one)."""
    source = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info.filename, replace.get(info.filename, source.read(info.filename)))
        if add_zeros is not None:
            name, size = add_zeros
            chunk = b"\0" * 2**20
            with target.open(name, "w", force_zip64=True) as member:
                for _ in range(size // len(chunk)):
                    member.write(chunk)
    return out.getvalue()


LAUGHS = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n'
    b'<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'.encode()
        for i in range(1, 10)
    )
    + b"]>\n"
)


# Where each member is poisoned: a text the workbook of ``company`` rows has there.
TARGETS = {"xl/worksheets/sheet1.xml": b"Nordkapp", "xl/workbook.xml": b'name="Sheet"'}


def _poisoned(content: bytes, member: str, declaration: bytes, use: bytes) -> bytes:
    original = zipfile.ZipFile(io.BytesIO(content)).read(member)
    # Without its XML declaration, if it has one: the DOCTYPE comes first.
    body = original.split(b"?>", 1)[1] if original.startswith(b"<?xml") else original
    target = TARGETS[member]
    assert target in body
    return rezipped(content, {member: declaration + body.replace(target, use, 1)})


def billion_laughs(content: bytes, member: str) -> bytes:
    """A valid ZIP whose ``member`` declares the billion-laughs entities and uses the last."""
    use = b"&lol9;" if b"name=" not in TARGETS[member] else b'name="&lol9;"'
    return _poisoned(content, member, LAUGHS, use)


def external_entity(content: bytes, member: str) -> bytes:
    """A valid ZIP whose ``member`` reads a local file through an external entity."""
    declaration = (
        b'<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
    )
    use = b"&xxe;" if b"name=" not in TARGETS[member] else b'name="&xxe;"'
    return _poisoned(content, member, declaration, use)
