"""Signing in as a demo user (the `demo` fixture of tests/browser/conftest.py loads them)."""

from __future__ import annotations

import re
from typing import Any

DEMO_PASSWORD = "demo-password-2026"


def admin_log_in(page: Any, live_server: Any, username: str, password: str = DEMO_PASSWORD) -> None:
    page.goto(f"{live_server.url}/admin/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(r"/admin/$"))


def portal_sign_in(page: Any, live_server: Any, email: str) -> None:
    """In English: the page is signed in before its language is chosen."""
    page.goto(f"{live_server.url}/portal/sign-in/")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.locator("main").get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/portal/$"))
