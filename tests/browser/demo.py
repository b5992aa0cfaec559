"""Signing in as a demo user (the `demo` fixture of tests/browser/conftest.py loads them), through
the password and then the second step, with the code an authenticator app would show."""

from __future__ import annotations

import re
import time
from typing import Any

DEMO_PASSWORD = "demo-password-2026"
SECOND_STEP = re.compile(r"/account/two-factor/verify/")


def authenticator(username: str) -> Any:
    """The user's authenticator app: the demo secret (twofactor.demo) for a demo user; a user
    built by a factory gets one here, as a person would have set one up before."""
    from django.contrib.auth import get_user_model
    from django_otp.plugins.otp_totp.models import TOTPDevice

    user = get_user_model().objects.get(username=username)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)
    return device


def current_code(username: str) -> str:
    """The code the user's app shows now. A code is accepted once: a second log-in of the same
    user in the same 30 seconds takes the next step's code, which the device's tolerance of one
    step allows."""
    from django_otp.oath import TOTP
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = authenticator(username)
    generator = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    now = time.time()
    generator.time = now
    step_now = generator.t()
    wanted = max(step_now, device.last_t + 1)
    if wanted > step_now + device.tolerance:
        # A third log-in within one step: the test waits no 30 seconds, it forgets the last one.
        TOTPDevice.objects.filter(pk=device.pk).update(last_t=step_now - 1)
        wanted = step_now
    generator.time = now + (wanted - step_now) * device.step
    return f"{generator.token():0{device.digits}d}"


def second_step(page: Any, username: str) -> None:
    page.wait_for_url(SECOND_STEP)
    page.get_by_label("Code from your authenticator app, or a recovery code").fill(
        current_code(username)
    )
    page.get_by_role("button", name="Verify").click()


def admin_log_in(page: Any, live_server: Any, username: str, password: str = DEMO_PASSWORD) -> None:
    authenticator(username)
    page.goto(f"{live_server.url}/admin/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    second_step(page, username)
    page.wait_for_url(re.compile(r"/admin/$"))


def portal_sign_in(page: Any, live_server: Any, email: str) -> None:
    """In English: the page is signed in before its language is chosen."""
    page.goto(f"{live_server.url}/portal/sign-in/")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.locator("main").get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/portal/$"))
