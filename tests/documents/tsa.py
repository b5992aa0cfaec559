"""A real RFC 3161 timestamp authority over HTTP, in the test process: a loopback server whose
answers pyHanko's DummyTimeStamper signs with a TSA certificate of a root of its own. The
signer reaches it exactly as it would a production TSA (``DOCUMENT_SIGNING_TSA_URL``)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from asn1crypto import keys, tsp, x509
from cryptography.hazmat.primitives import serialization

from licensing.signing.demo import make_leaf, make_root, pem


@dataclass
class LocalTsa:
    url: str
    root_pem: Path
    requests: list[bytes]


@contextmanager
def local_tsa(directory: Path) -> Iterator[LocalTsa]:
    from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper

    root = make_root("Test Timestamp Root", organisation="Test TSA")
    leaf = make_leaf(root, "Test Timestamp Unit", organisation="Test TSA", timestamping=True)
    stamper = DummyTimeStamper(
        tsa_cert=x509.Certificate.load(leaf.certificate.public_bytes(serialization.Encoding.DER)),
        tsa_key=keys.PrivateKeyInfo.load(
            leaf.key.private_bytes(
                serialization.Encoding.DER,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        ),
    )
    received: list[bytes] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            received.append(body)
            if self.headers.get("Content-Type") != "application/timestamp-query":
                self.send_error(415)
                return
            answer = stamper.request_tsa_response(tsp.TimeStampReq.load(body)).dump()
            self.send_response(200)
            self.send_header("Content-Type", "application/timestamp-reply")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    root_pem = directory / "tsa-root.pem"
    root_pem.write_bytes(pem(root.certificate))
    try:
        yield LocalTsa(f"http://127.0.0.1:{server.server_port}/tsa", root_pem, received)
    finally:
        server.shutdown()
        server.server_close()
