"""One request limiter for every public form and page (docs/abuse-limits.md): a fixed window
counted in Django's cache (Redis in production, so that every web process counts together;
local memory on a laptop), per client address and per recipient (the e-mail address or name a
form targets). Keys are keyed hashes: neither an address nor an e-mail lands in the cache or in
the log (ASVS V2.4.1, V16.2.5).

``settings.RATE_LIMITS[group] = (requests, seconds)``. A refused request answers 429 with a
translated page (portal or admin look) or JSON, and a Retry-After header (ASVS V2.4.1), and is
logged on ``licensing.security`` with the limit's name and the hashed key (ASVS V16.3.3)."""

from __future__ import annotations

import functools
import logging
import time
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from django.conf import settings
from django.contrib import admin
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

View = Callable[..., HttpResponse]
logger = logging.getLogger("licensing.security")

ADDRESS = "address"
RECIPIENT = "recipient"
TEMPLATES = {"portal": "portal/too_many_requests.html", "admin": "admin/too_many_requests.html"}


@dataclass(frozen=True)
class Limited:
    """A refusal: which limit, whose (hashed) key, and the seconds until its window ends."""

    group: str
    kind: str  # ADDRESS or RECIPIENT
    key: str
    retry_after: int


def hashed(value: str) -> str:
    """A keyed hash: without SECRET_KEY no list of addresses or e-mails can be matched to it."""
    return salted_hmac("licensing.ratelimit", value, algorithm="sha256").hexdigest()[:32]


def client_address(request: HttpRequest) -> str:
    # REMOTE_ADDR only, as the audit trail (licensing.middleware) and django-axes: the client
    # sets X-Forwarded-For unless a trusted proxy rewrites it.
    return request.META.get("REMOTE_ADDR") or "unknown"


def normalise_recipient(value: str) -> str:
    """How Django's password reset compares addresses (NFKC, case-folded), so that no change of
    case or look-alike spelling of one victim's address earns another allowance."""
    return unicodedata.normalize("NFKC", value.strip()).casefold()


