"""A partner's endpoint: checked when it subscribes and again before every attempt, then one
POST to it. The authority's workers sit inside its network, so a partner must not be able to
make them call an internal address (SSRF): the host is resolved, every address must be public,
and the connection goes to the address that was checked (a second resolution could answer
differently). No redirect is followed and no proxy is used."""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from licensing.exceptions import DomainError

MAX_LENGTH = 500
LOOPBACK_NAMES = {"localhost", "localhost.localdomain"}
# What is kept of an answer's body in the delivery log.
KEPT_ANSWER = 500


class EndpointRefused(DomainError):
    default_message = _("This endpoint cannot receive notifications.")


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str
    port: int
    path: str
    address: str  # the checked address the connection goes to


@dataclass(frozen=True)
class Answer:
    status: int
    body: str


def loopback_allowed() -> bool:
    """http://127.0.0.1 and localhost: on a laptop (DEBUG) and in the tests only."""
    return bool(settings.DEBUG or getattr(settings, "API_ALLOW_LOOPBACK_ENDPOINTS", False))


def _address_allowed(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if ip.is_loopback:
        return loopback_allowed()
    # Private, link-local (cloud metadata), multicast, reserved, shared (100.64/10), ...
    return ip.is_global and not ip.is_multicast


def _resolve(host: str, port: int) -> list[str]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise EndpointRefused(_("The endpoint's host name does not resolve.")) from exc
    return sorted({str(info[4][0]) for info in infos})


def check_endpoint(url: str, *, resolve: bool = True) -> Target:
    """The URL's parts and the address to connect to; ``EndpointRefused`` with the reason.
    https only (http for loopback when allowed), no user or password in it, no fragment."""
    if len(url) > MAX_LENGTH:
        raise EndpointRefused(
            _("The endpoint is longer than %(max)s characters.") % {"max": MAX_LENGTH}
        )
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise EndpointRefused(_("The endpoint is not a valid URL.")) from exc
    host = (parts.hostname or "").rstrip(".").lower()
    if not host or parts.username is not None or parts.password is not None or parts.fragment:
        raise EndpointRefused(_("The endpoint must be https://host/path, without credentials."))
    loopback_name = host in LOOPBACK_NAMES
    try:
        literal = ipaddress.ip_address(host)
    except ValueError:
        literal = None
    is_loopback = loopback_name or (literal is not None and literal.is_loopback)
    if parts.scheme != "https" and not (parts.scheme == "http" and is_loopback):
        raise EndpointRefused(_("The endpoint must use https."))
    if is_loopback and not loopback_allowed():
        raise EndpointRefused(_("The endpoint must be a public address."))
    port = port or (443 if parts.scheme == "https" else 80)
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    if literal is not None:
        addresses = [str(literal)]
    elif resolve:
        addresses = _resolve(host, port)
    else:
        return Target(parts.scheme, host, port, path, "")
    if not addresses or not all(_address_allowed(a) for a in addresses):
        raise EndpointRefused(_("The endpoint must be a public address."))
    return Target(parts.scheme, host, port, path, addresses[0])


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, target: Target, **kwargs: Any) -> None:
        super().__init__(target.host, target.port, **kwargs)
        self._address = target.address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """TLS to the checked address, with the host name for SNI and the certificate check."""

    def __init__(self, target: Target, **kwargs: Any) -> None:
        super().__init__(target.host, target.port, context=ssl.create_default_context(), **kwargs)
        self._address = target.address

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)  # type: ignore[attr-defined]


def post(url: str, *, body: bytes, headers: dict[str, str], timeout: float) -> Answer:
    """One POST, checked again first (the name may resolve elsewhere since it subscribed).
    Raises ``EndpointRefused`` or ``OSError`` (a timeout, a refused connection, TLS)."""
    target = check_endpoint(url)
    connection_class = _PinnedHTTPSConnection if target.scheme == "https" else _PinnedHTTPConnection
    connection = connection_class(target, timeout=timeout)
    try:
        connection.request(
            "POST",
            target.path,
            body=body,
            headers={
                **headers,
                "Content-Type": "application/json",
                "User-Agent": "licensing-authority-notifications/1",
            },
        )
        response = connection.getresponse()
        text = response.read(KEPT_ANSWER).decode("utf-8", "replace")
        return Answer(response.status, text)
    except http.client.HTTPException as exc:
        raise OSError(f"{type(exc).__name__}: {exc}") from exc
    finally:
        connection.close()
