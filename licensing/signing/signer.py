"""Signing issued documents with the authority's certificate (PAdES, ETSI EN 319 142-1).

Every document the authority issues (the printed licence, the decision letters, the destruction
certificate of Art. 6.3(i) and 18, the inspection report of Art. 6.3(e)) is signed here, once,
by ``licensing.services.issuing.issue_document``, before its SHA-256 is taken:

- baseline B-T (the signature with an RFC 3161 timestamp) when ``DOCUMENT_SIGNING_TSA_URL``
  names a timestamp authority, B-B otherwise;
- a visible stamp on page 1, in the top margin, names the authority, the time and the
  document code, in the document's language;
- the key is read from a PKCS#12 file (``DOCUMENT_SIGNING_PKCS12`` and its passphrase) or
  from an HSM through PKCS#11 (``DOCUMENT_SIGNING_PKCS11_MODULE`` and the token, key and PIN
  settings), never from the database or the repository.

Any failure to sign (no key, a wrong passphrase or PIN, an unreachable timestamp authority)
raises ``SigningFailed``: no document is ever issued unsigned."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import io
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from asn1crypto import x509 as asn1_x509
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils import timezone, translation
from django.utils.translation import gettext

from licensing.authority import authority_name
from licensing.models.issued import SignatureLevel
from licensing.signing.errors import SigningFailed
from licensing.signing.hsm import forget_sessions, pkcs11_signer
from licensing.signing.loops import outside_event_loop

__all__ = ["Signed", "SigningFailed", "configured_signer", "sign_pdf"]

logger = logging.getLogger(__name__)

FIELD_NAME = "AuthoritySignature"
# The stamp's box on page 1 (PDF points from the bottom left of an A4 page): in the top
# margin (20 mm) on the right, clear of the page's content and of the footer.
STAMP_BOX = (318, 786, 577, 838)


@dataclass(frozen=True)
class Signed:
    pdf: bytes
    level: str
    signer: str  # the signing certificate's subject, as people read it
    certificate_sha256: str
    signed_at: dt.datetime


def _subject(certificate: asn1_x509.Certificate) -> str:
    return str(certificate.subject.human_friendly)


def _fingerprint(certificate: asn1_x509.Certificate) -> str:
    return hashlib.sha256(certificate.dump()).hexdigest()


def _load_pkcs12(data: bytes, passphrase: str) -> Any:
    """pyHanko's SimpleSigner, keeping the parsed private key: pyHanko's own parses it again
    for every signature, and an RSA key's parse checks it (about 0.1 s for 3072 bits, twice
    per document); this one parses it once per process."""
    from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
    from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey
    from cryptography.hazmat.primitives.serialization import pkcs12
    from pyhanko.keys.internal import (
        translate_pyca_cryptography_cert_to_asn1,
        translate_pyca_cryptography_key_to_asn1,
    )
    from pyhanko.sign import signers
    from pyhanko.sign.general import get_pyca_cryptography_hash
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    key, certificate, chain = pkcs12.load_key_and_certificates(data, passphrase.encode() or None)
    if key is None or certificate is None:
        raise ValueError("the file holds no private key and certificate")

    class KeptKeySigner(signers.SimpleSigner):
        def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
            mechanism = self.get_signature_mechanism_for_digest(digest_algorithm)
            if mechanism.signature_algo == "rsassa_pkcs1v15" and isinstance(key, RSAPrivateKey):
                return key.sign(data, PKCS1v15(), get_pyca_cryptography_hash(digest_algorithm))
            return bytes(super().sign_raw(data, digest_algorithm))

    store = SimpleCertificateStore()
    store.register_multiple([translate_pyca_cryptography_cert_to_asn1(c) for c in chain])
    return KeptKeySigner(
        signing_key=translate_pyca_cryptography_key_to_asn1(key),
        signing_cert=translate_pyca_cryptography_cert_to_asn1(certificate),
        cert_registry=store,
    )


@functools.cache
def _pkcs12_signer(path: str, passphrase: str) -> Any:
    if not Path(path).is_file():
        raise SigningFailed(f"no signing key: {path} does not exist (DOCUMENT_SIGNING_PKCS12)")
    try:
        return _load_pkcs12(Path(path).read_bytes(), passphrase)
    except Exception as error:  # a wrong passphrase, or not a PKCS#12 file
        raise SigningFailed(
            f"the PKCS#12 file {path} cannot be opened (wrong passphrase?): {error}"
        ) from error


def configured_signer() -> Any:
    """The pyHanko signer of the settings: the HSM when a PKCS#11 module is named, else the
    PKCS#12 file."""
    module = settings.DOCUMENT_SIGNING_PKCS11_MODULE
    if module:
        return pkcs11_signer(
            module,
            settings.DOCUMENT_SIGNING_PKCS11_TOKEN,
            settings.DOCUMENT_SIGNING_PKCS11_KEY_LABEL,
            settings.DOCUMENT_SIGNING_PKCS11_CERT_LABEL,
            settings.DOCUMENT_SIGNING_PKCS11_PIN,
        )
    path = str(settings.DOCUMENT_SIGNING_PKCS12 or "")
    if not path:
        raise SigningFailed("no signing key configured (DOCUMENT_SIGNING_PKCS12)")
    return _pkcs12_signer(path, settings.DOCUMENT_SIGNING_PASSPHRASE)