def _window(group: str) -> tuple[int, int, float, int]:
    limit, window = settings.RATE_LIMITS[group]
    now = time.time()
    return limit, window, now, int(now // window) * window


def _retry_after(window: int, now: float, started: int) -> int:
    return max(1, int(started + window - now + 0.999))


def count(group: str, key: str) -> int:
    """Counts one request under ``key`` (already hashed); 0 if within the limit, else the
    seconds until the window ends."""
    limit, window, now, started = _window(group)
    cache_key = f"ratelimit:{group}:{key}:{started}"
    # add() then incr(): both atomic in Redis, so concurrent requests are all counted.
    cache.add(cache_key, 0, timeout=window + 1)
    try:
        hits = cache.incr(cache_key)
    except ValueError:  # expired between the two calls
        cache.add(cache_key, 1, timeout=window + 1)
        hits = 1
    return 0 if hits <= limit else _retry_after(window, now, started)


def reached(group: str, key: str) -> int:
    """Without counting: the seconds to wait if ``key`` has used its whole allowance, else 0."""
    limit, window, now, started = _window(group)
    hits = cache.get(f"ratelimit:{group}:{key}:{started}", 0)
    return _retry_after(window, now, started) if hits >= limit else 0


def check(request: HttpRequest, limits: Sequence[tuple[str, str]]) -> Limited | None:
    """Counts this request against each ``(group, field)`` in turn: ``field`` "" is the client
    address, else the POST field that names the recipient. Stops at the first refusal, so a
    refused request uses up no later allowance (a victim's, say); a missing recipient is not
    counted (the form refuses it anyway)."""
    for group, field in limits:
        if field:
            recipient = normalise_recipient(request.POST.get(field, ""))
            if not recipient:
                continue
            kind, key = RECIPIENT, hashed(recipient)
        else:
            kind, key = ADDRESS, hashed(client_address(request))
        retry_after = count(group, key)
        if retry_after:
            return Limited(group=group, kind=kind, key=key, retry_after=retry_after)
    return None


def wait_text(seconds: int) -> str:
    if seconds < 120:
        return ngettext("%(count)d second", "%(count)d seconds", seconds) % {"count": seconds}
    minutes = (seconds + 59) // 60
    return ngettext("%(count)d minute", "%(count)d minutes", minutes) % {"count": minutes}


def message(limited: Limited) -> str:
    if limited.kind == RECIPIENT:
        return _(
            "Too many requests for this e-mail address or name. For its owner's protection, "
            "please try again in %(wait)s."
        ) % {"wait": wait_text(limited.retry_after)}
    return _("Too many requests from your address. Please try again in %(wait)s.") % {
        "wait": wait_text(limited.retry_after)
    }


def too_many_requests(request: HttpRequest, limited: Limited, *, look: str) -> HttpResponse:
    """The 429 answer in the look of the page refused: "portal", "admin" or "json"."""
    match = request.resolver_match
    logger.warning(
        "rate limit refused: limit=%s kind=%s key=%s retry_after=%d view=%s",
        limited.group,
        limited.kind,
        limited.key,
        limited.retry_after,
        match.view_name if match else "",
    )
    text = message(limited)
    response: HttpResponse
    if look == "json":
        response = JsonResponse({"error": "too_many_requests", "message": text}, status=429)
    else:
        context: dict[str, Any] = {"message": text}
        if look == "admin":
            context.update(admin.site.each_context(request))
        response = render(request, TEMPLATES[look], context, status=429)
    response["Retry-After"] = str(limited.retry_after)
    return response


def ratelimit(group: str, *, as_json: bool = False) -> Callable[[View], View]:
    """``@ratelimit("verify")``: every request counts against the client address; beyond
    ``settings.RATE_LIMITS[group]`` a 429 until the window ends."""

    def decorate(view: View) -> View:
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            limited = check(request, [(group, "")])
            if limited:
                return too_many_requests(request, limited, look="json" if as_json else "portal")
            return view(request, *args, **kwargs)

        return wrapped

    return decorate


class LimitedPostMixin:
    """For a form view whose POST sends mail: ``post_limits = [("signup_address", ""),
    ("signup_recipient", "email")]`` are counted before the form is even read, so that a
    refused request sends nothing."""

    post_limits: ClassVar[Sequence[tuple[str, str]]] = ()
    limit_look: ClassVar[str] = "portal"

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        limited = check(request, self.post_limits)
        if limited:
            return too_many_requests(request, limited, look=self.limit_look)
        return super().post(request, *args, **kwargs)  # type: ignore[misc]


# Password spraying (ASVS V6.3.1): failed log-ins from one address, whatever the names tried.
# django-axes locks a name at an address; this slows an address trying many names. Counted by
# address only, so an officer elsewhere always signs in.
LOGIN_FAILURES = "login_failures_address"
LOGIN_VIEWS = {"admin:login": "admin", "portal:login": "portal"}


def count_login_failure(
    sender: Any, credentials: Any, request: HttpRequest | None = None, **kwargs: Any
) -> None:
    """``user_login_failed`` receiver (connected in licensing.apps)."""
    if request is not None:
        count(LOGIN_FAILURES, hashed(client_address(request)))


class LoginSprayMiddleware:
    """Refuses a log-in POST, to the admin's or the portal's form, from an address that has
    failed ``RATE_LIMITS["login_failures_address"]`` times in the window."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: Any, args: Any, kwargs: Any
    ) -> HttpResponse | None:
        match = request.resolver_match
        look = LOGIN_VIEWS.get(match.view_name) if match else None
        if look is None or request.method != "POST":
            return None
        key = hashed(client_address(request))
        retry_after = reached(LOGIN_FAILURES, key)
        if not retry_after:
            return None
        limited = Limited(group=LOGIN_FAILURES, kind=ADDRESS, key=key, retry_after=retry_after)
        return too_many_requests(request, limited, look=look)
