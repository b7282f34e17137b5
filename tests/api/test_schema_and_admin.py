"""The OpenAPI schema and its rendered docs (served without a CDN), and the admin of API clients:
county administrators register clients and issue tokens shown once; others cannot."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from imports.api.models import ApiClient, ApiToken
from imports.api.registry import record_types
from imports.api.services import token_hash
from tests.api.conftest import TOWNSHIP_A

pytestmark = pytest.mark.django_db


def test_the_schema_describes_every_record_type_with_its_own_fields_and_bearer_auth():
    response = Client().get("/api/v1/schema/?format=json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    for label in record_types():
        assert f"/api/v1/records/{label}/" in schema["paths"]
        assert f"/api/v1/records/{label}/item/" in schema["paths"]
    contract = schema["components"]["schemas"]["ContractsContract"]["properties"]
    assert {"key", "org", "contract_no", "total_amount", "review_status"} <= set(contract)
    assert "合同" in contract["contract_no"]["description"] or contract["contract_no"].get("title")
    assert schema["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"


@pytest.mark.parametrize("path", ["/api/v1/docs/", "/api/v1/redoc/"])
def test_the_rendered_docs_load_their_assets_from_this_server_not_a_cdn(path):
    response = Client().get(path)
    assert response.status_code == 200
    html = response.content.decode()
    assets = re.findall(r'(?:src|href)="([^"]+\.(?:js|css))"', html)
    assert assets and all(a.startswith("/static/") for a in assets), assets


def test_a_county_admin_registers_a_client_and_gets_its_token_once(client_for, users):
    admin = client_for("county_admin")
    response = admin.post(
        "/admin/imports/apiclient/add/",
        {
            "code": "county-platform",
            "name": "县级平台",
            "kind": "county_platform",
            "scope_region": TOWNSHIP_A.ljust(12, "0"),
            "allowed_types": ["contracts.contract", "funds.bankaccount"],
            "can_write": "on",
            "rate_per_minute": "120",
            "is_active": "on",
            "contact": "",
            "tokens-TOTAL_FORMS": "0",
            "tokens-INITIAL_FORMS": "0",
            "tokens-MIN_NUM_FORMS": "0",
            "tokens-MAX_NUM_FORMS": "1000",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    client = ApiClient.objects.get(code="county-platform")
    assert client.allowed_types == ["contracts.contract", "funds.bankaccount"]
    assert client.service_user.scope_region_id == TOWNSHIP_A.ljust(12, "0")
    assert client.service_user.has_perm("funds.add_bankaccount")

    page = admin.post(f"/admin/imports/apiclient/{client.pk}/issue-token/")
    assert page.status_code == 200
    raw = re.search(r"sanzi_[A-Za-z0-9_-]+", page.content.decode()).group(0)
    token = ApiToken.objects.get(client=client)
    assert token.token_hash == token_hash(raw)
    api = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert api.get("/api/v1/records/contracts.contract/").status_code == 200
    assert raw not in admin.get(f"/admin/imports/apiclient/{client.pk}/change/").content.decode()
    assert admin.get("/admin/imports/apirequestlog/").status_code == 200


def test_a_county_admin_cannot_register_a_client_outside_the_county(client_for):
    response = client_for("county_admin").post(
        "/admin/imports/apiclient/add/",
        {
            "code": "elsewhere",
            "name": "外县",
            "kind": "vendor",
            "scope_region": "140100000000",
            "rate_per_minute": "60",
        },
    )
    assert response.status_code == 200 and not ApiClient.objects.filter(code="elsewhere").exists()


@pytest.mark.parametrize("username", ["township_reviewer", "village_bookkeeper"])
def test_users_below_the_county_administrator_cannot_manage_api_clients(client_for, username):
    page = client_for(username)
    assert page.get("/admin/imports/apiclient/").status_code == 403
    assert page.get("/admin/imports/apiclient/add/").status_code == 403


def test_the_token_admin_rotates_with_the_new_token_shown_once_and_revokes_at_once(client_for, make_api):
    api = make_api(TOWNSHIP_A, ["contracts.contract"])
    admin = client_for("county_admin")
    changelist = "/admin/imports/apitoken/"
    page = admin.post(changelist, {"action": "rotate", "_selected_action": [api.token.pk]})
    assert page.status_code == 200
    raw = re.search(r"sanzi_[A-Za-z0-9_-]+", page.content.decode()).group(0)
    assert (
        raw != api.raw
        and Client(HTTP_AUTHORIZATION=f"Bearer {raw}").get("/api/v1/records/contracts.contract/").status_code
        == 200
    )
    api.token.refresh_from_db()
    assert api.token.expires_at is not None and api.token.revoked_at is None  # grace time, not revoked

    admin.post(changelist, {"action": "revoke", "_selected_action": [api.token.pk]})
    api.token.refresh_from_db()
    assert api.token.revoked_at is not None
    assert api.get("/api/v1/records/contracts.contract/").status_code == 401
