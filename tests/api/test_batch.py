"""Batch upsert shares the import engine's write path (issue 10 item 1): new records, partial items,
the review reset of approved records, the on-import rule trigger, rollback of a batch, and the request
checks (size, shape, policy) — always Chinese item or request errors, never a server error."""

from __future__ import annotations

import json
from unittest import mock

import pytest

from backoffice.contracts.models import Contract
from backoffice.core.choices import ReviewStatus
from imports import engine
from imports.models import ImportJob
from tests.api.conftest import TOWNSHIP_A

pytestmark = pytest.mark.django_db
LABEL = "contracts.contract"
READ_ONLY = {"key", "review_status", "updated_at", "region_code"}


@pytest.fixture
def api(make_api):
    return make_api(TOWNSHIP_A, [LABEL])


def a_contract(api, **filters) -> dict:
    contract = Contract.objects.filter(region_code__startswith=TOWNSHIP_A, **filters).order_by("pk").first()
    response = api.get(
        f"{api.records(LABEL)}item/", {"key": f"{contract.org.credit_code} | {contract.contract_no}"}
    )
    assert response.status_code == 200
    return response.json()


def test_a_new_key_creates_a_record_in_its_organisations_region_and_repeating_it_changes_nothing(api):
    row = a_contract(api)
    item = {k: v for k, v in row.items() if k not in READ_ONLY}
    item["contract_no"] = "API-2026-001"
    # a new record needs the full personal numbers, not their masks
    item["party_b_id"] = "140121199001011238"
    item["party_b_phone"] = "13912345678"
    first = api.batch(LABEL, [item]).json()
    assert first["counts"]["created"] == 1, first
    job = ImportJob.objects.get(pk=first["batch"])
    with job.file.open("rb") as stored:  # the job keeps exactly what was sent, like an uploaded file
        assert json.loads(stored.read()) == {"policy": "valid_rows", "items": [item]}
    created = Contract.objects.get(contract_no="API-2026-001")
    assert created.region_code == row["region_code"] and created.review_status == ReviewStatus.DRAFT
    assert created.created_by_id == api.api_client.service_user_id
    again = api.batch(LABEL, [item]).json()
    assert (
        again["counts"]["unchanged"] == 1 and Contract.objects.filter(contract_no="API-2026-001").count() == 1
    )


def test_fields_an_item_leaves_out_keep_their_stored_values(api):
    row = a_contract(api)
    item = {"org": row["org"], "contract_no": row["contract_no"], "escalation_note": "每三年递增5%"}
    result = api.batch(LABEL, [item]).json()
    assert result["items"][0]["status"] == "updated", result
    after = a_contract(api, contract_no=row["contract_no"])
    assert after["escalation_note"] == "每三年递增5%"
    assert {
        k: v for k, v in after.items() if k not in {"escalation_note", "updated_at", "review_status"}
    } == {k: v for k, v in row.items() if k not in {"escalation_note", "updated_at", "review_status"}}


def test_an_api_change_to_an_approved_record_sends_it_back_to_draft_and_rollback_restores_the_approval(api):
    row = a_contract(api, review_status=ReviewStatus.APPROVED)
    item = {"org": row["org"], "contract_no": row["contract_no"], "escalation_note": "接口修改"}
    result = api.batch(LABEL, [item]).json()
    contract = Contract.objects.get(org__credit_code=row["org"], contract_no=row["contract_no"])
    assert contract.review_status == ReviewStatus.DRAFT and contract.escalation_note == "接口修改"

    assert engine.rollback_job(result["batch"]) == ImportJob.Status.ROLLED_BACK
    contract.refresh_from_db()
    assert (
        contract.review_status == ReviewStatus.APPROVED and contract.escalation_note == row["escalation_note"]
    )


def test_committed_items_trigger_the_on_import_rules_once_after_the_transaction(
    api, django_capture_on_commit_callbacks
):
    row = a_contract(api)
    item = {"org": row["org"], "contract_no": row["contract_no"], "escalation_note": "规则触发"}
    with (
        mock.patch("rules.triggers.records_changed") as changed,
        django_capture_on_commit_callbacks(execute=True),
    ):
        api.batch(LABEL, [item])
    contract = Contract.objects.get(org__credit_code=row["org"], contract_no=row["contract_no"])
    changed.assert_called_once_with(Contract, [contract.pk], trigger="on_import")


def test_item_level_errors_name_the_field_and_code_in_chinese(api):
    row = a_contract(api)
    base = {"org": row["org"], "contract_no": row["contract_no"]}
    items = [
        {**base, "escalation_note": "甲"},
        {**base, "escalation_note": "乙"},  # the same record twice
        {**base, "no_such_field": 1},
        {**base, "quantity": {"nested": True}},
        {**base, "contract_type": "不存在的类型"},
        {"org": "N0000000000000000X", "contract_no": "HT-NEW"},
        "not an object",
    ]
    result = api.batch(LABEL, items).json()
    codes = [[(e["field"], e["code"]) for e in item["errors"]] for item in result["items"]]
    assert result["items"][0]["status"] == "updated"
    assert ("contract_no", "duplicate_in_batch") in codes[1] or ("org", "duplicate_in_batch") in codes[1]
    assert "与第 0 项（index）重复" in result["items"][1]["errors"][0]["message"]
    assert codes[2] == [("no_such_field", "unknown_field")]
    assert codes[3] == [("quantity", "invalid_value")]
    assert ("contract_type", "invalid_choice") in codes[4]  # (and a duplicate of item 0, like item 1)
    assert ("org", "unknown_reference") in codes[5]
    assert codes[6] == [("__all__", "rule_violation")]
    assert result["counts"] == {"created": 0, "updated": 1, "unchanged": 0, "invalid": 6, "not_written": 0}
    assert all(e["message"] and e["label"] for item in result["items"] for e in item["errors"])


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"items": []}, 400, "invalid_request"),
        ({"items": "x"}, 400, "invalid_request"),
        ({"policy": "sometimes", "items": [{}]}, 400, "invalid_request"),
        ([1, 2], 400, "invalid_request"),
        ({"items": [{}] * 1001}, 413, "too_many_items"),
        ({"dry_run": "yes", "items": [{}]}, 400, "invalid_request"),
    ],
)
def test_a_malformed_batch_is_refused_as_a_whole_in_chinese(api, body, status, code):
    response = api.post(f"{api.records(LABEL)}batch/", body)
    assert response.status_code == status and response.json()["error"]["code"] == code
    assert not ImportJob.objects.filter(channel="api").exists()


