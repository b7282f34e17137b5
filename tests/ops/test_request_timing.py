"""Per-request timing (operations monitoring; the load test reads it to tell server time from queueing):
the Server-Timing header only when switched on, and a log line for requests slower than the threshold
that names the page but never a query parameter's value."""

from __future__ import annotations

import logging
import re

import pytest
from django.test import Client, override_settings

pytestmark = pytest.mark.django_db

TIMING = re.compile(r'^app;dur=(?P<app>[\d.]+), db;dur=(?P<db>[\d.]+);desc="(?P<n>\d+) queries"$')
LIST_URL = "/admin/funds/cashjournal/"


def _client(users) -> Client:
    client = Client()  # a new client builds the middleware chain from the overridden settings
    client.force_login(users["township_reviewer"])
    return client


@override_settings(SERVER_TIMING=True, SLOW_REQUEST_MS=0)
def test_server_timing_header_reports_server_and_database_time(users):
    response = _client(users).get(LIST_URL)
    assert response.status_code == 200
    match = TIMING.match(response["Server-Timing"])
    assert match, response["Server-Timing"]
    app, db, queries = float(match["app"]), float(match["db"]), int(match["n"])
    assert queries > 0  # the list reads the session, the user and the rows
    assert 0 < db <= app


@override_settings(SERVER_TIMING=False, SLOW_REQUEST_MS=0)
def test_no_header_unless_switched_on(users):
    response = _client(users).get(LIST_URL)
    assert response.status_code == 200
    assert "Server-Timing" not in response


@override_settings(SERVER_TIMING=False, SLOW_REQUEST_MS=0.001)
def test_slow_request_logged_without_parameter_values(users, caplog):
    with caplog.at_level(logging.WARNING, logger="backoffice.slow_requests"):
        response = _client(users).get(LIST_URL, {"q": "张三丰", "region_code__startswith": "140121"})
    assert response.status_code == 200
    lines = [r.getMessage() for r in caplog.records if r.name == "backoffice.slow_requests"]
    assert len(lines) == 1, lines
    line = lines[0]
    assert f"GET {LIST_URL}" in line
    assert "params=q,region_code__startswith" in line
    assert f"user={users['township_reviewer'].pk}" in line
    assert "status=200" in line
    assert re.search(r"queries=[1-9]\d*", line)
    assert "张三丰" not in line and "140121" not in line  # a search term may be a person's name


@override_settings(SERVER_TIMING=False, SLOW_REQUEST_MS=60_000)
def test_fast_request_not_logged(users, caplog):
    with caplog.at_level(logging.WARNING, logger="backoffice.slow_requests"):
        assert _client(users).get(LIST_URL).status_code == 200
    assert not [r for r in caplog.records if r.name == "backoffice.slow_requests"]
