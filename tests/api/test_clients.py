"""API clients and tokens (issue 10 item 2): token authentication, rotation with a grace time,
immediate revocation, allowed types and the write flag, rate limits per client, every request logged."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from imports.api.models import ApiRequestLog, ApiToken
from imports.api.services import (
    api_client_update,
    api_signing_secret_set,
    api_token_issue,
    api_token_revoke,
    api_token_rotate,
)
from tests.api.conftest import TOWNSHIP_A

pytestmark = pytest.mark.django_db
CONTRACTS = "/api/v1/records/contracts.contract/"


def error_of(response) -> str:
    return response.json()["error"]["code"]


def test_a_request_without_a_token_or_with_an_unknown_token_is_refused_in_chinese(make_api):
    make_api(TOWNSHIP_A, ["contracts.contract"])
    anonymous = Client().get(CONTRACTS)
    assert anonymous.status_code == 401 and error_of(anonymous) == "not_authenticated"
    assert "令牌" in anonymous.json()["error"]["message"]
    forged = Client(HTTP_AUTHORIZATION="Bearer sanzi_not-a-real-token").get(CONTRACTS)
    assert forged.status_code == 401 and error_of(forged) == "token_invalid"
    wrong_scheme = Client(HTTP_AUTHORIZATION="Token abc").get(CONTRACTS)
    assert wrong_scheme.status_code == 401


def test_a_token_is_stored_only_as_its_hash_with_a_visible_prefix(make_api):
    api = make_api(TOWNSHIP_A, ["contracts.contract"])
    stored = ApiToken.objects.get(pk=api.token.pk)
    assert api.raw not in (stored.token_hash, stored.prefix) and api.raw.startswith(stored.prefix)
    assert len(stored.token_hash) == 64


def test_a_revoked_token_is_refused_at_once_and_the_clients_other_tokens_keep_working(make_api):
    api = make_api(TOWNSHIP_A, ["contracts.contract"])
    _other, other_raw = api_token_issue(client=api.api_client)
    assert api.get(CONTRACTS).status_code == 200
    api_token_revoke(token=api.token)
    response = api.get(CONTRACTS)
    assert response.status_code == 401 and error_of(response) == "token_invalid"
    assert Client(HTTP_AUTHORIZATION=f"Bearer {other_raw}").get(CONTRACTS).status_code == 200


def test_rotation_issues_a_new_token_and_the_old_one_works_until_the_grace_time_ends(make_api):
    api = make_api(TOWNSHIP_A, ["contracts.contract"])
    _new, new_raw = api_token_rotate(token=api.token, grace=dt.timedelta(hours=1))
    assert new_raw != api.raw
    assert Client(HTTP_AUTHORIZATION=f"Bearer {new_raw}").get(CONTRACTS).status_code == 200
    assert api.get(CONTRACTS).status_code == 200  # still inside the grace time
    ApiToken.objects.filter(pk=api.token.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert api.get(CONTRACTS).status_code == 401
    assert Client(HTTP_AUTHORIZATION=f"Bearer {new_raw}").get(CONTRACTS).status_code == 200


def test_an_inactive_client_is_refused(make_api):
    api = make_api(TOWNSHIP_A, ["contracts.contract"])
    api_client_update(client=api.api_client, is_active=False)
    response = api.get(CONTRACTS)
    assert response.status_code == 403 and error_of(response) == "client_inactive"


def test_a_type_outside_the_allowed_types_is_forbidden_and_an_unknown_type_is_not_found(make_api):
    api = make_api(TOWNSHIP_A, ["contracts.contract"])
    response = api.get("/api/v1/records/funds.bankaccount/")
    assert response.status_code == 403 and error_of(response) == "type_not_allowed"
    response = api.batch("funds.bankaccount", [{}])
    assert response.status_code == 403
    response = api.get("/api/v1/records/nothing.here/")
    assert response.status_code == 404 and error_of(response) == "unknown_type"


def test_a_read_only_client_cannot_write(make_api):
    api = make_api(TOWNSHIP_A, ["contracts.contract"], can_write=False)
    response = api.batch("contracts.contract", [{"contract_no": "X"}])
    assert response.status_code == 403 and error_of(response) == "write_not_allowed"


def test_the_service_user_holds_exactly_the_clients_scope_and_type_permissions(make_api):
    api = make_api(TOWNSHIP_A, ["contracts.contract"], can_write=False)
    user = api.api_client.service_user
    assert user.scope_region_id == TOWNSHIP_A.ljust(12, "0") and not user.is_staff
    assert not user.has_usable_password()
    assert user.has_perm("contracts.view_contract") and not user.has_perm("contracts.add_contract")
    assert not user.has_perm("funds.view_bankaccount")
    api_client_update(client=api.api_client, can_write=True, allowed_types=["funds.bankaccount"])
    user = type(user).objects.get(pk=user.pk)
    assert user.has_perm("funds.add_bankaccount") and not user.has_perm("contracts.view_contract")


def test_the_signing_secret_is_encrypted_at_rest(make_api):
    from django.db import connection

    api = make_api(TOWNSHIP_A, [], kind="bank")
    secret = api_signing_secret_set(client=api.api_client)
    with connection.cursor() as cursor:
        cursor.execute("SELECT signing_secret FROM imports_apiclient WHERE id = %s", [api.api_client.pk])
        stored = cursor.fetchone()[0]
    assert secret not in stored and stored.startswith("v1:")
    assert type(api.api_client).objects.get(pk=api.api_client.pk).signing_secret == secret


def test_a_client_over_its_rate_limit_gets_429_with_retry_after_in_chinese(make_api):
    api = make_api(TOWNSHIP_A, ["contracts.contract"], rate=3)
    other = make_api(TOWNSHIP_A, ["contracts.contract"], rate=3)
    assert [api.get(CONTRACTS, {"page_size": 1}).status_code for _ in range(3)] == [200, 200, 200]
    response = api.get(CONTRACTS)
    assert response.status_code == 429 and error_of(response) == "rate_limited"
    assert "请求过于频繁" in response.json()["error"]["message"]
    assert 1 <= int(response["Retry-After"]) <= 60
    assert other.get(CONTRACTS, {"page_size": 1}).status_code == 200  # limits are per client


def test_every_request_is_logged_with_client_status_items_and_request_id(make_api):
    api = make_api(TOWNSHIP_A, ["contracts.contract"])
    api.get(CONTRACTS, {"page_size": 3}, HTTP_X_REQUEST_ID="req-api-test-0001")
    Client().get(CONTRACTS)
    api.get("/api/v1/records/funds.bankaccount/")
    logs = list(ApiRequestLog.objects.order_by("pk"))
    assert [(entry.status, entry.error_code) for entry in logs] == [
        (200, ""),
        (401, "not_authenticated"),
        (403, "type_not_allowed"),
    ]
    first = logs[0]
    assert (first.client, first.token_prefix, first.method, first.path) == (
        api.api_client,
        api.token.prefix,
        "GET",
        CONTRACTS,
    )
    assert first.item_count == 3 and first.request_id == "req-api-test-0001" and first.ip == "127.0.0.1"
    assert first.duration_ms >= 0 and "page_size=3" in first.query
    assert logs[1].client is None


def test_reads_are_logged_as_exports_of_the_clients_service_user(make_api):
    from imports.models import ExportLog

    api = make_api(TOWNSHIP_A, ["contracts.contract"])
    api.get(CONTRACTS, {"page_size": 2})
    entry = ExportLog.objects.get()
    assert (entry.user, entry.model_label, entry.row_count, entry.channel) == (
        api.api_client.service_user,
        "contracts.Contract",
        2,
        "api",
    )
