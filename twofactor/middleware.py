"""The second step as a gate (ASVS V6.3.3, V8.2.1). An authenticated session that no second
factor has verified, of a staff user (every one of them) or of a portal user who opted in,
reaches only the pages needed to pass the step: the step itself, enrolment, the passkey
endpoints, log-in and log-out, and the language switchers. Everything else, today's pages and
any added later, is redirected to the second step (or refused with 403 JSON for a script)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from twofactor.services import has_primary_device, is_staff_account

ALLOWED_NAMESPACES = frozenset({"twofactor", "otp_webauthn"})
ALLOWED_NAMES = frozenset(
    {
        "admin:login",
        "admin:logout",
        "admin:jsi18n",
        "portal:login",
        "portal:logout",
        "portal:language",
        "set_language",
        "csp-report",  # a browser's report of a refused script, from the second step too
    }
)


def must_verify(request: HttpRequest) -> bool:
    user: Any = request.user
    if not user.is_authenticated or user.is_verified():
        return False
    return is_staff_account(user) or has_primary_device(user)


def safe_next(request: HttpRequest, url: str | None) -> str:
    """``url`` if it stays on this site, else ""."""
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return ""


def wants_json(request: HttpRequest) -> bool:
    accept = request.headers.get("Accept", "")
    return (
        request.headers.get("X-Requested-With") == "XMLHttpRequest"
        or request.content_type == "application/json"
        or ("application/json" in accept and "text/html" not in accept)
    )


class SecondFactorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: Any, args: Any, kwargs: Any
    ) -> HttpResponse | None:
        match = request.resolver_match
        if match is not None and (
            match.namespace in ALLOWED_NAMESPACES or match.view_name in ALLOWED_NAMES
        ):
            return None
        if not must_verify(request):
            return None
        if wants_json(request):
            return JsonResponse(
                {"detail": _("Verify your second factor first."), "code": "not_verified"},
                status=403,
            )
        target = reverse("twofactor:verify")
        next_url = safe_next(request, request.get_full_path()) if request.method == "GET" else ""
        if next_url:
            target = f"{target}?{urlencode({'next': next_url})}"
        return HttpResponseRedirect(target)
