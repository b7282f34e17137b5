"""Every request under ``/api/`` is logged in ``ApiRequestLog`` (issue 10 item 2): client, token prefix,
method, path, status, item count, duration, IP address, request id (``X-Request-ID``) and error code.

A middleware rather than a view mixin, so that requests refused before any view runs (unknown path,
bad token, throttled) are logged too. Views report details on the Django request:
``api_client``, ``api_token_prefix``, ``api_item_count``, ``api_job_id``.
"""

from __future__ import annotations

import json
import logging
import time

from django.db import DatabaseError

logger = logging.getLogger(__name__)
API_PREFIX = "/api/"


def client_ip(request) -> str | None:
    # REMOTE_ADDR only, as the rest of the project (a client-sent X-Forwarded-For would be spoofable)
    ip = request.META.get("REMOTE_ADDR") or None
    from django.core.validators import validate_ipv46_address

    try:
        validate_ipv46_address(ip)
    except Exception:
        return None
    return ip


def _error_code(response) -> str:
    if response.status_code < 400 or "json" not in response.get("Content-Type", ""):
        return ""
    try:
        body = json.loads(response.content)
    except (ValueError, TypeError, AttributeError):
        return ""
    error = body.get("error") if isinstance(body, dict) else None
    return str(error.get("code", ""))[:40] if isinstance(error, dict) else ""


class ApiRequestLogMiddleware:
    """Write one ``ApiRequestLog`` row per API request (never breaks the response if logging fails)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith(API_PREFIX):
            return self.get_response(request)
        started = time.monotonic()
        response = self.get_response(request)
        try:
            self._log(request, response, started)
        except DatabaseError:
            logger.exception("could not write the API request log")
        return response

    def _log(self, request, response, started: float) -> None:
        from .models import ApiRequestLog

        ApiRequestLog.objects.create(
            client=getattr(request, "api_client", None),
            token_prefix=getattr(request, "api_token_prefix", "")[:12],
            method=request.method[:8],
            path=request.path[:300],
            query=request.META.get("QUERY_STRING", "")[:500],
            status=response.status_code,
            item_count=getattr(request, "api_item_count", 0),
            duration_ms=int((time.monotonic() - started) * 1000),
            ip=client_ip(request),
            request_id=getattr(request, "request_id", "")[:40],
            error_code=_error_code(response),
            job_id=getattr(request, "api_job_id", None),
        )
