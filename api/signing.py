"""Signed notifications (Standard Webhooks, asymmetric): the authority signs each message with
its Ed25519 key, and a partner checks it with the public key published at
``/api/v1/signing-keys/``. The signed content is ``{webhook-id}.{webhook-timestamp}.{body}``,
so a receiver can tell where a message comes from and how fresh it is (docs/api.md,
*Notifications to partners*)."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import time
from collections.abc import Iterable, Mapping
from functools import lru_cache

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from django.conf import settings

ALGORITHM = "Ed25519"
# Standard Webhooks: "v1" is HMAC-SHA256 with a shared secret, "v1a" an Ed25519 signature.
VERSION = "v1a"
# Derives a key from SECRET_KEY when API_SIGNING_KEY is not set (a laptop, the tests, a demo).
KEY_LABEL = b"api.notification-signing.v1"
DEFAULT_TOLERANCE = 300


class SignatureRefused(Exception):
    """The message is not one the key signed, or it is too old or too new."""


def _raw_private_key() -> bytes:
    configured = getattr(settings, "API_SIGNING_KEY", "")
    if configured:
        return base64.b64decode(configured, validate=True)
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=KEY_LABEL).derive(
        settings.SECRET_KEY.encode()
    )


@lru_cache(maxsize=4)
def _private_key(raw: bytes) -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(raw)


def private_key() -> Ed25519PrivateKey:
    """The authority's signing key (never logged, never stored in the database)."""
    return _private_key(_raw_private_key())


def public_key_bytes(key: Ed25519PrivateKey | None = None) -> bytes:
    return (key or private_key()).public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)


def key_id(public: bytes) -> str:
    """A short, stable name for a public key: the start of its SHA-256."""
    return hashlib.sha256(public).hexdigest()[:16]


def published_keys() -> list[dict[str, str]]:
    """What ``GET /api/v1/signing-keys/`` answers: the key that signs now, first, then the
    retired ones still published (``API_SIGNING_KEYS_RETIRED``) while partners move over."""
    keys = [public_key_bytes()]
    for retired in getattr(settings, "API_SIGNING_KEYS_RETIRED", []):
        raw = base64.b64decode(retired, validate=True)  # checked at start-up (api.E002)
        if raw not in keys:
            keys.append(raw)
    return [
        {"kid": key_id(public), "alg": ALGORITHM, "public_key": base64.b64encode(public).decode()}
        for public in keys
    ]


def _signed_content(message_id: str, timestamp: int, body: bytes) -> bytes:
    return f"{message_id}.{timestamp}.".encode() + body


def sign(*, message_id: str, body: bytes, timestamp: int | None = None) -> dict[str, str]:
    """The three headers of a message: ``webhook-id`` (the same on every attempt, which the
    receiver dedupes on), ``webhook-timestamp`` (unix seconds, of this attempt) and
    ``webhook-signature``."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    signature = private_key().sign(_signed_content(message_id, timestamp, body))
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": f"{VERSION},{base64.b64encode(signature).decode()}",
    }


def _public(key: str | bytes | Ed25519PublicKey) -> Ed25519PublicKey:
    if isinstance(key, Ed25519PublicKey):
        return key
    raw = base64.b64decode(key, validate=True) if isinstance(key, str) else key
    return Ed25519PublicKey.from_public_bytes(raw)


def verify(
    headers: Mapping[str, str],
    body: bytes,
    public_key: str | bytes | Ed25519PublicKey | Iterable[str | bytes],
    tolerance: int = DEFAULT_TOLERANCE,
    now: int | None = None,
) -> None:
    """What a partner does with a message: raises ``SignatureRefused`` unless one of the
    signatures in ``webhook-signature`` (space separated) is valid for ``public_key`` (one
    key, base64 or raw, or several during a key change) over the body as received, and the
    timestamp is within ``tolerance`` seconds of ``now``. Header names in any case."""
    lowered = {name.lower(): value for name, value in headers.items()}
    message_id = lowered.get("webhook-id", "")
    stamp = lowered.get("webhook-timestamp", "")
    signatures = lowered.get("webhook-signature", "")
    if not (message_id and stamp and signatures):
        raise SignatureRefused("missing webhook headers")
    try:
        timestamp = int(stamp)
    except ValueError as exc:
        raise SignatureRefused("the timestamp is not a number") from exc
    now = int(time.time()) if now is None else now
    if abs(now - timestamp) > tolerance:
        raise SignatureRefused("the timestamp is too old or too new")
    keys = (
        [public_key] if isinstance(public_key, str | bytes | Ed25519PublicKey) else list(public_key)
    )
    content = _signed_content(message_id, timestamp, body)
    for entry in signatures.split():
        version, _, encoded = entry.partition(",")
        if not hmac.compare_digest(version, VERSION):
            continue
        try:
            signature = base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError):
            continue
        for key in keys:
            try:
                _public(key).verify(signature, content)
            except (InvalidSignature, ValueError):
                continue
            return
    raise SignatureRefused("no valid signature")
