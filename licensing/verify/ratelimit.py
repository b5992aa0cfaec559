"""A fixed-window request limit per client address, kept in Django's cache (Redis in production,
so that every web process counts together; local memory on a laptop)."""

from __future__ import annotations

import functools
import hashlib
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

View = Callable[..., HttpResponse]


def client_key(request: HttpRequest) -> str:
    # REMOTE_ADDR only, as the audit trail (licensing.middleware): X-Forwarded-For is the
    # client's to set unless a trusted proxy rewrites it. Hashed: no address lands in Redis.
    address = request.META.get("REMOTE_ADDR") or "unknown"
    return hashlib.sha256(address.encode()).hexdigest()[:32]


def hit(group: str, request: HttpRequest) -> int:
    """Counts this request; returns 0 if it is within the limit, else the seconds to wait."""
    limit, window = settings.RATE_LIMITS[group]
    now = time.time()
    started = int(now // window) * window
    key = f"ratelimit:{group}:{client_key(request)}:{started}"
    # add() then incr(): both atomic in Redis, so concurrent requests are all counted.
    cache.add(key, 0, timeout=window + 1)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between the two calls
        cache.add(key, 1, timeout=window + 1)
        count = 1
    if count <= limit:
        return 0
    return max(1, int(started + window - now + 0.999))


def too_many_requests(request: HttpRequest, retry_after: int, *, as_json: bool) -> HttpResponse:
    message = _("Too many requests from your address. Please try again in %(seconds)d seconds.") % {
        "seconds": retry_after
    }
    response: HttpResponse
    if as_json:
        response = JsonResponse({"error": "too_many_requests", "message": message}, status=429)
    else:
        response = render(
            request, "verify/too_many_requests.html", {"message": message}, status=429
        )
    response["Retry-After"] = str(retry_after)
    return response


def ratelimit(group: str, *, as_json: bool = False) -> Callable[[View], View]:
    """``@ratelimit("verify")``: at most ``settings.RATE_LIMITS[group]`` = (requests, seconds)
    per client address; beyond it a 429 with Retry-After until the window ends."""

    def decorate(view: View) -> View:
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            retry_after = hit(group, request)
            if retry_after:
                return too_many_requests(request, retry_after, as_json=as_json)
            return view(request, *args, **kwargs)

        return wrapped

    return decorate
