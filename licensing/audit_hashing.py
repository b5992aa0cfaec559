"""The keyed hashes of the tamper-evident audit trail (docs/audit-chain.md).

Pure functions, no models: the model's ``save()``, the migration that back-filled the digests
and the verifier all hash an event the same way. The key never lives in the database, so whoever
can write the tables (a DBA, a stolen owner password) can change rows but cannot make their
digests and links agree again. ASVS V16.4.2: logs protected against modification."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import ipaddress
import json
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder

# Derives the chain's key from SECRET_KEY when AUDIT_CHAIN_KEY is not set (a laptop, the tests).
KEY_LABEL = b"licensing.audit-chain.v1"
# The previous hash of the first link.
GENESIS = "0" * 64


def chain_key() -> bytes:
    """``AUDIT_CHAIN_KEY`` if set, else an HMAC of ``SECRET_KEY`` under a fixed label (so the
    chain's key is not SECRET_KEY itself). Never logged."""
    configured = getattr(settings, "AUDIT_CHAIN_KEY", "")
    if configured:
        return configured.encode()
    return hmac.new(settings.SECRET_KEY.encode(), KEY_LABEL, hashlib.sha256).digest()


def _normalise(value: Any) -> Any:
    """PostgreSQL's JSONB prints a float with an integral value (1e20) as an integer, and
    orders keys its own way: integral floats become ints, keys are sorted when dumped."""
    if isinstance(value, float) and value.is_integer():
        return int(Decimal(repr(value)))  # 1e+300 is 10**300 there, not int(1e300)
    if isinstance(value, dict):
        return {key: _normalise(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_normalise(item) for item in value]
    return value


def json_safe(value: Any) -> Any:
    """What a JSON column gives back: decimals, dates and UUIDs as DjangoJSONEncoder writes
    them, tuples as lists, non-string keys as strings. Applied before the insert, so the stored
    value is the hashed one."""
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def _parse_float(text: str) -> Any:
    # ``_normalise`` on each float as it is read back: the same values, no second walk.
    value = float(text)
    return _normalise(value)


_SAFE = DjangoJSONEncoder()
_CANONICAL = DjangoJSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def canonical_json(value: Any) -> str:
    """``_normalise(json_safe(value))``, dumped with sorted keys and no spaces."""
    return _CANONICAL.encode(json.loads(_SAFE.encode(value), parse_float=_parse_float))


def _utc(at: dt.datetime) -> str:
    return at.astimezone(dt.UTC).isoformat(timespec="microseconds")


def _ip(ip: str | None) -> str | None:
    # PostgreSQL's inet prints an IPv6 address in its own compressed, lower-case form.
    return str(ipaddress.ip_address(ip)) if ip else None


def event_content(event: Any) -> str:
    """The canonical JSON of an event's content: everything but its id and digest."""
    return canonical_json(
        {
            "at": _utc(event.at),
            "actor_id": event.actor_id,
            "actor_label": event.actor_label,
            "content_type_id": event.content_type_id,
            "object_id": str(event.object_id),
            "object_repr": event.object_repr,
            "verb": str(event.verb),
            "from_state": event.from_state,
            "to_state": event.to_state,
            "reason": event.reason,
            "ip": _ip(event.ip),
            "changes": event.changes,
        }
    )


def mac(key: bytes, message: str) -> str:
    return hmac.new(key, message.encode(), hashlib.sha256).hexdigest()


def event_digest(event: Any, key: bytes | None = None) -> str:
    return mac(key or chain_key(), event_content(event))


def link_hash(key: bytes, *, previous_hash: str, position: int, event_id: int, digest: str) -> str:
    return mac(key, f"{previous_hash}|{position}|{event_id}|{digest}")


def checkpoint_mac(key: bytes, checkpoint: Any) -> str:
    return mac(
        key,
        canonical_json(
            [
                checkpoint.position,
                checkpoint.hash,
                checkpoint.last_event_id,
                checkpoint.events_verified,
                _utc(checkpoint.verified_at),
                checkpoint.ok,
                checkpoint.first_broken,
            ]
        ),
    )


def same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())
