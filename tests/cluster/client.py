"""A browser's part in the cluster walk, with the standard library: cookies, the CSRF token,
forms read off the page and posted back, multipart uploads. Every request goes through the
load balancer's door: it says the connection was HTTPS (``X-Forwarded-Proto``), as the TLS
proxy in front of the web nodes does, so the nodes run with their production settings (secure
cookies, HTTPS redirects, CSRF's origin check).

A client is one person's browser; ``on(node)`` points the same browser (the same cookies) at
another node, which is how a load balancer without sticky sessions treats it."""

from __future__ import annotations

import http.client
import json
import uuid
from dataclasses import dataclass, field
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import urlencode, urljoin, urlsplit

# The forms every page carries (signing out, the language switcher): never the page's own.
CHROME = ("logout", "sign-out", "/i18n/", "/account/language/")


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes
    url: str

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Form:
    action: str
    fields: dict[str, list[str]] = field(default_factory=dict)


class _Forms(HTMLParser):
    """The forms of a page: each form's action and the values a browser would send."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self._textarea: str | None = None
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.forms.append(Form(action=a.get("action", "")))
            return
        if not self.forms or "name" not in a:
            if tag == "option" and self._select and "selected" in a:
                self.forms[-1].fields[self._select] = [a.get("value", "")]
            return
        fields = self.forms[-1].fields
        name = a["name"]
        if tag == "input":
            kind = a.get("type", "text").lower()
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    fields.setdefault(name, []).append(a.get("value", "on"))
            elif kind not in ("submit", "button", "file", "image", "reset"):
                fields.setdefault(name, []).append(a.get("value", ""))
        elif tag == "textarea":
            self._textarea = name
            fields.setdefault(name, []).append("")
        elif tag == "select":
            self._select = name

    def handle_data(self, data: str) -> None:
        if self._textarea and self.forms:
            self.forms[-1].fields[self._textarea][-1] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None


def forms_of(html: str) -> list[Form]:
    parser = _Forms()
    parser.feed(html)
    return parser.forms


class Client:
    def __init__(self, base: str, name: str) -> None:
        self.base = base.rstrip("/")
        self.name = name
        self.cookies: dict[str, str] = {}

    def on(self, base: str) -> Client:
        """The same browser at another node: the cookies go with it."""
        self.base = base.rstrip("/")
        return self

    def request(
        self,
        method: str,
        path: str,
        *,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
        follow: bool = True,
    ) -> Response:
        url = urljoin(self.base + "/", path.lstrip("/")) if not path.startswith("http") else path
        for _hop in range(10):
            parts = urlsplit(url)
            origin = f"https://{parts.netloc}"
            sent = {
                "Host": parts.netloc,
                "X-Forwarded-Proto": "https",
                "Accept-Language": "en",
                "User-Agent": f"cluster-walk ({self.name})",
                **(
                    {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
                    if self.cookies
                    else {}
                ),
                **(headers or {}),
            }
            if method == "POST":
                sent.setdefault("Origin", origin)
                sent.setdefault("Referer", origin + parts.path)
            connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
            try:
                target = parts.path + (f"?{parts.query}" if parts.query else "")
                connection.request(method, target, body=body, headers=sent)
                raw = connection.getresponse()
                data = raw.read()
                received = {k.lower(): v for k, v in raw.getheaders()}
                for header, value in raw.getheaders():
                    if header.lower() == "set-cookie":
                        self._keep(value)
            finally:
                connection.close()
            if follow and raw.status in (301, 302, 303) and "location" in received:
                location = received["location"]
                # The proxy's https:// is this loopback node's http://.
                if location.startswith("https://"):
                    location = "http://" + location.removeprefix("https://")
                url = urljoin(url, location)
                method, body, headers = "GET", None, None
                continue
            return Response(raw.status, received, data, url)
        raise AssertionError(f"too many redirects from {path}")

    def _keep(self, header: str) -> None:
        cookie: SimpleCookie = SimpleCookie()
        cookie.load(header)
        for key, morsel in cookie.items():
            if morsel["max-age"] == "0" or (not morsel.value and morsel["expires"]):
                self.cookies.pop(key, None)
            else:
                self.cookies[key] = morsel.value

    def get(self, path: str, **kwargs: Any) -> Response:
        return self.request("GET", path, **kwargs)

    def post_form(
        self,
        page: Response,
        values: dict[str, str | list[str]],
        *,
        files: dict[str, tuple[str, bytes, str]] | None = None,
        match: str = "",
        follow: bool = True,
    ) -> Response:
        """Fill the page's form (the first whose fields include ``match``, past the forms of
        every page) and send it, as a browser would: its own hidden fields, then ``values``."""
        candidates = [
            f
            for f in forms_of(page.text)
            if (not match or match in f.fields) and not any(s in f.action for s in CHROME)
        ]
        if not candidates:
            raise AssertionError(f"no form with {match!r} on {page.url}: {page.text[:400]}")
        form = candidates[0]
        data: dict[str, list[str]] = dict(form.fields)
        for key, value in values.items():
            data[key] = value if isinstance(value, list) else [value]
        action = urljoin(page.url, form.action) if form.action else page.url
        if files:
            body, content_type = multipart(data, files)
        else:
            body = urlencode([(k, v) for k, vs in data.items() for v in vs]).encode()
            content_type = "application/x-www-form-urlencoded"
        return self.request(
            "POST", action, body=body, headers={"Content-Type": content_type}, follow=follow
        )


def multipart(
    data: dict[str, list[str]], files: dict[str, tuple[str, bytes, str]]
) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    lines: list[bytes] = []
    for name, values in data.items():
        for value in values:
            lines += [
                f"--{boundary}".encode(),
                f'Content-Disposition: form-data; name="{name}"'.encode(),
                b"",
                value.encode(),
            ]
    for name, (filename, content, content_type) in files.items():
        lines += [
            f"--{boundary}".encode(),
            f'Content-Disposition: form-data; name="{name}"; filename="{filename}"'.encode(),
            f"Content-Type: {content_type}".encode(),
            b"",
            content,
        ]
    lines += [f"--{boundary}--".encode(), b""]
    return b"\r\n".join(lines), f"multipart/form-data; boundary={boundary}"
