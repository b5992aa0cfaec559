"""Checking a PDF someone holds (the upload form of ``/verify/document/``): is it signed by the
authority, unchanged since it was signed, and which issued document is it.

The file is read in memory and nothing of it is kept. pyHanko validates the signature against
``DOCUMENT_SIGNING_TRUST_ROOTS`` only, and fetches nothing (no OCSP, CRL or certificate URL
named in an uploaded file is ever requested: the file is the attacker's). The signed bytes'
SHA-256 must also be one the authority stored when it issued the document: a signature that
holds over a file that differs elsewhere (its signature container's padding, say) is reported
as modified, not authentic."""

from __future__ import annotations

import datetime as dt
import enum
import functools
import hashlib
import io
import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _

from licensing.exceptions import DomainError
from licensing.signing.loops import outside_event_loop

logger = logging.getLogger(__name__)

# A PDF may begin with up to 1024 bytes of anything before its header (ISO 32000-1, 7.5.2).
HEADER_WINDOW = 1024


class UnreadablePdf(DomainError):
    default_message = _("This file cannot be read as a PDF: it is damaged or incomplete.")


class NotAPdf(UnreadablePdf):
    default_message = _("This file is not a PDF. Upload the PDF file of the document.")


class EncryptedPdf(UnreadablePdf):
    default_message = _(
        "This PDF is encrypted or password-protected, so it cannot be checked. The authority "
        "never encrypts the documents it issues: this file is not as the authority issued it."
    )


class Outcome(enum.StrEnum):
    # Signed by the authority, and byte for byte the file it issued.
    AUTHENTIC = "authentic"
    # The authority's signed file is intact inside it, but the file was saved again afterwards
    # (an incremental update that changes nothing a reader sees).
    RESAVED = "resaved"
    # Changed since the authority signed it: the signature no longer holds, or content was
    # added after signing, or the file is not the one the authority issued.
    MODIFIED = "modified"
    # Signed, but not with the authority's certificate.
    FOREIGN = "foreign"
    UNSIGNED = "unsigned"


@dataclass(frozen=True)
class PdfCheck:
    outcome: Outcome
    signer: str = ""
    signed_at: dt.datetime | None = None
    timestamped: bool = False
    # The SHA-256 of what the authority issued (the signed revision), to look the document up.
    issued_sha256: str = ""


@functools.cache
def _trust_roots(paths: tuple[str, ...]) -> tuple[Any, ...]:
    from asn1crypto import pem, x509

    roots: list[Any] = []
    for path in paths:
        data = Path(path).read_bytes()
        blocks = pem.unarmor(data, multiple=True) if pem.detect(data) else [(None, None, data)]
        roots.extend(x509.Certificate.load(der) for _, _, der in blocks)
    return tuple(roots)


@receiver(setting_changed)
def _forget_roots(*, setting: str, **kwargs: Any) -> None:
    if setting == "DOCUMENT_SIGNING_TRUST_ROOTS":
        _trust_roots.cache_clear()


def validation_context(moment: dt.datetime | None = None) -> Any:
    """The authority's roots only, nothing fetched: revocation is checked softly (a document
    signed by a revoked key is the operator's to catch, through docs/signing.md's plan).
    ``moment``: validate as of then (the signing time the authority recorded), so that a
    document kept for years (Art. 9.5(a)) still verifies after its certificate expired."""
    from pyhanko_certvalidator import ValidationContext

    try:
        roots = _trust_roots(tuple(settings.DOCUMENT_SIGNING_TRUST_ROOTS))
    except OSError:
        logger.exception("the trust roots of DOCUMENT_SIGNING_TRUST_ROOTS cannot be read")
        roots = ()
    return ValidationContext(
        trust_roots=list(roots),
        allow_fetching=False,
        revocation_mode="soft-fail",
        moment=moment,
        best_signature_time=moment,
    )


def _reader(data: bytes) -> Any:
    from pyhanko.pdf_utils.decode_limits import DecodeLimits
    from pyhanko.pdf_utils.reader import PdfFileReader

    if b"%PDF-" not in data[: HEADER_WINDOW + 8]:
        raise NotAPdf()
    try:
        reader = PdfFileReader(
            io.BytesIO(data), strict=False, decode_limits=DecodeLimits.for_untrusted_input()
        )
    except Exception as error:  # any parse failure of a hostile or broken file
        raise UnreadablePdf() from error
    if reader.encrypted:
        raise EncryptedPdf()
    return reader


def _signed_revision_end(signature: Any) -> int:
    """Where the signed revision ends: the end of the signature's second byte range."""
    start, length = int(signature.byte_range[2]), int(signature.byte_range[3])
    return start + length


def check_pdf(
    data: bytes, *, recorded_signing_time: Callable[[str], dt.datetime | None] | None = None
) -> PdfCheck:
    """What the file is; raises ``UnreadablePdf`` (or its kinds) for a file that cannot be
    checked. ``recorded_signing_time(sha256)``: when the authority's register says it signed
    the file with these signed bytes, if it did; the certificates are validated as of then."""
    from pyhanko.sign.diff_analysis import ModificationLevel
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.status import SignatureCoverageLevel

    reader = _reader(data)
    try:
        signatures = reader.embedded_signatures
    except Exception as error:
        raise UnreadablePdf() from error
    if not signatures:
        return PdfCheck(Outcome.UNSIGNED, issued_sha256=hashlib.sha256(data).hexdigest())
    # The authority's signature is the document's first (any later one is someone else's).
    signature = signatures[0]
    try:
        issued = hashlib.sha256(data[: _signed_revision_end(signature)]).hexdigest()
        moment = recorded_signing_time(issued) if recorded_signing_time else None
        context = validation_context(moment)
        status = outside_event_loop(
            lambda: validate_pdf_signature(
                signature, signer_validation_context=context, ts_validation_context=context
            )
        )
        signer = str(signature.signer_cert.subject.human_friendly)
    except Exception:
        # A signature container or byte range that cannot be read: someone changed it.
        logger.info("uploaded PDF: the signature cannot be validated", exc_info=True)
        return PdfCheck(Outcome.MODIFIED)
    # The TSA's time only when its token holds and chains to a trusted root.
    timestamp = status.timestamp_validity
    timestamped = bool(timestamp is not None and timestamp.valid and timestamp.trusted)
    found = PdfCheck(
        Outcome.MODIFIED,
        signer=signer,
        signed_at=(
            timestamp.timestamp
            if timestamp is not None and timestamped
            else status.signer_reported_dt
        ),
        timestamped=timestamped,
    )
    if not (status.intact and status.valid):
        return found
    if not status.trusted:
        return replace(found, outcome=Outcome.FOREIGN)
    found = replace(found, issued_sha256=issued)
    if status.coverage == SignatureCoverageLevel.ENTIRE_FILE:
        return replace(found, outcome=Outcome.AUTHENTIC)
    benign = (ModificationLevel.NONE, ModificationLevel.LTA_UPDATES)
    if (
        status.coverage == SignatureCoverageLevel.ENTIRE_REVISION
        and status.docmdp_ok
        and status.modification_level in benign
    ):
        return replace(found, outcome=Outcome.RESAVED)
    return found
