"""``make run`` calls this before the worker starts: the demo authority's CA and signing
certificate under ``var/signing/`` (made once, kept afterwards), which sign every document the
demo issues. Refused with DEBUG off: production signs with its own key (docs/signing.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from licensing.signing.demo import PKCS12_FILE, ensure_demo_authority


class Command(BaseCommand):
    help = "Make the demo authority's signing certificate under var/signing/ (once)."

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG:
            raise CommandError("DEBUG is off: production signs with its own key.")
        configured = Path(settings.DOCUMENT_SIGNING_PKCS12)
        if settings.DOCUMENT_SIGNING_PKCS11_MODULE or configured.name != PKCS12_FILE:
            self.stdout.write("A signing key of your own is configured: no demo key made.")
            return
        authority = ensure_demo_authority(configured.parent, authority=settings.AUTHORITY_NAME)
        self.stdout.write(
            f"Documents are signed by the demo authority; its root certificate, to trust in a "
            f"PDF reader: {authority.root_pem}"
        )
