"""The authority's key in an HSM (PKCS#11): a real SoftHSM token signs a real issued document.

Documents are issued under Art. 6 of the WHO FCTC Protocol; the key that signs them may live in
an HSM (``DOCUMENT_SIGNING_PKCS11_*``, licensing/signing/signer.py). SoftHSM2 stands in for the
HSM: a token of the test's own, in a temporary directory, holding a demo key and certificate."""

from __future__ import annotations

import io
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import hashes, serialization

from licensing.models import IssuedDocument
from licensing.services.issuing import issue_licence_document
from licensing.signing.demo import Issued, make_leaf, make_root
from licensing.signing.signer import SigningFailed
from tests.factories import LicenceFactory

MODULE = "/usr/lib/softhsm/libsofthsm2.so"
SOFTHSM_UTIL = shutil.which("softhsm2-util")

pytestmark = [
    pytest.mark.skipif(
        not Path(MODULE).is_file() or SOFTHSM_UTIL is None,
        reason=f"SoftHSM2 is not installed ({MODULE} and softhsm2-util; Debian: softhsm2)",
    ),
    pytest.mark.django_db,
]

TOKEN = "authority-hsm"
KEY_LABEL = "document-signing"
KEY_ID = b"\x01"
PIN = "1234"
SO_PIN = "12345678"
SIGNER_CN = "Test Licensing Authority document signing (HSM)"


@dataclass(frozen=True)
class Hsm:
    root: Issued
    leaf: Issued


def softhsm(*args: str) -> None:
    assert SOFTHSM_UTIL is not None
    # The test's own arguments, to the softhsm2-util on the PATH.
    subprocess.run(  # noqa: S603
        [SOFTHSM_UTIL, *args], check=True, capture_output=True, timeout=30
    )


