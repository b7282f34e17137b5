"""Per-request timing: how long the server spent on a request and how much of it in the database.

Operations (DOMAIN §8 "daily maintenance, monitoring") need to know which pages are slow for whom, and
the load test needs to tell server time from time spent queued in front of the server. The middleware
measures the whole request (from the first middleware after it to the response) and, through
``connection.execute_wrapper``, the number and duration of database queries of the default connection.

* ``SLOW_REQUEST_MS`` (default 1000; 0 = off): a request slower than this is logged at WARNING on the
  ``backoffice.slow_requests`` logger with method, path, the names (not the values: a search term may be
  a person's name) of its query parameters, user id, status, total and database time and query count.
* ``SERVER_TIMING`` (default off): adds the W3C ``Server-Timing`` header (``app;dur=…, db;dur=…``) to
  every response, which browsers' developer tools show. Off by default because timings help an attacker
  guess what the server did; turn it on behind an internal network or for a load test.
"""

from __future__ import annotations

import logging
import time

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse

logger = logging.getLogger("backoffice.slow_requests")


class _QueryClock:
    """An ``execute_wrapper``: counts queries and adds up their wall time."""

    __slots__ = ("count", "seconds")

    def __init__(self) -> None:
        self.count = 0
        self.seconds = 0.0

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - started
            self.count += 1


class RequestTimingMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.header = bool(getattr(settings, "SERVER_TIMING", False))
        self.slow_ms = float(getattr(settings, "SLOW_REQUEST_MS", 1000) or 0)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not (self.header or self.slow_ms):
            return self.get_response(request)
        clock = _QueryClock()
        started = time.perf_counter()
        with connection.execute_wrapper(clock):
            response = self.get_response(request)
        total_ms = (time.perf_counter() - started) * 1000
        db_ms = clock.seconds * 1000
        if self.header:
            response["Server-Timing"] = (
                f'app;dur={total_ms:.1f}, db;dur={db_ms:.1f};desc="{clock.count} queries"'
            )
        if self.slow_ms and total_ms >= self.slow_ms:
            user = getattr(request, "user", None)
            logger.warning(
                "slow request %s %s params=%s user=%s status=%s total_ms=%.0f db_ms=%.0f queries=%d",
                request.method,
                request.path,
                ",".join(sorted(request.GET.keys())) or "-",
                getattr(user, "pk", None) or "-",
                response.status_code,
                total_ms,
                db_ms,
                clock.count,
            )
        return response
