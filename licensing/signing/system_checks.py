"""``manage.py check --deploy`` for the document-signing key (docs/signing.md): production must
not sign with the demo authority's key, whose passphrase is in the repository. ``make lint``
runs the deploy check with a key of its own named, as production does."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import checks

from licensing.signing.demo import DEMO_PASSPHRASE


@checks.register(checks.Tags.security, deploy=True)
def signing_key_not_the_demo(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    if settings.DEBUG or settings.DOCUMENT_SIGNING_PKCS11_MODULE:
        return []
    if settings.DOCUMENT_SIGNING_PASSPHRASE != DEMO_PASSPHRASE:
        return []
    return [
        checks.Warning(
            "Issued documents are signed with the demo authority's key: its passphrase is "
            "public, so anyone could sign documents as the authority.",
            hint="Set DOCUMENT_SIGNING_PKCS12 and DOCUMENT_SIGNING_PASSPHRASE, or the "
            "DOCUMENT_SIGNING_PKCS11_* settings of an HSM (docs/signing.md).",
            id="signing.W001",
        )
    ]
