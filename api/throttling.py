"""Per-partner request limits, counted in the cache (shared by every web process with Redis):
beyond it, 429 with Retry-After."""

from __future__ import annotations

from typing import Any

from rest_framework.throttling import SimpleRateThrottle

from api.auth import partner_of


class PartnerRateThrottle(SimpleRateThrottle):
    scope = "partner"

    def allow_request(self, request: Any, view: Any) -> bool:
        client = partner_of(request)
        if client is not None and client.rate:
            self.rate = client.rate
            self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)

    def get_cache_key(self, request: Any, view: Any) -> str | None:
        client = partner_of(request)
        if client is None:
            return None  # refused before this point: the token endpoint is limited elsewhere
        return self.cache_format % {"scope": self.scope, "ident": client.pk}