def test_a_body_that_is_not_json_is_a_400_not_a_server_error(api):
    response = api.http.post(f"{api.records(LABEL)}batch/", "{not json", content_type="application/json")
    assert response.status_code == 400 and response.json()["error"]["code"] == "invalid_request"


def test_list_filters_region_org_review_status_and_updated_after(api):
    rows = api.list_all(LABEL)
    village = rows[0]["region_code"]
    assert {r["key"] for r in api.list_all(LABEL, region=village)} == {
        r["key"] for r in rows if r["region_code"] == village
    }
    org = rows[0]["org"]
    assert {r["key"] for r in api.list_all(LABEL, org=org)} == {r["key"] for r in rows if r["org"] == org}
    approved = {r["key"] for r in rows if r["review_status"] == "approved"}
    assert {r["key"] for r in api.list_all(LABEL, review_status="approved")} == approved
    latest = max(r["updated_at"] for r in rows)
    assert api.list_all(LABEL, updated_after=latest) == []
    assert api.list_all(LABEL, region="1401211019") == []  # the other township: nothing, not an error
    for params in (
        {"region": "abc"},
        {"review_status": "nope"},
        {"updated_after": "yesterday"},
        {"cursor": "zz"},
    ):
        response = api.get(api.records(LABEL), params)
        assert response.status_code == 400, params
        assert response.json()["error"]["code"] in {"invalid_request", "invalid_cursor"}


def test_pages_follow_the_cursor_without_overlap(api):
    first = api.get(api.records(LABEL), {"page_size": 2}).json()
    second = api.http.get(first["next"]).json()
    assert len(first["results"]) == 2 and {r["key"] for r in first["results"]}.isdisjoint(
        r["key"] for r in second["results"]
    )


def test_nul_characters_and_broken_unicode_are_item_errors_not_database_errors(api):
    row = a_contract(api)
    base = {"org": row["org"], "contract_no": row["contract_no"]}
    items = [
        {**base, "\x00bad\ud800": 1},
        {**base, "escalation_note": "a\x00b"},
        {**base, "escalation_note": "\ud800"},
        {"org": row["org"], "contract_no": "\ud800\x00"},
    ]
    response = api.batch(LABEL, items)
    assert response.status_code == 200
    assert [i["status"] for i in response.json()["items"]] == ["invalid"] * 4
    assert response.json()["items"][0]["errors"][0]["code"] == "unknown_field"


def test_a_dry_run_answers_what_would_happen_and_writes_nothing(api):
    """试算: the same validation as a real batch, statuses would_create / would_update / unchanged /
    invalid, no record written or changed, and the job shown as cancelled."""
    existing = a_contract(api)
    new = {k: v for k, v in existing.items() if k not in READ_ONLY}
    new.update(contract_no="API-DRY-001", party_b_id="140121199001011238", party_b_phone="13912345678")
    changed = {"org": existing["org"], "contract_no": existing["contract_no"], "escalation_note": "试算"}
    same = {"org": existing["org"], "contract_no": existing["contract_no"]}
    broken = {**new, "contract_no": "API-DRY-002", "start_date": "2024-02-30"}
    before = sorted(Contract.objects.values_list("pk", "updated_at"))
    response = api.post(
        f"{api.records(LABEL)}batch/",
        {"policy": "valid_rows", "dry_run": True, "items": [new, changed, broken]},
    )
    assert response.status_code == 200
    result = response.json()
    assert result["dry_run"] is True
    assert [i["status"] for i in result["items"]] == ["would_create", "would_update", "invalid"]
    assert result["counts"] == {"would_create": 1, "would_update": 1, "unchanged": 0, "invalid": 1}
    assert result["items"][2]["errors"][0]["field"] == "start_date"
    assert sorted(Contract.objects.values_list("pk", "updated_at")) == before
    assert not Contract.objects.filter(contract_no__startswith="API-DRY-").exists()
    job = ImportJob.objects.get(pk=result["batch"])
    assert job.status == ImportJob.Status.CANCELLED
    assert job.events.filter(message__contains="试算").exists()

    unchanged = api.post(f"{api.records(LABEL)}batch/", {"dry_run": True, "items": [same]}).json()
    assert unchanged["counts"] == {"would_create": 0, "would_update": 0, "unchanged": 1, "invalid": 0}
    real = api.post(f"{api.records(LABEL)}batch/", {"policy": "valid_rows", "items": [new, changed]}).json()
    assert real["counts"]["created"] == 1 and real["counts"]["updated"] == 1 and "dry_run" not in real
