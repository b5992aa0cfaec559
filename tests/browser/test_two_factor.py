"""The second factor in chromium: a new officer sets up an authenticator app from the page's
secret, keeps the recovery codes, signs in again with a code and with a recovery code, and
registers and uses a passkey through Chromium's virtual authenticator (CDP WebAuthn)."""

from __future__ import annotations

import base64
import re
import time
from typing import Any

import pytest
from django_otp.oath import TOTP
from django_otp_webauthn.models import WebAuthnCredential
from playwright.sync_api import expect

from licensing.models import AuditEvent
from tests.browser.demo import current_code

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.real_second_factor,
]

PASSWORD = "correct horse battery staple"  # tests.factories.UserFactory's
CODE_LABEL = "Code from your authenticator app, or a recovery code"


def app_code(secret: str) -> str:
    """What an authenticator app shows now for this base32 secret."""
    generator = TOTP(base64.b32decode(secret))
    generator.time = time.time()
    return f"{generator.token():06d}"


def password(page: Any, live_server: Any, username: str) -> None:
    page.goto(f"{live_server.url}/admin/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def log_out(page: Any) -> None:
    page.context.clear_cookies()


def test_an_officer_enrols_and_signs_in_with_a_code_a_recovery_code_and_a_passkey(
    live_server, new_page, officer
):
    page = new_page(viewport={"width": 1280, "height": 900})
    password(page, live_server, officer.username)
    # No factor yet: the admin is out of reach until one is set up.
    page.wait_for_url(re.compile(r"/account/two-factor/set-up/"))
    assert page.locator(".twofactor-qr svg").is_visible()
    secret = page.locator("#totp-secret").get_attribute("data-secret")
    page.get_by_label("Code from your authenticator app").fill(app_code(secret))
    page.get_by_role("button", name="Confirm").click()
    expect(page.locator(".recovery-code")).to_have_count(10)
    codes = page.locator(".recovery-code").all_inner_texts()
    page.get_by_role("link", name="I have kept them: continue").click()
    page.wait_for_url(re.compile(r"/admin/$"))

    # Again, with the app's next code: the step after the one used, as the server counts steps
    # (a code checked just after a step ended is taken as the step before, and the device's
    # drift remembers it).
    log_out(page)
    password(page, live_server, officer.username)
    page.wait_for_url(re.compile(r"/account/two-factor/verify/"))
    page.get_by_label(CODE_LABEL).fill(current_code(officer.username))
    page.get_by_role("button", name="Verify").click()
    page.wait_for_url(re.compile(r"/admin/$"))

    # The phone is lost: a recovery code, once.
    log_out(page)
    password(page, live_server, officer.username)
    page.get_by_label(CODE_LABEL).fill(codes[0])
    page.get_by_role("button", name="Verify").click()
    page.wait_for_url(re.compile(r"/admin/$"))
    assert page.get_by_text("You used a recovery code; 9 are left.").is_visible()

    # A passkey, on Chromium's virtual authenticator.
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
            }
        },
    )
    page.goto(f"{live_server.url}/account/two-factor/")
    page.get_by_role("button", name="Add a passkey").click()
    page.wait_for_function("() => document.querySelectorAll('form.inline').length >= 2")
    page.wait_for_load_state()
    assert WebAuthnCredential.objects.filter(user=officer, confirmed=True).count() == 1
    assert AuditEvent.objects.filter(
        verb="factor_enrolled", object_id=str(officer.pk), changes__device="passkey"
    ).exists()

    log_out(page)
    password(page, live_server, officer.username)
    page.wait_for_url(re.compile(r"/account/two-factor/verify/"))
    page.get_by_role("button", name="Verify with a passkey").click()
    page.wait_for_url(re.compile(r"/admin/$"))
    assert page.get_by_role("heading", name="Case management").is_visible()
