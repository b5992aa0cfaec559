"""``/healthz``, ``/readyz`` and ``/metrics``. They are answered by ``OpsEndpointsMiddleware``
before the rest of the stack (see ops/middleware.py), so they set no cookie, need no log-in or
second factor, count against no rate limit, and answer a probe that names the node by its
address. The URLs in ops/urls.py lead to the same views where the middleware is not used."""

from __future__ import annotations

import hmac

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from ops import checks, metrics


@never_cache
@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    """The process is alive and answers: nothing else is touched (no database)."""
    return JsonResponse({"status": "alive"})


@never_cache
@require_GET
def readyz(request: HttpRequest) -> HttpResponse:
    results = checks.run_checks()
    ready = all(result.ok for result in results.values())
    body = {
        "status": "ready" if ready else "not ready",
        "checks": {name: {"state": r.state, **r.detail} for name, r in results.items()},
    }
    return JsonResponse(body, status=200 if ready else 503)


@never_cache
@require_GET
def metrics_view(request: HttpRequest) -> HttpResponse:
    """Prometheus scrapes with ``Authorization: Bearer $METRICS_TOKEN``. Without a token
    configured the endpoint does not exist (404): metrics are never public."""
    token: str = settings.METRICS_TOKEN
    if not token:
        raise Http404
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not given:
        response = HttpResponse("Bearer token required.\n", status=401, content_type="text/plain")
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    if not hmac.compare_digest(given.strip().encode(), token.encode()):
        return HttpResponse("Wrong token.\n", status=403, content_type="text/plain")
    from prometheus_client import CONTENT_TYPE_LATEST

    return HttpResponse(metrics.render(), content_type=CONTENT_TYPE_LATEST)
