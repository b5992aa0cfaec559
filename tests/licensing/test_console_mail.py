"""The laptop's console mail (make run) prints subjects and bodies decoded (issue 14)."""

from __future__ import annotations

import io

from django.core.mail import EmailMessage

from licensing.mail import ReadableConsoleBackend


def test_a_hungarian_e_mail_reads_as_written() -> None:
    stream = io.StringIO()
    backend = ReadableConsoleBackend(stream=stream)
    message = EmailMessage(
        subject="Engedély TL-2026-000001-X lejár: 2026-12-24",
        body="Tisztelt Kovács Eszter!\nAz engedélye 20 nap múlva lejár.",
        from_email="licensing@authority.example",
        to=["eszter@example.hu"],
    )
    assert backend.send_messages([message]) == 1
    printed = stream.getvalue()
    assert "Subject: Engedély TL-2026-000001-X lejár: 2026-12-24" in printed
    assert "Az engedélye 20 nap múlva lejár." in printed
    assert "=?utf-8?" not in printed
