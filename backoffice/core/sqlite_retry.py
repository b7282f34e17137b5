"""SQLite allows one writer at a time. The web process and the django-q2 worker share the file (WAL,
IMMEDIATE transactions, a busy timeout), so a write request that meets a long worker transaction waits;
if the wait exceeds the busy timeout SQLite raises "database is locked" (issue #8 item 6).

This middleware turns that into a bounded retry instead of a 500: a state-changing request (POST, PUT,
PATCH, DELETE) runs its view inside one transaction, so a failed attempt leaves nothing behind and can be
repeated safely; reads are retried as they are. When every attempt fails the user gets a Chinese
"busy, try again" page with HTTP 503 and ``Retry-After``, never a traceback.

Only active on SQLite; PostgreSQL has row locks and needs none of this."""

from __future__ import annotations

import logging
import time

from django.db import OperationalError, connection, transaction
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

logger = logging.getLogger(__name__)

#: Seconds to wait before each retry (on top of SQLite's own busy timeout per attempt).
BACKOFF = (0.2, 0.5, 1.0, 2.0)
SAFE_METHODS = ("GET", "HEAD", "OPTIONS", "TRACE")


def is_lock_error(exc: BaseException) -> bool:
    text = str(exc).lower()
    return isinstance(exc, OperationalError) and (
        "database is locked" in text or "database table is locked" in text
    )


class SQLiteLockRetryMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.active = connection.vendor == "sqlite"

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not self.active:
            return None
        atomic = request.method not in SAFE_METHODS
        for attempt, pause in enumerate((*BACKOFF, None)):
            try:
                if atomic:
                    with transaction.atomic():
                        return view_func(request, *view_args, **view_kwargs)
                return view_func(request, *view_args, **view_kwargs)
            except OperationalError as exc:
                if not is_lock_error(exc) or (connection.in_atomic_block and not atomic):
                    raise
                if pause is None:
                    logger.warning("database still locked after %s attempts: %s", attempt + 1, request.path)
                    return busy_response(request)
                logger.info("database locked, retry %s of %s: %s", attempt + 1, len(BACKOFF), request.path)
                time.sleep(pause)
        return None  # pragma: no cover - the loop always returns


def busy_response(request: HttpRequest) -> HttpResponse:
    body = render_to_string("core/busy.html", request=request)
    response = HttpResponse(body, status=503)
    response["Retry-After"] = "5"
    return response
