"""Per-client rate limit (``ApiClient.rate_per_minute``) on Django's cache → 429 with Retry-After.

The cache is per process unless ``CACHE_URL`` points at Redis (settings), as production should."""

from __future__ import annotations

from rest_framework.throttling import SimpleRateThrottle


class ClientRateThrottle(SimpleRateThrottle):
    scope = "api_client"

    def get_rate(self):
        return None  # set per request from the client in allow_request

    def allow_request(self, request, view):
        client = getattr(request._request, "api_client", None)
        if client is None:
            return True
        self.num_requests, self.duration = max(1, client.rate_per_minute), 60
        self.rate = f"{self.num_requests}/min"
        return super().allow_request(request, view)

    def get_cache_key(self, request, view):
        client = getattr(request._request, "api_client", None)
        if client is None:
            return None
        return self.cache_format % {"scope": self.scope, "ident": client.pk}
