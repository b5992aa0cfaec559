"""Two middleware near the top of settings.MIDDLEWARE (the block of issue 21 puts them there).

``RequestIdMiddleware`` gives each request its id (ops/request_id.py): the ``X-Request-ID``
that the proxy or the client sent when it is well-formed, else a new one; every log line of
the request and every task it queues carries it, and the response returns it.

``OpsEndpointsMiddleware`` answers ``/healthz``, ``/readyz`` and ``/metrics`` itself, before
the security, session, log-in, second-factor and rate-limit middleware: a probe carries no
session and must get none (no cookie), must not be redirected to HTTPS or the log-in page, and
often names the node by its address, not by a host in ALLOWED_HOSTS (the host check runs in
the middleware below, which these requests never reach). The bodies hold no personal data;
/metrics checks its own bearer token."""

from __future__ import annotations

from collections.abc import Callable

from django.core.signals import request_finished
from django.http import HttpRequest, HttpResponse

from ops.request_id import clear_request_id, new_request_id, set_request_id, well_formed

HEADER = "X-Request-ID"

request_finished.connect(clear_request_id, dispatch_uid="ops.clear_request_id")


class RequestIdMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        given = request.headers.get(HEADER)
        request_id = given if given and well_formed(given) else new_request_id()
        # Cleared when the response is closed (request_finished), after Django has logged it.
        set_request_id(request_id)
        request.request_id = request_id  # type: ignore[attr-defined]
        response = self.get_response(request)
        response[HEADER] = request_id
        return response


class OpsEndpointsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from ops.urls import ENDPOINTS

        view = ENDPOINTS.get(request.path_info)
        if view is None:
            return self.get_response(request)
        response = view(request)
        # What SecurityMiddleware, skipped here, would have added.
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        return response
