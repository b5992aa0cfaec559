"""The console mail backend of a laptop (``make run``), readable: subjects and bodies are
printed decoded, so a Norwegian or Hungarian e-mail is found by its words, not as
``=?utf-8?b?...?=`` and quoted-printable text."""

from __future__ import annotations

import sys
from typing import Any

from django.core.mail.backends.console import EmailBackend as ConsoleBackend


class ReadableConsoleBackend(ConsoleBackend):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # The terminal itself: inside a Celery worker, sys.stdout is its logger, which would
        # print every line of a mail as a WARNING.
        kwargs.setdefault("stream", sys.__stdout__)
        super().__init__(*args, **kwargs)

    def write_message(self, message: Any) -> None:
        lines = [
            f"From: {message.from_email}",
            f"To: {', '.join(message.to)}",
            f"Subject: {message.subject}",
            "",
            str(message.body).rstrip("\n"),
        ]
        self.stream.write("\n".join(lines) + "\n")
        self.stream.write("-" * 79 + "\n")
