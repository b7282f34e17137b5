"""Bank push (``POST /api/v1/bank/transactions/``, issue 10 item 3): a signed push stores transactions
through the statement pipeline and triggers the real-time rules once; replays, bad signatures, stale or
future timestamps, unknown, inactive or wrong-kind clients, accounts outside the scope, malformed bodies
and invalid transactions are refused with a coded Chinese error — never a 500."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import time
from decimal import Decimal

import pytest
from django.core.cache import cache

from backoffice.funds.choices import Direction
from backoffice.funds.models import BankAccount, BankTransaction
from imports.api.signing import compute_signature

pytestmark = pytest.mark.django_db
URL = "/api/v1/bank/transactions/"
NUMBER = "6228480000012345678"
OTHER = "6228480000098765432"
_nonces = itertools.count()


def new_nonce() -> str:
    return f"test-nonce-{next(_nonces):08d}-{time.time_ns()}"[:64]


def make_account(org, number: str) -> BankAccount:
    template = BankAccount.objects.first()
    return BankAccount.objects.create(
        org=org,
        account_no=number,
        account_name=org.name,
        bank_name="测试农商银行",
        bank_branch_code=template.bank_branch_code,
        opened_on=dt.date(2015, 1, 1),
        is_direct_link=True,
    )


@pytest.fixture(autouse=True)
def fresh_rate_counters():
    cache.clear()  # the per-client throttle counts in the cache; client ids recur across tests
    yield
    cache.clear()


@pytest.fixture
def account(org_a):
    return make_account(org_a, NUMBER)


@pytest.fixture
def bank(db):
    """A bank client of township A (清源镇) with a signing secret; ``bank.secret`` is the plain secret."""
    from imports.api.services import api_client_create, api_signing_secret_set

    client = api_client_create(
        code="bank-qingyuan",
        name="清徐农商银行清源支行",
        kind="bank",
        scope_region="140121100000",
        allowed_types=[],
        can_write=True,
        rate_per_minute=1000,
    )
    client.secret = api_signing_secret_set(client=client)
    return client


@pytest.fixture
def dispatched(monkeypatch):
    from rules import triggers

    calls = []
    triggers._pending.batch = None  # keys of earlier tests' never-committed transactions
    monkeypatch.setattr(triggers, "dispatch", lambda func, *args: calls.append((func, args)))
    yield calls
    triggers._pending.batch = None


def txn(serial: str, day: str, direction: str, amount, balance, **extra) -> dict:
    return {
        "bank_serial": serial,
        "txn_date": day,
        "direction": direction,
        "amount": amount,
        "balance_after": balance,
        **extra,
    }


def three() -> list[dict]:
    return [
        txn(
            "P001",
            "2024-03-01",
            "credit",
            "1000.00",
            "11000.00",
            counterparty_name="张三",
            txn_time="09:30:00",
        ),
        txn("P002", "2024-03-02", "debit", "300.00", "10700.00", counterparty_name="清徐县某建材有限公司"),
        txn("P003", "2024-03-03", "贷", 50.5, "10750.50", summary="利息"),
    ]


def push(client, body, *, bank=None, secret=None, code=None, ts=None, nonce=None, signature=None, raw=None):
    """POST a signed push; every header can be overridden to build a bad request."""
    data = raw if raw is not None else json.dumps(body, ensure_ascii=False).encode()
    ts = str(int(time.time())) if ts is None else ts
    nonce = new_nonce() if nonce is None else nonce
    if signature is None:
        signature = compute_signature(secret if secret is not None else bank.secret, ts, nonce, data)
    headers = {
        "X-Client": code if code is not None else bank.code,
        "X-Timestamp": ts,
        "X-Nonce": nonce,
        "X-Signature": signature,
    }
    response = client.generic("POST", URL, data, content_type="application/json", headers=headers)
    assert response.status_code != 500
    assert_codes_documented(response)
    return response


def assert_codes_documented(response) -> None:
    """Every code the push answers with is in the one error table (so the interface standard lists it)."""
    from imports.api.errors import ERROR_CODES

    body = response.json()
    if "error" in body:
        assert body["error"]["code"] in ERROR_CODES
        return
    for item in body["items"]:
        for entry in item["errors"] + item["warnings"]:
            assert entry["code"] in ERROR_CODES, entry
            assert set(entry) == {"field", "label", "code", "message"}


def error_of(response) -> str:
    return response.json()["error"]["code"]


# ---- the good path ---------------------------------------------------------------------------------------
def test_good_push_creates_transactions_and_triggers_rules_once(
    client, bank, account, dispatched, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = push(client, {"account": NUMBER, "transactions": three()}, bank=bank)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["counts"] == {
        "created": 3,
        "updated": 0,
        "unchanged": 0,
        "invalid": 0,
        "not_written": 0,
        "gaps": 0,
    }
    assert [i["status"] for i in body["items"]] == ["created"] * 3
    assert body["items"][0]["key"] == "622848*********5678 | P001 | 2024-03-01"
    assert body["account"] == "622848*********5678" and NUMBER not in response.content.decode()
    txns = list(BankTransaction.objects.filter(account=account).order_by("txn_date"))
    assert [(t.bank_serial, t.direction, t.amount, t.balance_after) for t in txns] == [
        ("P001", Direction.CREDIT, Decimal("1000.00"), Decimal("11000.00")),
        ("P002", Direction.DEBIT, Decimal("300.00"), Decimal("10700.00")),
        ("P003", Direction.CREDIT, Decimal("50.50"), Decimal("10750.50")),
    ]
    first = txns[0]
    assert first.source == "feed" and first.channel == "direct_link"
    assert first.txn_time == dt.time(9, 30) and first.counterparty_kind == "individual"
    assert first.created_by == bank.service_user and first.region_code == account.region_code
    assert first.import_batch == body["batch"] and first.import_batch.startswith("api-bank-qingyuan-")
    calls = [c for c in dispatched if c[1][0] == "funds.BankTransaction"]
    assert len(calls) == 1  # one coalesced evaluation for the whole push, as for a statement file
    func, (_label, pks, trigger) = calls[0]
    assert func == "rules.tasks.evaluate_records" and trigger == "on_import"
    assert sorted(int(pk) for pk in pks) == sorted(t.pk for t in txns)


def test_replayed_request_with_the_same_nonce_is_refused(client, bank, account):
    body = {"account": NUMBER, "transactions": three()}
    ts, nonce = str(int(time.time())), new_nonce()
    assert push(client, body, bank=bank, ts=ts, nonce=nonce).status_code == 200
    again = push(client, body, bank=bank, ts=ts, nonce=nonce)
    assert again.status_code == 401 and error_of(again) == "nonce_reused"
    assert "重放" in again.json()["error"]["message"]
    assert BankTransaction.objects.filter(account=account).count() == 3


def test_same_body_with_a_new_nonce_is_accepted_and_changes_nothing(
    client, bank, account, dispatched, django_capture_on_commit_callbacks
):
    body = {"account": NUMBER, "transactions": three()}
    assert push(client, body, bank=bank).status_code == 200
    before = list(BankTransaction.objects.filter(account=account).values().order_by("pk"))
    dispatched.clear()
    with django_capture_on_commit_callbacks(execute=True):
        again = push(client, body, bank=bank)
    assert again.status_code == 200
    assert again.json()["counts"]["unchanged"] == 3 and again.json()["counts"]["created"] == 0
    assert [i["status"] for i in again.json()["items"]] == ["unchanged"] * 3
    assert list(BankTransaction.objects.filter(account=account).values().order_by("pk")) == before
    assert dispatched == []  # nothing new: no rules evaluated


def test_push_and_its_refusals_are_in_the_request_log(client, bank, account):
    from imports.api.models import ApiRequestLog

    body = {"account": NUMBER, "transactions": three()}
    ts, nonce = str(int(time.time())), new_nonce()
    push(client, body, bank=bank, ts=ts, nonce=nonce)
    push(client, body, bank=bank, ts=ts, nonce=nonce)
    push(client, body, bank=bank, secret="forged")
    logs = list(ApiRequestLog.objects.filter(path=URL).order_by("pk"))
    assert [(g.status, g.error_code) for g in logs] == [
        (200, ""),
        (401, "nonce_reused"),
        (401, "signature_invalid"),
    ]
    assert logs[0].client == bank and logs[0].item_count == 3 and logs[0].method == "POST"
    assert logs[1].client == bank  # a replay carries a valid signature: the client is known
    assert logs[2].client is None  # a forged request is not attributed to the client it names


def test_push_is_in_the_openapi_schema():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    operation = schema["paths"][URL]["post"]
    assert operation["operationId"] == "bank_transactions_push"
    headers = {p["name"] for p in operation["parameters"] if p["in"] == "header"}
    assert headers == {"X-Client", "X-Timestamp", "X-Nonce", "X-Signature"}
    assert {"200", "400", "401", "403", "404", "413"} <= set(operation["responses"])


# ---- signature, clock, client -----------------------------------------------------------------------------
def test_bad_signature_is_refused_and_spends_no_nonce(client, bank, account):
    body = {"account": NUMBER, "transactions": three()}
    nonce = new_nonce()
    bad = push(client, body, bank=bank, nonce=nonce, secret="not-the-secret")
    assert bad.status_code == 401 and error_of(bad) == "signature_invalid"
    tampered = json.dumps({"account": NUMBER, "transactions": three()[:1]}).encode()
    ts = str(int(time.time()))
    sig = compute_signature(bank.secret, ts, nonce, json.dumps(body).encode())
    assert error_of(push(client, None, bank=bank, raw=tampered, ts=ts, nonce=nonce, signature=sig)) == (
        "signature_invalid"
    )
    assert not BankTransaction.objects.filter(account=account).exists()
    assert push(client, body, bank=bank, nonce=nonce).status_code == 200  # the nonce was not burnt


@pytest.mark.parametrize("missing", ["X-Client", "X-Timestamp", "X-Nonce", "X-Signature"])
def test_missing_signature_header_is_refused(client, bank, account, missing):
    data = json.dumps({"account": NUMBER, "transactions": three()}).encode()
    ts, nonce = str(int(time.time())), new_nonce()
    headers = {
        "X-Client": bank.code,
        "X-Timestamp": ts,
        "X-Nonce": nonce,
        "X-Signature": compute_signature(bank.secret, ts, nonce, data),
    }
    del headers[missing]
    response = client.generic("POST", URL, data, content_type="application/json", headers=headers)
    assert response.status_code == 401
    assert_codes_documented(response)
    assert error_of(response) in {"signature_missing", "signature_invalid"}


# a future stamp gets 30 s of slack: the request reaches the check a moment after it was signed
@pytest.mark.parametrize("offset", [-301, 330, -86400])
def test_stale_or_future_timestamp_is_refused(client, bank, account, offset):
    ts = str(int(time.time()) + offset)
    response = push(client, {"account": NUMBER, "transactions": three()}, bank=bank, ts=ts)
    assert response.status_code == 401 and error_of(response) == "timestamp_out_of_window"
    assert "秒" in response.json()["error"]["message"]
    assert not BankTransaction.objects.filter(account=account).exists()


def test_malformed_nonce_is_refused(client, bank, account):
    response = push(client, {"account": NUMBER, "transactions": three()}, bank=bank, nonce="abc")
    assert response.status_code == 400 and error_of(response) == "nonce_invalid"


def test_unknown_client_is_refused(client, bank, account):
    response = push(client, {"account": NUMBER, "transactions": three()}, bank=bank, code="no-such-bank")
    assert response.status_code == 401 and error_of(response) == "client_unknown"


def test_inactive_client_is_refused(client, bank, account):
    from imports.api.services import api_client_update

    api_client_update(client=bank, is_active=False)
    response = push(client, {"account": NUMBER, "transactions": three()}, bank=bank)
    assert response.status_code == 403 and error_of(response) == "client_inactive"
    assert not BankTransaction.objects.filter(account=account).exists()


def test_rotated_secret_revokes_the_old_one(client, bank, account):
    from imports.api.services import api_signing_secret_set

    old = bank.secret
    bank.secret = api_signing_secret_set(client=bank)
    refused = push(client, {"account": NUMBER, "transactions": three()}, bank=bank, secret=old)
    assert refused.status_code == 401 and error_of(refused) == "signature_invalid"
    assert push(client, {"account": NUMBER, "transactions": three()}, bank=bank).status_code == 200


def test_client_of_another_kind_or_without_write_is_refused(client, bank, account):
    from imports.api.services import api_client_update

    api_client_update(client=bank, kind="vendor")
    response = push(client, {"account": NUMBER, "transactions": three()}, bank=bank)
    assert response.status_code == 403 and error_of(response) == "client_kind_not_allowed"
    api_client_update(client=bank, kind="bank", can_write=False)
    response = push(client, {"account": NUMBER, "transactions": three()}, bank=bank)
    assert response.status_code == 403 and error_of(response) == "write_not_allowed"
    assert not BankTransaction.objects.filter(account=account).exists()


def test_rate_limit_per_client_applies_to_the_push(client, bank, account):
    from imports.api.services import api_client_update

    api_client_update(client=bank, rate_per_minute=1)
    assert push(client, {"account": NUMBER, "transactions": three()}, bank=bank).status_code == 200
    limited = push(client, {"account": NUMBER, "transactions": three()}, bank=bank)
    assert limited.status_code == 429 and error_of(limited) == "rate_limited"


# ---- account and body -------------------------------------------------------------------------------------
def test_account_outside_the_client_scope_is_refused(client, bank, org_b):
    other = make_account(org_b, OTHER)  # 徐沟镇, the neighbouring township
    response = push(client, {"account": OTHER, "transactions": three()}, bank=bank)
    assert response.status_code == 403 and error_of(response) == "out_of_scope"
    assert OTHER not in response.content.decode()
    assert not BankTransaction.objects.filter(account=other).exists()


def test_unregistered_account_is_refused_masked(client, bank, account):
    response = push(client, {"account": "6217991234567890123", "transactions": three()}, bank=bank)
    assert response.status_code == 404 and error_of(response) == "account_unknown"
    assert "621799*********0123" in response.json()["error"]["message"]


@pytest.mark.parametrize(
    "raw",
    [
        b"{not json",
        b"\xff\xfe garbage",
        b"",
        b"[]",
        b'"text"',
        b'{"account": "6228480000012345678"}',
        b'{"account": "6228480000012345678", "transactions": []}',
        b'{"account": "6228480000012345678", "transactions": {"a": 1}}',
        b'{"account": 12, "transactions": [{}]}',
        b'{"account": null, "transactions": [{}]}',
        b'{"account": "6228480000012345678", "transactions": [{}], "policy": "some"}',
        b'{"account": "6228480000012345678", "transactions": [{}], "extra": 1}',
    ],
)
def test_malformed_body_is_refused_with_400(client, bank, account, raw):
    response = push(client, None, bank=bank, raw=raw)
    assert response.status_code == 400 and error_of(response) == "invalid_request"
    message = response.json()["error"]["message"]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in message)


def test_too_many_transactions_is_refused_with_413(client, bank, account, settings):
    settings.API_BATCH_MAX_ITEMS = 2
    response = push(client, {"account": NUMBER, "transactions": three()}, bank=bank)
    assert response.status_code == 413 and error_of(response) == "too_many_items"


def test_body_over_the_upload_limit_is_refused_with_413(client, bank, account, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 200
    response = push(client, {"account": NUMBER, "transactions": three()}, bank=bank)
    assert response.status_code == 413 and error_of(response) == "payload_too_large"
    assert not BankTransaction.objects.filter(account=account).exists()


def test_invalid_transactions_reported_by_item_and_good_ones_kept(client, bank, account):
    items = [
        *three(),
        txn("P004", "2024-02-30", "credit", "1", "1"),  # no such date
        {"bank_serial": "P005", "txn_date": "2024-03-05", "direction": "credit", "balance_after": "1"},
        txn("P006", "2024-03-06", "sideways", "1", "1"),
        txn("P007", "2024-03-07", "credit", "1", "10751.50", colour="red"),
        txn("P008", "2024-03-08", "credit", {"v": 1}, "1"),
        "not an object",
        txn("P010", "2024-03-10", "credit", "1", "1", summary="长" * 201),
    ]
    response = push(client, {"account": NUMBER, "transactions": items}, bank=bank)
    assert response.status_code == 200, response.content
    result = response.json()
    statuses = [i["status"] for i in result["items"]]
    assert statuses == ["created"] * 3 + ["invalid"] * 3 + ["created"] + ["invalid"] * 3
    errors = {i["index"]: i["errors"] for i in result["items"]}
    assert errors[3][0]["field"] == "txn_date" and errors[3][0]["label"] == "交易日期"
    assert errors[3][0]["code"] == "invalid_value"
    assert errors[4] == [
        {"field": "amount", "label": "金额", "code": "required", "message": "必填，不能为空"}
    ]
    assert errors[5][0]["field"] == "direction" and errors[5][0]["code"] == "invalid_choice"
    # a field the interface does not define is a warning: banks add fields as they add columns
    assert errors[6] == [] and result["items"][6]["warnings"][0]["code"] == "unknown_field"
    assert result["items"][6]["warnings"][0]["field"] == "colour"
    assert errors[7][0]["field"] == "amount"
    assert errors[8][0]["field"] == "__all__"
    assert errors[8][0]["label"] == "整笔流水" and errors[8][0]["code"] == "invalid_value"
    # found by the transaction model's own validation when stored, as for a statement file
    assert errors[9][0]["field"] == "summary" and "200" in errors[9][0]["message"]
    assert errors[9][0]["code"] == "rule_violation"
    assert result["counts"]["created"] == 4 and result["counts"]["invalid"] == 6
    assert sorted(BankTransaction.objects.filter(account=account).values_list("bank_serial", flat=True)) == [
        "P001",
        "P002",
        "P003",
        "P007",
    ]


def test_all_or_nothing_writes_nothing_when_an_item_is_invalid(client, bank, account):
    items = [*three(), txn("P004", "not a date", "credit", "1", "1")]
    response = push(client, {"account": NUMBER, "transactions": items, "policy": "all_or_nothing"}, bank=bank)
    assert response.status_code == 200
    assert [i["status"] for i in response.json()["items"]] == ["not_written"] * 3 + ["invalid"]
    assert not BankTransaction.objects.filter(account=account).exists()


def test_all_or_nothing_rolls_back_on_a_conflict_found_in_the_database(
    client, bank, account, dispatched, django_capture_on_commit_callbacks
):
    assert push(client, {"account": NUMBER, "transactions": three()[:1]}, bank=bank).status_code == 200
    dispatched.clear()
    items = [txn("P001", "2024-03-01", "credit", "999.00", "10999.00"), *three()[1:]]
    with django_capture_on_commit_callbacks(execute=True):
        response = push(
            client, {"account": NUMBER, "transactions": items, "policy": "all_or_nothing"}, bank=bank
        )
    statuses = [i["status"] for i in response.json()["items"]]
    assert statuses == ["invalid", "not_written", "not_written"]
    assert response.json()["items"][0]["errors"][0]["code"] == "bank_txn_conflict"
    assert BankTransaction.objects.filter(account=account).count() == 1
    assert dispatched == []  # the rolled-back rows raise no alert


def test_conflicting_redelivery_is_invalid_and_the_stored_row_kept(client, bank, account):
    assert push(client, {"account": NUMBER, "transactions": three()}, bank=bank).status_code == 200
    changed = three()
    changed[1]["amount"] = "301.00"
    response = push(client, {"account": NUMBER, "transactions": changed}, bank=bank)
    items = response.json()["items"]
    assert [i["status"] for i in items] == ["unchanged", "invalid", "unchanged"]
    assert items[1]["errors"][0]["code"] == "bank_txn_conflict" and "P002" in items[1]["errors"][0]["message"]
    assert BankTransaction.objects.get(account=account, bank_serial="P002").amount == Decimal("300.00")


def test_balance_gap_is_a_warning_and_the_transaction_stored(client, bank, account):
    items = three()
    items[2]["balance_after"] = "10800.00"  # should be 10,750.50: an item is missing in between
    response = push(client, {"account": NUMBER, "transactions": items}, bank=bank)
    result = response.json()
    assert [i["status"] for i in result["items"]] == ["created"] * 3
    warning = result["items"][2]["warnings"][0]
    assert warning["code"] == "balance_gap" and warning["field"] == "balance_after"
    assert "余额不连续" in warning["message"] and result["counts"]["gaps"] == 1
    assert BankTransaction.objects.filter(account=account).count() == 3


def test_late_item_inside_the_stored_chain_goes_through_the_service(client, bank, account):
    first, second, third = three()
    assert push(client, {"account": NUMBER, "transactions": [first, third]}, bank=bank).status_code == 200
    response = push(client, {"account": NUMBER, "transactions": [second]}, bank=bank)
    assert [i["status"] for i in response.json()["items"]] == ["created"]
    late = BankTransaction.objects.get(account=account, bank_serial="P002")
    assert late.source == "feed" and late.created_by == bank.service_user


def test_duplicate_transaction_inside_one_push_is_stored_once(client, bank, account):
    items = [*three(), three()[0]]
    response = push(client, {"account": NUMBER, "transactions": items}, bank=bank)
    assert [i["status"] for i in response.json()["items"]] == ["created"] * 3 + ["unchanged"]
    assert BankTransaction.objects.filter(account=account).count() == 3


def _stale_reads(monkeypatch, stale_calls: int) -> list:
    """``split_known`` answers as if read before another writer committed the same rows (the race of two
    simultaneous deliveries), for the first ``stale_calls`` calls."""
    from imports.bankfeed import ingest as feed

    real = feed.split_known
    calls = []

    def split_known(account, rows, result):
        calls.append(len(rows))
        return list(rows) if len(calls) <= stale_calls else real(account, rows, result)

    monkeypatch.setattr(feed, "split_known", split_known)
    return calls


def test_simultaneous_delivery_of_late_rows_counts_them_unchanged(client, bank, account, monkeypatch):
    assert push(client, {"account": NUMBER, "transactions": three()}, bank=bank).status_code == 200
    calls = _stale_reads(monkeypatch, stale_calls=1)
    # rows older than the last stored one go through the service, which finds them stored meanwhile
    again = push(client, {"account": NUMBER, "transactions": three()[:2]}, bank=bank)
    assert again.status_code == 200
    assert [i["status"] for i in again.json()["items"]] == ["unchanged"] * 2
    assert again.json()["counts"]["created"] == 0 and calls == [2]
    assert BankTransaction.objects.filter(account=account).count() == 3


def test_simultaneous_delivery_of_new_rows_is_rerun_once_and_finds_them(client, bank, account, monkeypatch):
    assert push(client, {"account": NUMBER, "transactions": three()}, bank=bank).status_code == 200
    calls = _stale_reads(monkeypatch, stale_calls=1)
    # the newest row takes the bulk path: its insert fails the unique constraint, the push is re-run
    again = push(client, {"account": NUMBER, "transactions": three()[2:]}, bank=bank)
    assert again.status_code == 200
    assert [i["status"] for i in again.json()["items"]] == ["unchanged"]
    assert calls == [1, 1] and BankTransaction.objects.filter(account=account).count() == 3


def test_a_write_race_lost_twice_is_a_409_not_a_500(client, bank, account, monkeypatch):
    assert push(client, {"account": NUMBER, "transactions": three()}, bank=bank).status_code == 200
    _stale_reads(monkeypatch, stale_calls=2)
    response = push(client, {"account": NUMBER, "transactions": three()[2:]}, bank=bank)
    assert response.status_code == 409 and error_of(response) == "concurrent_write"
    assert BankTransaction.objects.filter(account=account).count() == 3
