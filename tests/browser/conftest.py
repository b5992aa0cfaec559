"""Playwright driving Debian's chromium (installed by `make test`; never `playwright install`,
which downloads a browser build of its own)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from typing import Any

import pytest

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not shutil.which(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs Debian's chromium package.")
    # The live server runs in a thread of this process, which Playwright's loop would refuse.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


@pytest.fixture
def new_page(browser: Any) -> Iterator[Any]:
    """``new_page()``: a page in a fresh context (its own cookies: one user per context)."""
    contexts: list[Any] = []

    def make(**options: Any) -> Any:
        context = browser.new_context(**{"locale": "en-GB", **options})
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def demo(settings: Any, live_server: Any) -> None:
    """The demo world (fixtures/demo.json) on the live server's database."""
    import io

    from django.core.management import call_command

    settings.DEBUG = True  # load_demo refuses to run in production
    call_command("load_demo", stdout=io.StringIO())
    settings.DEBUG = False
