"""Makes the client's address available to the audit trail for the length of a request, and
answers a request that found the document store down with 503 and a message."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from licensing.services.audit import request_ip
from licensing.storage import StorageUnavailable


class AuditContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # REMOTE_ADDR only: X-Forwarded-For is set by the client unless a trusted proxy rewrites
        # it, and the proxy's own configuration is the place to do that.
        token = request_ip.set(request.META.get("REMOTE_ADDR") or None)
        try:
            return self.get_response(request)
        finally:
            request_ip.reset(token)


class StorageUnavailableMiddleware:
    """A view that could not read the store (licensing.storage.open_stored) or write to it
    outside a form that says so itself: the page says why, in the user's language, with 503
    and ``Retry-After``, instead of a server error. Nothing was written (issue 21)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, StorageUnavailable):
            return None
        context = {"message": str(exception)}
        if request.path.startswith("/admin/"):
            context.update(admin.site.each_context(request))
            template = "admin/store_unavailable.html"
        else:
            template = "portal/store_unavailable.html"
        response = render(request, template, context, status=503)
        response["Retry-After"] = "60"
        return response
