"""A partner's endpoint for the tests: a real HTTP server on the loopback interface, in a
thread, that keeps what it received and answers as the test says (a status, or no answer
until the test ends: a timeout)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Endpoint:
    url: str
    status: int = 204
    hang: bool = False  # hold the answer until the test ends (the sender times out)
    received: list[Received] = field(default_factory=list)
    released: threading.Event = field(default_factory=threading.Event)


def _handler(endpoint: Endpoint) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            endpoint.received.append(Received(self.path, dict(self.headers.items()), body))
            if endpoint.hang:
                endpoint.released.wait(timeout=30)
                return
            self.send_response(endpoint.status)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


@pytest.fixture(name="endpoint")
def endpoint_fixture(settings: Any) -> Iterator[Endpoint]:
    settings.API_ALLOW_LOOPBACK_ENDPOINTS = True
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(Endpoint("")))
    port = server.server_address[1]
    found = Endpoint(f"http://127.0.0.1:{port}/hooks/licences")
    server.RequestHandlerClass = _handler(found)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield found
    finally:
        found.released.set()
        server.shutdown()
        server.server_close()
