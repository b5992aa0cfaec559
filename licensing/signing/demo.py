"""A demo authority for `make run` and the tests: a root CA and the signing certificate it
issued, written under ``var/signing/`` on first start and never committed. An authority in
production signs with a certificate from its qualified trust service provider, or from its own
CA, and points ``DOCUMENT_SIGNING_PKCS12`` (or the PKCS#11 settings) at it (docs/signing.md).

The same helpers make the test's other certificates: a timestamp authority's, and a stranger's
that the verification page must not take for the authority's."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

ROOT_FILE = "authority-root.pem"
PKCS12_FILE = "authority-signing.p12"
# The demo's passphrase: a laptop's throwaway key. Production reads its own from the
# environment (DOCUMENT_SIGNING_PASSPHRASE), never from the repository.
DEMO_PASSPHRASE = "demo-signing-2026"  # noqa: S105 (settings.py has the same default)


@dataclass(frozen=True)
class Issued:
    certificate: x509.Certificate
    key: rsa.RSAPrivateKey


@dataclass(frozen=True)
class DemoAuthority:
    root_pem: Path
    pkcs12: Path
    passphrase: str


def _name(common_name: str, organisation: str, country: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, country),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation[:64]),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name[:64]),
        ]
    )


def make_root(
    common_name: str, *, organisation: str, country: str = "NO", years: int = 10
) -> Issued:
    key = rsa.generate_private_key(public_exponent=65537, key_size=3072)
    name = _name(common_name, organisation, country)
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=365 * years))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return Issued(certificate, key)


def make_leaf(
    issuer: Issued,
    common_name: str,
    *,
    organisation: str,
    country: str = "NO",
    timestamping: bool = False,
    years: int = 3,
) -> Issued:
    """A document-signing certificate (non-repudiation: the authority stands by what it
    signs), or a timestamp authority's (``timestamping``: RFC 3161 wants that usage alone)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=3072)
    now = dt.datetime.now(dt.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(common_name, organisation, country))
        .issuer_name(issuer.certificate.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=365 * years))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=not timestamping,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer.key.public_key()),
            critical=False,
        )
    )
    if timestamping:
        builder = builder.add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True
        )
    return Issued(builder.sign(issuer.key, hashes.SHA256()), key)


def pkcs12_bytes(leaf: Issued, chain: list[x509.Certificate], passphrase: str) -> bytes:
    return pkcs12.serialize_key_and_certificates(
        name=b"document-signing",
        key=leaf.key,
        cert=leaf.certificate,
        cas=chain,
        encryption_algorithm=serialization.BestAvailableEncryption(passphrase.encode()),
    )


def pem(certificate: x509.Certificate) -> bytes:
    return certificate.public_bytes(serialization.Encoding.PEM)


def ensure_demo_authority(directory: Path, *, authority: str) -> DemoAuthority:
    """The demo authority under ``directory``: made the first time, kept afterwards (the
    documents already signed stay valid across restarts)."""
    result = DemoAuthority(directory / ROOT_FILE, directory / PKCS12_FILE, DEMO_PASSPHRASE)
    if result.root_pem.exists() and result.pkcs12.exists():
        return result
    directory.mkdir(parents=True, exist_ok=True)
    root = make_root(f"{authority} demo root CA", organisation=authority)
    leaf = make_leaf(root, f"{authority} document signing (demo)", organisation=authority)
    # The key first, then the root: a start killed half way leaves no root without its key.
    result.pkcs12.write_bytes(pkcs12_bytes(leaf, [root.certificate], DEMO_PASSPHRASE))
    result.pkcs12.chmod(0o600)
    result.root_pem.write_bytes(pem(root.certificate))
    return result
