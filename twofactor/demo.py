"""Demo only (``make run``): every demo staff user gets a confirmed TOTP device whose secret is
derived from the username, so the banner can print it and ``manage.py demo_code`` can show the
current code. Never in production: ``load_demo`` refuses to run with DEBUG off."""

from __future__ import annotations

import base64
import hashlib
import time

from django.contrib.auth import get_user_model
from django.db import transaction
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from twofactor.services import TOTP_NAME, is_staff_account

DEMO_DEVICE_NAME = f"{TOTP_NAME} (demo)"


def demo_key(username: str) -> bytes:
    """20 bytes, fixed per username: public on purpose, like the demo password."""
    return hashlib.sha256(f"tobacco-licensing-demo-totp:{username}".encode()).digest()[:20]


def demo_secret(username: str) -> str:
    """The base32 secret that an authenticator app takes for manual entry."""
    return base64.b32encode(demo_key(username)).decode()


def demo_code(username: str, *, at: float | None = None) -> str:
    """The code an authenticator app shows now (or at the Unix time ``at``)."""
    generator = TOTP(demo_key(username), step=30, t0=0, digits=6)
    generator.time = time.time() if at is None else at
    return f"{generator.token():06d}"


@transaction.atomic
def ensure_demo_factors() -> list[str]:
    """Idempotent: the demo device of each staff demo user is (re)set to the fixed secret."""
    from licensing.demo.users import DEMO_USERS

    done = []
    User = get_user_model()
    for spec in DEMO_USERS:
        user = User.objects.filter(username=spec.username).first()
        if user is None or not is_staff_account(user):
            continue
        TOTPDevice.objects.update_or_create(
            user=user,
            name=DEMO_DEVICE_NAME,
            defaults={"key": demo_key(spec.username).hex(), "confirmed": True},
        )
        done.append(spec.username)
    return done


def on_demo_loaded(sender: object, **kwargs: object) -> None:
    """``load_demo`` (``make run``): the demo staff users have their factor ready."""
    ensure_demo_factors()
