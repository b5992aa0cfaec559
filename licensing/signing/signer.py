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
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from asn1crypto import x509 as asn1_x509
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from licensing.authority import authority_name
from licensing.exceptions import DomainError
from licensing.models.issued import SignatureLevel

logger = logging.getLogger(__name__)

FIELD_NAME = "AuthoritySignature"
# The stamp's box on page 1 (PDF points from the bottom left of an A4 page): in the top
# margin (20 mm) on the right, clear of the page's content and of the footer.
STAMP_BOX = (318, 786, 577, 838)


class SigningFailed(DomainError):
    default_message = _(
        "The document could not be signed with the authority's signing key, so it was not "
        "issued. The key or the timestamp service needs an administrator's attention."
    )

    def __init__(self, detail: str) -> None:
        super().__init__()
        # For the log and the registrar's alert: which setting or service failed (never the
        # passphrase or the PIN).
        self.detail = detail


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


class _Pkcs11Sessions(dict[tuple[str, str, str], Any]):
    """The open sessions, by module, token and PIN. A session is closed (logged out) when it
    is dropped: one left open keeps the token logged in, and the next session's log-in then
    fails (CKR_USER_ALREADY_LOGGED_IN). A PIN the token refused is kept too, and not tried
    again until the settings change: an HSM locks its user PIN after a few wrong ones, and
    every print job would try."""

    def __init__(self) -> None:
        super().__init__()
        self.refused: set[tuple[str, str, str]] = set()
        self.lock = threading.Lock()

    def discard(self, key: tuple[str, str, str]) -> None:
        session = self.pop(key, None)
        if session is not None:
            try:
                session.close()
            except Exception:  # a session the HSM already dropped
                logger.info("PKCS#11 session on %r not closed cleanly", key[1], exc_info=True)

    def clear(self) -> None:
        for key in list(self):
            self.discard(key)
        self.refused.clear()


_pkcs11_sessions = _Pkcs11Sessions()


def _pkcs11_error(error: BaseException) -> str:
    # python-pkcs11's errors mostly carry no message: their class names the PKCS#11 code.
    return f"{type(error).__name__}: {error}" if str(error) else type(error).__name__


def _pkcs11_signer(module: str, token: str, key_label: str, cert_label: str, pin: str) -> Any:
    """One session per process and token: an HSM limits its sessions, and opening one per
    document would cost a log-in each time. The key and certificate are looked up here, so
    that a wrong label, or a session the HSM dropped (a restart), fails here: a dropped
    session is replaced once."""
    from pkcs11.exceptions import PinIncorrect, PinLocked
    from pyhanko.config.pkcs11 import TokenCriteria
    from pyhanko.sign import pkcs11

    session_key = (module, token, pin)
    where = f"the HSM token {token!r} ({module})"
    with _pkcs11_sessions.lock:
        if session_key in _pkcs11_sessions.refused:
            raise SigningFailed(f"{where} refused the PIN (DOCUMENT_SIGNING_PKCS11_PIN)")
        for attempt in (1, 2):
            session = _pkcs11_sessions.get(session_key)
            cached = session is not None
            try:
                if session is None:
                    # Another PIN's session on the token would make this log-in fail.
                    for other in [k for k in _pkcs11_sessions if k[:2] == session_key[:2]]:
                        _pkcs11_sessions.discard(other)
                    session = pkcs11.open_pkcs11_session(
                        module, token_criteria=TokenCriteria(label=token), user_pin=pin
                    )
                    _pkcs11_sessions[session_key] = session
                signer = pkcs11.PKCS11Signer(
                    session, key_label=key_label, cert_label=cert_label or key_label
                )
                signer.signing_cert  # noqa: B018 (finds the certificate and the key)
                return signer
            except (PinIncorrect, PinLocked) as error:
                _pkcs11_sessions.refused.add(session_key)
                raise SigningFailed(
                    f"{where} refused the PIN (DOCUMENT_SIGNING_PKCS11_PIN): {_pkcs11_error(error)}"
                ) from error
            except Exception as error:
                _pkcs11_sessions.discard(session_key)
                if cached and attempt == 1:
                    logger.warning("%s: the open session failed, opening another", where)
                    continue
                raise SigningFailed(f"{where} cannot be used: {_pkcs11_error(error)}") from error
    raise AssertionError("unreachable")


def configured_signer() -> Any:
    """The pyHanko signer of the settings: the HSM when a PKCS#11 module is named, else the
    PKCS#12 file."""
    module = settings.DOCUMENT_SIGNING_PKCS11_MODULE
    if module:
        return _pkcs11_signer(
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
        _pkcs11_sessions.clear()


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
            out = pdf_signer.sign_pdf(
                IncrementalPdfFileWriter(io.BytesIO(pdf)), bytes_reserved=_reserved.get(room)
            )
        except Exception:
            if room not in _reserved:
                raise
            # A signature larger than the last (a longer timestamp token): sized afresh.
            _reserved.pop(room, None)
            out = pdf_signer.sign_pdf(IncrementalPdfFileWriter(io.BytesIO(pdf)))
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