@pytest.fixture(scope="module")
def hsm(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hsm]:
    """A SoftHSM token holding the signing key (imported by softhsm2-util) and its certificate
    (created with python-pkcs11: softhsm2-util imports keys only)."""
    import pkcs11
    from pkcs11 import Attribute, CertificateType, ObjectClass

    directory = tmp_path_factory.mktemp("softhsm")
    (directory / "tokens").mkdir()
    conf = directory / "softhsm2.conf"
    conf.write_text(
        f"directories.tokendir = {directory / 'tokens'}\n"
        "objectstore.backend = file\nlog.level = ERROR\n"
    )
    root = make_root("Test Licensing Authority HSM root CA", organisation="Test Authority")
    leaf = make_leaf(root, SIGNER_CN, organisation="Test Authority")
    key_pem = directory / "key.pem"
    key_pem.write_bytes(
        leaf.key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    with pytest.MonkeyPatch.context() as monkeypatch:
        # SoftHSM reads its configuration when the library is initialised: before opening it.
        monkeypatch.setenv("SOFTHSM2_CONF", str(conf))
        softhsm("--init-token", "--free", "--label", TOKEN, "--pin", PIN, "--so-pin", SO_PIN)
        softhsm(
            "--import", str(key_pem), "--token", TOKEN, "--label", KEY_LABEL,
            "--id", KEY_ID.hex(), "--pin", PIN,
        )  # fmt: skip
        key_pem.unlink()
        library = pkcs11.lib(MODULE)
        library.reinitialize()  # loaded earlier in this process: read this configuration
        token = library.get_token(token_label=TOKEN)
        with token.open(rw=True, user_pin=PIN) as session:
            session.create_object(
                {
                    Attribute.CLASS: ObjectClass.CERTIFICATE,
                    Attribute.CERTIFICATE_TYPE: CertificateType.X_509,
                    Attribute.TOKEN: True,
                    Attribute.PRIVATE: False,
                    Attribute.LABEL: KEY_LABEL,
                    Attribute.ID: KEY_ID,
                    Attribute.SUBJECT: leaf.certificate.subject.public_bytes(),
                    Attribute.ISSUER: leaf.certificate.issuer.public_bytes(),
                    Attribute.VALUE: leaf.certificate.public_bytes(serialization.Encoding.DER),
                }
            )
        yield Hsm(root, leaf)


@pytest.fixture
def hsm_settings(settings, hsm: Hsm) -> Hsm:
    # Changing DOCUMENT_SIGNING_* forgets the cached keys and sessions (signer._forget_keys).
    settings.DOCUMENT_SIGNING_PKCS11_MODULE = MODULE
    settings.DOCUMENT_SIGNING_PKCS11_TOKEN = TOKEN
    settings.DOCUMENT_SIGNING_PKCS11_KEY_LABEL = KEY_LABEL
    settings.DOCUMENT_SIGNING_PKCS11_CERT_LABEL = ""  # the key's label
    settings.DOCUMENT_SIGNING_PKCS11_PIN = PIN
    settings.DOCUMENT_SIGNING_PKCS12 = ""  # the HSM signs, or nothing does
    return hsm


def validate(data: bytes, root: Issued):
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    trusted = asn1_x509.Certificate.load(root.certificate.public_bytes(serialization.Encoding.DER))
    signature = PdfFileReader(io.BytesIO(data)).embedded_signatures[0]
    return validate_pdf_signature(
        signature, ValidationContext(trust_roots=[trusted], allow_fetching=False)
    )


def stored_bytes(document: IssuedDocument) -> bytes:
    with document.file.open("rb") as handle:
        return handle.read()


# Art. 6: the licence the authority issues is signed with the key in its HSM.
def test_the_hsm_key_signs_the_issued_licence(hsm_settings, registrar):
    document = issue_licence_document(licence_id=LicenceFactory().pk, by=registrar)
    document.refresh_from_db()
    status = validate(stored_bytes(document), hsm_settings.root)
    assert (status.intact, status.valid, status.trusted) == (True, True, True)
    assert f"Common Name: {SIGNER_CN}" in document.signed_by
    leaf = hsm_settings.leaf.certificate
    assert document.signer_certificate_sha256 == leaf.fingerprint(hashes.SHA256()).hex()
    # The session is kept: the reprint signs through it again.
    again = issue_licence_document(licence_id=document.licence_id, by=registrar, reason="Torn")
    assert validate(stored_bytes(again), hsm_settings.root).valid


# Art. 6: no document is issued unsigned, whatever the HSM refuses.
def test_a_wrong_pin_issues_nothing_and_is_not_tried_again(
    hsm_settings, registrar, settings, monkeypatch
):
    from pkcs11.exceptions import PinIncorrect
    from pyhanko.sign import pkcs11

    opened: list[str] = []
    real_open = pkcs11.open_pkcs11_session

    def open_session(*args, **kwargs):
        opened.append(kwargs["user_pin"])
        return real_open(*args, **kwargs)

    monkeypatch.setattr(pkcs11, "open_pkcs11_session", open_session)
    settings.DOCUMENT_SIGNING_PKCS11_PIN = "0000"
    licence = LicenceFactory()
    with pytest.raises(SigningFailed) as failed:
        issue_licence_document(licence_id=licence.pk, by=registrar)
    assert isinstance(failed.value.__cause__, PinIncorrect)
    assert TOKEN in failed.value.detail
    assert "0000" not in failed.value.detail
    # An HSM locks its PIN after a few wrong ones: the next print does not try it again.
    with pytest.raises(SigningFailed):
        issue_licence_document(licence_id=licence.pk, by=registrar)
    assert opened == ["0000"]
    assert not IssuedDocument.objects.exists()


# Art. 6: the same for a key the token does not hold.
def test_a_key_label_not_on_the_token_issues_nothing(hsm_settings, registrar, settings):
    settings.DOCUMENT_SIGNING_PKCS11_KEY_LABEL = "retired-key"
    with pytest.raises(SigningFailed) as failed:
        issue_licence_document(licence_id=LicenceFactory().pk, by=registrar)
    assert "retired-key" in failed.value.detail
    assert not IssuedDocument.objects.exists()


# Art. 6: a session the HSM dropped (a restart) is replaced, and the next print signs.
# python-pkcs11 reports the failed search on the dropped session when it is collected.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_a_dropped_session_is_opened_again(hsm_settings, registrar):
    import pkcs11

    issue_licence_document(licence_id=LicenceFactory().pk, by=registrar)
    pkcs11.lib(MODULE).reinitialize()  # every session handle of the process is now invalid
    document = issue_licence_document(licence_id=LicenceFactory().pk, by=registrar)
    assert validate(stored_bytes(document), hsm_settings.root).trusted