@receiver(setting_changed)
def _forget_keys(*, setting: str, **kwargs: Any) -> None:
    if setting.startswith("DOCUMENT_SIGNING"):
        _pkcs12_signer.cache_clear()
        _http_timestamper.cache_clear()
        _reserved.clear()
        forget_sessions()


@functools.cache
def _http_timestamper(url: str, timeout: int) -> Any:
    """One per process and URL: pyHanko asks a new timestamper for a dummy token first (to
    size the signature), and a kept one asks only once."""
    from pyhanko.sign import timestamps

    return timestamps.HTTPTimeStamper(url, https=url.startswith("https:"), timeout=timeout)


def _timestamper() -> Any:
    url = settings.DOCUMENT_SIGNING_TSA_URL
    if not url:
        return None
    return _http_timestamper(url, settings.DOCUMENT_SIGNING_TSA_TIMEOUT)


# The room a signature takes (bytes), by signing certificate and TSA: pyHanko sizes it with a
# dry run of the whole signature (a third of its time) unless told; the first document of
# each pair is sized that way, the next ones reuse the size with a margin.
_reserved: dict[tuple[str, str], int] = {}
RESERVE_MARGIN = 1024


def _reserved_size(data: bytes) -> int:
    """The signature's room in a signed file, as pyHanko counts it: the length of the
    /Contents hex string."""
    start = data.rindex(b"/Contents <") + len(b"/Contents <")
    return data.index(b">", start) - start


# The letters a stamp may need: Latin-1, Latin Extended-A and -B (Norwegian, Hungarian and
# the other Parties' names in Latin script), general punctuation and the euro sign.
STAMP_UNICODES = [*range(0x20, 0x250), *range(0x2000, 0x2070), 0x20AC]


@functools.cache
def _stamp_font_bytes(path: str) -> bytes:
    """The stamp's font cut down to ``STAMP_UNICODES``, once per process: pyHanko reads and
    subsets the whole font for every signature otherwise (DejaVu Sans: 0.4 s a document)."""
    from fontTools import subset, ttLib

    logging.getLogger("fontTools").setLevel(logging.WARNING)
    font = ttLib.TTFont(path)
    options = subset.Options()
    # No layout tables (kerning, ligatures) and no hinting: a seven-point stamp does without,
    # and pyHanko would decode them again for every signature (half of its time).
    options.layout_features = []
    options.hinting = False
    options.notdef_outline = True
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=STAMP_UNICODES)
    subsetter.subset(font)
    buffer = io.BytesIO()
    font.save(buffer)
    return buffer.getvalue()


