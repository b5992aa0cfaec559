"""``make run`` makes the demo authority's certificate once (issue 20): every document the demo
issues is signed with it, and its root is what a reader is told to trust (README)."""

from __future__ import annotations

import asyncio
import io
import threading
from collections.abc import Callable
from typing import TypeVar

import pytest
from django.core.management import CommandError, call_command

from licensing.signing.checks import Outcome, check_pdf
from licensing.signing.signer import sign_pdf
from tests.factories.licensing import PDF_BYTES

T = TypeVar("T")


def test_the_demo_key_is_made_once_and_signs(settings, tmp_path):
    settings.DEBUG = True
    settings.DOCUMENT_SIGNING_PKCS12 = str(tmp_path / "signing" / "authority-signing.p12")
    settings.DOCUMENT_SIGNING_PASSPHRASE = "demo-signing-2026"
    settings.DOCUMENT_SIGNING_TRUST_ROOTS = [str(tmp_path / "signing" / "authority-root.pem")]
    out = io.StringIO()
    call_command("demo_signing_key", stdout=out)
    assert "authority-root.pem" in out.getvalue()
    made = (tmp_path / "signing" / "authority-signing.p12").read_bytes()
    call_command("demo_signing_key", stdout=io.StringIO())
    assert (tmp_path / "signing" / "authority-signing.p12").read_bytes() == made  # kept
    signed = sign_pdf(PDF_BYTES, code="DEMO000001", language="nb")
    assert check_pdf(signed.pdf).outcome == Outcome.AUTHENTIC


def test_no_demo_key_over_a_key_of_ones_own_or_in_production(settings, tmp_path):
    settings.DEBUG = True
    settings.DOCUMENT_SIGNING_PKCS12 = str(tmp_path / "own.p12")
    out = io.StringIO()
    call_command("demo_signing_key", stdout=out)
    assert "no demo key made" in out.getvalue()
    assert list(tmp_path.iterdir()) == []
    settings.DEBUG = False
    with pytest.raises(CommandError):
        call_command("demo_signing_key", stdout=io.StringIO())


def in_a_running_loop(call: Callable[[], T]) -> T:
    """``call`` from a coroutine of an event loop running in a thread of its own (this test's
    thread may already have one: asyncio.run would refuse here)."""
    result: list[T] = []

    async def inside() -> None:
        result.append(call())

    thread = threading.Thread(target=lambda: asyncio.run(inside()))
    thread.start()
    thread.join(timeout=60)
    return result[0]


def test_signing_and_checking_work_inside_a_running_event_loop():
    """pyHanko runs its own loop; inside a running one (an ASGI view, or a test process where
    another test left its loop running) the call moves to a thread of its own."""
    signed = in_a_running_loop(lambda: sign_pdf(PDF_BYTES, code="LOOP000001", language="en"))
    # The test session's authority signed it: authentic outside a loop and inside one.
    assert check_pdf(signed.pdf).outcome == Outcome.AUTHENTIC
    assert in_a_running_loop(lambda: check_pdf(signed.pdf).outcome) == Outcome.AUTHENTIC
