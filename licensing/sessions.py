"""Session lifetimes (docs/abuse-limits.md). Staff: at most ``STAFF_SESSION_HOURS`` after
log-in and ``STAFF_SESSION_IDLE_MINUTES`` without a request (ASVS V7.3.1, V7.3.2), then logged
out with a message and sent to the admin's log-in, ``next=`` the page they asked for. Portal
users: the cookie ends with the browser unless they tick "Remember me" (then
``PORTAL_REMEMBER_ME_DAYS``, counted from log-in), set by the portal's log-in view."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

LOGGED_IN_AT = "_licensing_logged_in_at"
LAST_SEEN_AT = "_licensing_last_seen_at"
# Last activity is written at most this often: not a session write on every request.
ACTIVITY_RESOLUTION_SECONDS = 60


def is_staff_session(user: Any) -> bool:
    return bool(user.is_staff or user.is_superuser)


def stamp_login(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    """``user_logged_in`` receiver (connected in licensing.apps). Every session starts as one
    that ends with the browser; the portal's log-in extends it when asked to remember."""
    if request is None or not hasattr(request, "session"):
        return
    now = time.time()
    request.session[LOGGED_IN_AT] = now
    request.session[LAST_SEEN_AT] = now
    request.session.set_expiry(0)


def remember(request: HttpRequest, *, remember_me: bool) -> None:
    """Portal log-in: keep the session ``PORTAL_REMEMBER_ME_DAYS`` from now, or only until the
    browser closes. A fixed end, not renewed by activity."""
    if remember_me:
        days = settings.PORTAL_REMEMBER_ME_DAYS
        request.session.set_expiry(timezone.now() + dt.timedelta(days=days))
    else:
        request.session.set_expiry(0)


def expired_because(request: HttpRequest, now: float) -> str:
    """Why a staff session must end now, or ""; records the activity otherwise."""
    session = request.session
    logged_in = session.setdefault(LOGGED_IN_AT, now)
    last_seen = session.setdefault(LAST_SEEN_AT, now)
    if now - logged_in > settings.STAFF_SESSION_HOURS * 3600:
        hours = settings.STAFF_SESSION_HOURS
        return _(
            "You were signed out because your session reached its limit of %(hours)d hours. "
            "Please sign in again."
        ) % {"hours": hours}
    if now - last_seen > settings.STAFF_SESSION_IDLE_MINUTES * 60:
        minutes = settings.STAFF_SESSION_IDLE_MINUTES
        return _(
            "You were signed out after %(minutes)d minutes without activity. Please sign in again."
        ) % {"minutes": minutes}
    if now - last_seen >= ACTIVITY_RESOLUTION_SECONDS:
        session[LAST_SEEN_AT] = now
    return ""


class SessionLifetimeMiddleware:
    """After authentication (and django-otp's middleware), before the views: ends a staff
    session that is too old or idle for too long."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user: Any = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not is_staff_session(user):
            return self.get_response(request)
        reason = expired_because(request, time.time())
        if not reason:
            return self.get_response(request)
        logout(request)
        messages.info(request, reason)
        target = reverse("admin:login")
        if request.method == "GET":
            target = f"{target}?{urlencode({'next': request.get_full_path()})}"
        return HttpResponseRedirect(target)
