"""Posting the filing steps as a browser would (Art. 6.3(b))."""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.factories import PDF_BYTES

IBAN_NO = "NO9386011117947"
ORGNR = "988077917"


def step(public_id: Any, slug: str) -> str:
    return reverse("portal:apply_step", kwargs={"public_id": public_id, "step": slug})


def formset(prefix: str, rows: list[dict[str, Any]], initial: int = 0) -> dict[str, Any]:
    data: dict[str, Any] = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for i, row in enumerate(rows):
        for key, value in row.items():
            data[f"{prefix}-{i}-{key}"] = value
    return data


LEGAL_IDENTITY = {
    "legal_name": "Nordkapp Tobakk AS",
    "trade_name": "Nordkapp",
    "registration_number": ORGNR,
    "country": "NO",
    "date_of_incorporation": "2010-05-04",
    "place_of_incorporation": "Oslo",
    "headquarters_address": "Karl Johans gate 2\n0154 Oslo",
    "principal_place_of_business": "Havnegata 1\n9008 Tromsø",
    "address": "",
    "email": "post@nordkapp.example",
    "phone": "+47 22 00 00 01",
}

NATURAL_IDENTITY = {
    "legal_name": "Kari Nordmann",
    "trade_name": "",
    "registration_number": "",
    "country": "NO",
    "date_of_birth": "1980-01-02",
    "nationality": "NO",
    "identity_document_type": "passport",
    "identity_document_number": "P1234567",
    "identity_document_country": "NO",
    "identity_document_expires_on": "2031-01-01",
    "address": "Storgata 1\n0155 Oslo",
    "email": "kari@example.com",
    "phone": "",
}


def director(name: str, number: str, role: str = "director") -> dict[str, Any]:
    return {
        "role": role,
        "full_name": name,
        "date_of_birth": "1970-03-04",
        "nationality": "NO",
        "identity_document_type": "passport",
        "identity_document_number": number,
        "identity_document_country": "NO",
        "identity_document_expires_on": "2030-01-01",
    }


SITE = {
    "kind": "warehouse",
    "name": "Lager Alnabru",
    "street_address": "Strømsveien 200",
    "postal_code": "0668",
    "municipality": "Oslo",
    "region": "",
    "country": "NO",
    "latitude": "59.930000",
    "longitude": "10.840000",
}

BANK = {
    "iban": IBAN_NO,
    "account_number": "",
    "bic": "DNBANOKKXXX",
    "bank_name": "DNB",
    "bank_country": "NO",
    "holder_name": "Nordkapp Tobakk AS",
    "intended_use": "trade payments",
}

MARKET = {
    "product_type": "cigarettes",
    "market": "NO",
    "intended_use": "wholesale to retailers",
    "anticipated_demand": "5000000",
}


def pdf(name: str = "articles.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF_BYTES, content_type="application/pdf")


def fake_pdf(name: str = "articles.pdf") -> SimpleUploadedFile:
    """A Windows executable renamed .pdf, sent with a PDF content type."""
    return SimpleUploadedFile(name, b"MZ\x90\x00" + b"\x00" * 200, content_type="application/pdf")
