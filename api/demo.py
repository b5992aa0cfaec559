"""The demo's partner authority (``make run``): a customs authority of another Party with every
scope, whose client id and secret the banner prints, so that the README's curl calls work at
once. Made by ``load_demo`` through ``demo_loaded``; idempotent."""

from __future__ import annotations

import datetime as dt
import os

from django.contrib.auth import get_user_model
from django.utils import timezone
from oauth2_provider.models import get_application_model

from api.scopes import SCOPES
from api.services.partners import register_partner
from cooperation.models import AuthorityKind, CompetentAuthority

DEMO_CLIENT_ID = "demo-partner-se"
DEMO_PARTNER_NAME = "Tullverket (demo)"


def demo_client_secret() -> str:
    return os.environ.get("DEMO_PARTNER_SECRET") or "demo-partner-secret-2026"


def ensure_demo_partner() -> bool:
    """Registers the demo partner unless it exists; True if it was made now."""
    if get_application_model().objects.filter(client_id=DEMO_CLIENT_ID).exists():
        return False
    senior = get_user_model().objects.filter(username="senior").first()
    if senior is None:
        return False
    # The directory's entry (cooperation.demo, whose receiver runs before this one).
    authority, _made = CompetentAuthority.objects.get_or_create(
        country="SE",
        name=DEMO_PARTNER_NAME,
        defaults={"kind": AuthorityKind.CUSTOMS, "email": "registrator@tullverket.example"},
    )
    register_partner(
        authority=authority,
        contact_email="api@tullverket.example",
        scopes=sorted(SCOPES),
        expires_on=timezone.localdate() + dt.timedelta(days=365),
        by=senior,
        client_id=DEMO_CLIENT_ID,
        client_secret=demo_client_secret(),
    )
    return True


def on_demo_loaded(sender: object, **kwargs: object) -> None:
    ensure_demo_partner()
