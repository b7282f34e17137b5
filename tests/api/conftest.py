"""Fixtures of the API tests: register a client with a token and get a test client that sends it."""

from __future__ import annotations

import itertools

import pytest
from django.core.cache import cache
from django.test import Client

from tests.conftest import COUNTY, TOWNSHIP_A, TOWNSHIP_B  # noqa: F401  (re-exported)

_codes = itertools.count(1)


class ApiCaller:
    """A Django test client that sends ``Authorization: Bearer <token>`` on every request."""

    def __init__(self, api_client, token, raw: str):
        self.api_client = api_client
        self.token = token
        self.raw = raw
        self.http = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")

    def get(self, path: str, params: dict | None = None, **extra):
        return self.http.get(path, params or {}, **extra)

    def post(self, path: str, body, **extra):
        return self.http.post(path, body, content_type="application/json", **extra)

    def records(self, label: str) -> str:
        return f"/api/v1/records/{label}/"

    def list_all(self, label: str, **params) -> list[dict]:
        """Every record of the type the client can read, following the cursor."""
        out, url, query = [], self.records(label), {"page_size": 500, **params}
        while url:
            response = self.http.get(url, query)
            assert response.status_code == 200, response.content[:500]
            body = response.json()
            out += body["results"]
            url, query = body["next"], {}
        return out

    def batch(self, label: str, items: list, policy: str = "valid_rows"):
        return self.post(f"{self.records(label)}batch/", {"policy": policy, "items": items})


@pytest.fixture(autouse=True)
def _fresh_throttle_cache():
    # rate-limit counters live in the cache, keyed by client id; ids are reused after a test's rollback
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def make_api(db):
    """make_api(scope="140121100", types=["contracts.contract"], can_write=True, ...) → ApiCaller."""
    from imports.api.services import api_client_create, api_token_issue

    def make(scope: str = TOWNSHIP_A, types=(), *, can_write: bool = True, rate: int = 100000, kind="vendor"):
        code = f"test-{next(_codes)}"
        client = api_client_create(
            code=code,
            name=f"测试客户端{code}",
            kind=kind,
            scope_region=scope.ljust(12, "0"),
            allowed_types=list(types),
            can_write=can_write,
            rate_per_minute=rate,
        )
        token, raw = api_token_issue(client=client)
        return ApiCaller(client, token, raw)

    return make
