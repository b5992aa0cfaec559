"""Codes as an authenticator app computes them, from the device's secret and the clock."""

from __future__ import annotations

import time
from typing import Any

from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

PASSWORD = "correct horse battery staple"  # the factories' password


def code_for(device: TOTPDevice, *, at: float | None = None) -> str:
    generator = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    generator.time = time.time() if at is None else at
    return f"{generator.token():0{device.digits}d}"


def app_for(user: Any) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)


def password_log_in(client: Client, user: Any) -> None:
    """The first step only, through the admin's log-in form."""
    response = client.post(
        "/admin/login/", {"username": user.username, "password": PASSWORD, "next": "/admin/"}
    )
    assert response.status_code == 302, response.content[:500]
