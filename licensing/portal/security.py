"""django-axes hooks: how a log-in attempt is counted, and the page a locked-out visitor sees."""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from licensing.ratelimit import client_address, hashed

logger = logging.getLogger("licensing.security")


def axes_username(request: HttpRequest, credentials: dict[str, Any] | None = None) -> str:
    """The name an attempt counts against: what was typed, trimmed and lower-cased, so that
    changing the case of an e-mail address does not earn another set of attempts."""
    value = (credentials or {}).get("username")
    if value is None:
        value = request.POST.get("username", "")
    return str(value).strip().lower()


def locked_out(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict[str, Any] | None = None,
) -> HttpResponse:
    """Too many failed log-ins for this name from this address: a page that says so, and when
    to try again, in the visitor's language (status 429)."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    # ASVS V16.3.1: the refusal is logged, with hashes, never the clear name or address.
    logger.warning(
        "log-in lock-out refused: limit=axes name=%s key=%s",
        hashed(axes_username(request, credentials)),
        hashed(client_address(request)),
    )
    response = render(
        request,
        "portal/accounts/locked_out.html",
        {"minutes": minutes, "failure_limit": settings.AXES_FAILURE_LIMIT},
        status=429,
    )
    response["Retry-After"] = str(int(settings.AXES_COOLOFF_TIME.total_seconds()))
    return response