def _stamp_font() -> Any:
    from pyhanko.pdf_utils.font.opentype import GlyphAccumulator, GlyphAccumulatorFactory

    try:
        font = _stamp_font_bytes(settings.DOCUMENT_SIGNING_STAMP_FONT)
    except OSError as error:
        raise SigningFailed(f"the stamp's font cannot be read: {error}") from error

    class StampFont(GlyphAccumulatorFactory):
        def create_font_engine(self, writer: Any, obj_stream: Any = None) -> GlyphAccumulator:
            if obj_stream is None and writer.stream_xrefs and self.create_objstream_if_needed:
                obj_stream = writer.prepare_object_stream()
            return GlyphAccumulator(
                writer=writer,
                font_handle=io.BytesIO(font),
                font_size=self.font_size,
                obj_stream=obj_stream,
            )

    return StampFont(settings.DOCUMENT_SIGNING_STAMP_FONT, font_size=7)


def _stamp_style(*, code: str, when: dt.datetime) -> Any:
    from pyhanko.pdf_utils.text import TextBoxStyle
    from pyhanko.stamp import TextStampStyle

    # The authority's name, the time and the code in the document's language; stamp_text is a
    # %-format string, so a "%" in the authority's name is doubled.
    lines = [
        gettext("Signed electronically by %(authority)s")
        % {"authority": authority_name(settings.AUTHORITY_NAME)},
        gettext("Time: %(time)s") % {"time": when.strftime("%Y-%m-%d %H:%M:%S %Z")},
        gettext("Document code: %(code)s") % {"code": code},
    ]
    return TextStampStyle(
        stamp_text="\n".join(line.replace("%", "%%") for line in lines),
        text_box_style=TextBoxStyle(font=_stamp_font(), font_size=7),
        border_width=1,
    )


def sign_pdf(pdf: bytes, *, code: str, language: str) -> Signed:
    """Sign ``pdf`` as the authority: a visible stamp on page 1 naming the authority, the time
    and ``code``, in ``language``."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    signer = configured_signer()
    timestamper = _timestamper()
    when = timezone.localtime()
    with translation.override(language):
        style = _stamp_style(code=code, when=when)
        meta = signers.PdfSignatureMetadata(
            field_name=FIELD_NAME,
            subfilter=fields.SigSeedSubFilter.PADES,
            md_algorithm="sha256",
            reason=gettext("Issued by the authority; document code %(code)s") % {"code": code},
            location=settings.DOCUMENT_SIGNING_LOCATION,
            name=authority_name(settings.AUTHORITY_NAME),
        )
    pdf_signer = signers.PdfSigner(
        meta,
        signer=signer,
        timestamper=timestamper,
        stamp_style=style,
        new_field_spec=fields.SigFieldSpec(FIELD_NAME, on_page=0, box=STAMP_BOX),
    )
    room = (_fingerprint(signer.signing_cert), settings.DOCUMENT_SIGNING_TSA_URL)
    try:
        try:
            out = outside_event_loop(
                lambda: pdf_signer.sign_pdf(
                    IncrementalPdfFileWriter(io.BytesIO(pdf)), bytes_reserved=_reserved.get(room)
                )
            )
        except Exception:
            if room not in _reserved:
                raise
            # A signature larger than the last (a longer timestamp token): sized afresh.
            _reserved.pop(room, None)
            out = outside_event_loop(
                lambda: pdf_signer.sign_pdf(IncrementalPdfFileWriter(io.BytesIO(pdf)))
            )
        if room not in _reserved:
            _reserved[room] = _reserved_size(out.getvalue()) + RESERVE_MARGIN
    except SigningFailed:
        raise
    except Exception as error:
        where = (
            f"the timestamp authority {settings.DOCUMENT_SIGNING_TSA_URL}" if timestamper else ""
        )
        raise SigningFailed(f"signing failed{' at ' + where if where else ''}: {error}") from error
    certificate = signer.signing_cert
    return Signed(
        pdf=out.getvalue(),
        level=(SignatureLevel.B_T if timestamper is not None else SignatureLevel.B_B).value,
        signer=_subject(certificate),
        certificate_sha256=_fingerprint(certificate),
        # The time on the stamp (with B-T, the TSA's own time is inside the signature).
        signed_at=when,
    )
