"""What the batch-printing tests share: the admin URLs and a batch started through the
service or the admin's action."""

from __future__ import annotations

import io

from django.urls import reverse
from pypdf import PdfReader

from licensing.models import IssuedDocument, PrintBatch

LICENCES = reverse("admin:licensing_licence_changelist")
SITES = reverse("admin:licensing_site_changelist")
BATCHES = reverse("admin:licensing_printbatch_changelist")


def batch_url(batch: PrintBatch) -> str:
    return reverse("admin:licensing_printbatch_change", args=[batch.pk])


def status_url(batch: PrintBatch) -> str:
    return reverse("admin:licensing_printbatch_status", args=[batch.pk])


def pdf_url(batch: PrintBatch) -> str:
    return reverse("admin:licensing_printbatch_pdf", args=[batch.pk])


def post_action(client, url: str, action: str, pks, **form: str):
    """The changelist's action form; with ``form`` (``_start``, policy, reason) the
    confirmation page's form as well."""
    data = {"action": action, "_selected_action": [str(pk) for pk in pks], **form}
    return client.post(url, data)


def start(client, pks, *, action: str = "print_selected_licences", url: str = LICENCES, **form):
    return post_action(
        client, url, action, pks, _start="1", policy=form.pop("policy", "new_only"), **form
    )


def pdf_reader(data: bytes) -> PdfReader:
    return PdfReader(io.BytesIO(data))


def stored_pages(document: IssuedDocument) -> int:
    with document.file.open("rb") as handle:
        return len(PdfReader(io.BytesIO(handle.read())).pages)
