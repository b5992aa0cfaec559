"""``manage.py check`` for the notifications' signing key (api/signing.py).

Unset, the key is derived from DJANGO_SECRET_KEY, as the audit chain's key is
(``AUDIT_CHAIN_KEY``): as secret as that key, which production must set, so not a weakness;
but a new DJANGO_SECRET_KEY would then silently change the public key partners verify with.
``check --deploy`` says so as information (``make lint`` fails from WARNING up, and runs with
no key set); a key that is set but unusable is an error."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from django.conf import settings
from django.core import checks


def _is_key(value: str) -> bool:
    """The base64 of 32 bytes: an Ed25519 private or public key."""
    try:
        return len(base64.b64decode(value, validate=True)) == 32
    except (binascii.Error, ValueError):
        return False


@checks.register(checks.Tags.security)
def signing_key_usable(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    configured = getattr(settings, "API_SIGNING_KEY", "")
    if not configured:
        return []
    if not _is_key(configured):
        return [
            checks.Error(
                "API_SIGNING_KEY is not the base64 of 32 bytes (an Ed25519 private key).",
                hint="Generate one: docs/api.md, Notifications to partners.",
                id="api.E001",
            )
        ]
    return []


@checks.register(checks.Tags.security)
def retired_keys_usable(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    for retired in getattr(settings, "API_SIGNING_KEYS_RETIRED", []):
        if not _is_key(retired):
            return [
                checks.Error(
                    "API_SIGNING_KEYS_RETIRED holds a value that is not the base64 of 32 bytes "
                    "(an Ed25519 public key).",
                    hint="docs/api.md, Changing the key.",
                    id="api.E002",
                )
            ]
    return []


@checks.register(checks.Tags.security, deploy=True)
def signing_key_set(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    configured: str = getattr(settings, "API_SIGNING_KEY", "")
    if settings.DEBUG or configured:
        return []
    return [
        checks.Info(
            "API_SIGNING_KEY is not set: notifications to partners are signed with a key "
            "derived from DJANGO_SECRET_KEY, which changes if that secret is replaced.",
            hint="Set API_SIGNING_KEY (docs/api.md, Notifications to partners).",
            id="api.I001",
        )
    ]
