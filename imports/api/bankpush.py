"""Bank push (银农直连实时推送, issue 10 item 3): ``POST /api/v1/bank/transactions/``.

A bank client signs each request (``signing.py``); the body names one account and its transactions in the
fields of the generic statement layout. Each transaction is read by the generic adapter's own ``convert``
and stored by ``bankfeed.ingest.ingest_parsed`` — the statement-file pipeline: idempotent on (account,
bank serial, date), continuity gaps reported but stored, one coalesced real-time rules evaluation after the
commit. The answer lists every transaction like a batch item (created / unchanged / invalid / not_written).

Checks, in order (each refusal is a request-level error of ``errors.ERROR_CODES``, never a 500):
client known (401) → signature, timestamp window, nonce format (401/400) → client active, bank kind, write
permission (401/403) → nonce unused (401, replay) → body readable (400/413) → account registered (404) and
inside the client's scope region (403).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import FieldDoesNotExist
from django.db import IntegrityError, transaction
from django.http import RawPostDataException
from django.http.request import RequestDataTooBig
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from backoffice.core.pii import SensitiveKind, mask, pii_hash
from backoffice.funds.choices import TransactionSource
from backoffice.funds.models import BankAccount, BankTransaction

from ..bankfeed.adapters import GenericAdapter, Parsed, RowProblem, _digits
from ..bankfeed.ingest import FeedResult, ingest_parsed
from . import bankpush_schema as docs
from .errors import ApiError
from .models import ApiClient
from .nonces import nonce_remember
from .signing import SignatureError, verify

BANK = SensitiveKind.BANK_ACCOUNT
POLICIES = ("valid_rows", "all_or_nothing")
DEFAULT_MAX_ITEMS = 1000
#: problems that keep a transaction out of the database (a gap is only a warning: the row is stored)
REFUSED = ("invalid", "conflict", "unknown_account")
#: reported with the item but the transaction is stored: a gap (as for a file) and a field this interface
#: does not define (banks add fields, as they add columns to statement files)
WARNINGS = ("gap", "unknown_field")


@dataclass(frozen=True)
class PushField:
    """One field of a pushed transaction: its API name, the generic adapter's row field, whether required."""

    name: str
    row_field: str
    required: bool = False
    note: str = ""


PUSH_FIELDS: tuple[PushField, ...] = (
    PushField("bank_serial", "bank_serial", True, "同一账号、同一交易日期内唯一"),
    PushField("txn_date", "txn_date", True, ""),
    PushField("txn_time", "txn_time", False, "也接受 HHMMSS"),
    PushField("value_date", "value_date", False, ""),
    PushField("direction", "flag", True, "debit（支出/借）或 credit（收入/贷）；也接受“借”“贷”“支出”“收入”"),
    PushField("amount", "amount", True, "元，两位小数，大于 0；负数视为支出"),
    PushField("balance_after", "balance_after", True, "元，两位小数；用于余额连续性检查"),
    PushField("currency", "currency", False, "3 位字母，默认 CNY（人民币、RMB 也可）"),
    PushField("counterparty_account", "counterparty_account", False, "6–32 位数字；个人信息，加密保存"),
    PushField("counterparty_name", "counterparty_name", False, "用于判断对方类型（单位/个人）"),
    PushField("counterparty_bank", "counterparty_bank", False, ""),
    PushField("summary", "summary", False, ""),
    PushField("purpose", "purpose", False, "附言"),
    PushField("receipt_no", "receipt_no", False, ""),
)
BY_ROW_FIELD = {f.row_field: f for f in PUSH_FIELDS}
BY_NAME = {f.name: f for f in PUSH_FIELDS}


def field_label(name: str) -> str:
    """The Chinese label of a pushed field (the transaction model's verbose name)."""
    try:
        return str(BankTransaction._meta.get_field(name).verbose_name)
    except FieldDoesNotExist:  # "account" and "__all__" are not transaction fields
        return {"account": "银行账号", "__all__": "整笔流水"}.get(name, name)


class BodyError(Exception):
    """The request body cannot be used; ``code`` and ``status`` as a request-level error."""

    def __init__(self, status: int, code: str, message: str):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def _max_items() -> int:
    from django.conf import settings

    return int(getattr(settings, "API_BATCH_MAX_ITEMS", DEFAULT_MAX_ITEMS))


def read_body(raw: bytes) -> tuple[str, list, str]:
    """``(account number, transactions, policy)`` of a push body; raises ``BodyError``."""
    try:
        body = json.loads(raw.decode("utf-8"), parse_float=Decimal)
    except (UnicodeDecodeError, ValueError) as exc:
        raise BodyError(400, "invalid_request", f"请求体不是有效的 UTF-8 JSON：{exc}") from None
    if not isinstance(body, dict):
        raise BodyError(400, "invalid_request", '请求体应为 JSON 对象：{"account": …, "transactions": […]}')
    unknown = sorted(set(body) - {"account", "transactions", "policy"})
    if unknown:
        raise BodyError(400, "invalid_request", f"请求体含有未定义的字段：{'、'.join(unknown)}")
    policy = body.get("policy", "valid_rows")
    if policy not in POLICIES:
        raise BodyError(400, "invalid_request", f"policy 应为 {' 或 '.join(POLICIES)}，收到“{policy}”")
    account = body.get("account")
    if isinstance(account, (int, Decimal)) and not isinstance(account, bool):
        account = str(account)
    if not isinstance(account, str) or not account.strip():
        raise BodyError(400, "invalid_request", "缺少 account（银行账号，字符串）")
    try:
        account = _digits(account)
    except ValueError as exc:
        raise BodyError(400, "invalid_request", f"account：{exc}") from None
    items = body.get("transactions")
    if not isinstance(items, list) or not items:
        raise BodyError(400, "invalid_request", "transactions 应为非空数组，每个元素是一笔流水")
    if len(items) > _max_items():
        raise BodyError(
            413, "too_many_items", f"一次最多推送 {_max_items()} 笔流水，本次 {len(items)} 笔；请分批推送"
        )
    return account, items, policy


def parse_items(account_no: str, items: list) -> Parsed:
    """Each transaction through the generic adapter's ``convert``; problems keyed by the item's index,
    their ``column`` the API field name."""
    adapter = GenericAdapter()
    parsed = Parsed("api", 0, letters={f.row_field: f.name for f in PUSH_FIELDS})
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            parsed.problems.append(RowProblem(index, "", "每笔流水应为 JSON 对象"))
            continue
        errors: dict[str, str] = {}
        raw = {"account_no": account_no}
        for name, value in item.items():
            spec = BY_NAME.get(name)
            if spec is None:
                parsed.problems.append(
                    RowProblem(index, name[:40], f"未定义的字段“{name[:40]}”，已忽略", kind="unknown_field")
                )
                continue
            if isinstance(value, (dict, list, bool)):
                errors[spec.row_field] = "应为字符串或数字"
                continue
            raw[spec.row_field] = value
        row = adapter.convert(index, raw, errors)
        for row_field, message in errors.items():
            name = BY_ROW_FIELD[row_field].name if row_field in BY_ROW_FIELD else row_field
            parsed.problems.append(RowProblem(index, name, message))
        if row is not None and not errors:
            parsed.rows.append(row)
    return parsed


class _Rollback(Exception):
    """Leave the push's atomic block without writing (``all_or_nothing`` with a refused transaction)."""


def store(
    parsed: Parsed, *, client: ApiClient, account: BankAccount, policy: str, batch: str
) -> tuple[FeedResult, bool]:
    """Ingest through the statement pipeline; ``(result, written)``. ``all_or_nothing`` writes nothing
    when any transaction is refused (the rules queued inside the rolled-back block are dropped with it).

    Pushes of one account are serialised by a row lock on the account, so that two deliveries of the same
    transactions (a bank retrying while the first request still runs) and the continuity chain never race.
    A statement file stored at the same moment is not serialised with it: its insert then fails the
    (account, serial, date) constraint, and the push is re-run once, finding those rows already stored."""
    if policy == "all_or_nothing" and any(p.kind not in WARNINGS for p in parsed.problems):
        result = FeedResult("api", parsed.adapter, rows=len(parsed.rows), problems=list(parsed.problems))
        return result, False
    for attempt in (1, 2):
        result: FeedResult | None = None
        try:
            with transaction.atomic():
                BankAccount.objects.select_for_update().filter(pk=account.pk).exists()
                result = ingest_parsed(
                    parsed, "api", user=client.service_user, batch=batch, source=TransactionSource.FEED
                )
                if policy == "all_or_nothing" and any(p.kind in REFUSED for p in result.problems):
                    raise _Rollback
        except _Rollback:
            return result, False
        except IntegrityError:
            if attempt == 2:
                raise ApiError(409, "concurrent_write") from None
            continue
        return result, True
    raise AssertionError("unreachable")


def _item_error(problem: RowProblem, *, parsed: bool) -> dict:
    """A problem as the contract's item error. ``parsed``: found reading the item (a value the field cannot
    hold); otherwise found storing it (the transaction model's rules, or the stored chain)."""
    name = problem.column or "__all__"
    if problem.kind == "conflict":
        code = "bank_txn_conflict"
    elif problem.kind in ("unknown_field", "unknown_account"):
        code = {"unknown_field": "unknown_field", "unknown_account": "account_unknown"}[problem.kind]
    elif problem.kind == "gap":
        code = "balance_gap"
    elif not parsed:
        code = "rule_violation"
    elif problem.message.startswith("必填"):
        code = "required"
    elif name == "direction":
        code = "invalid_choice"
    else:
        code = "invalid_value"
    return {"field": name, "label": field_label(name), "code": code, "message": problem.message}


def item_results(
    items: list, parsed: Parsed, result: FeedResult, written: bool, account_no: str
) -> list[dict]:
    """One result per pushed transaction, in the order sent."""
    created_keys = set(
        BankTransaction.objects.filter(pk__in=result.created_pks).values_list("bank_serial", "txn_date")
    )
    rows = {r.row: r for r in parsed.rows}
    problems: dict[int, list[RowProblem]] = {}
    for problem in result.problems:
        problems.setdefault(problem.row, []).append(problem)
    masked = mask(account_no, BANK)
    read = {id(p) for p in parsed.problems}
    seen: set = set()
    out = []
    for index, item in enumerate(items):
        row = rows.get(index)
        own = problems.get(index, [])
        errors = [_item_error(p, parsed=id(p) in read) for p in own if p.kind not in WARNINGS]
        warnings = [_item_error(p, parsed=id(p) in read) for p in own if p.kind in WARNINGS]
        refused = any(p.kind in REFUSED for p in own)
        key_row = (row.bank_serial, row.txn_date) if row else None
        if refused or row is None:
            status = "invalid"
        elif not written:
            status = "not_written"
        elif key_row in created_keys and key_row not in seen:
            status = "created"
        else:
            status = "unchanged"
        if key_row:
            seen.add(key_row)
        if row:
            key = f"{masked} | {row.bank_serial} | {row.txn_date.isoformat()}"
        else:
            serial = item.get("bank_serial", "") if isinstance(item, dict) else ""
            day = item.get("txn_date", "") if isinstance(item, dict) else ""
            key = f"{masked} | {serial} | {day}"
        out.append({"index": index, "key": key, "status": status, "errors": errors, "warnings": warnings})
    return out


def _counts(items: list[dict]) -> dict:
    counts = {s: 0 for s in ("created", "updated", "unchanged", "invalid", "not_written")}
    for item in items:
        counts[item["status"]] += 1
    counts["gaps"] = sum(1 for i in items if any(w["code"] == "balance_gap" for w in i["warnings"]))
    return counts


class BankTransactionPushView(APIView):
    """``POST /api/v1/bank/transactions/`` — authenticated by the signature, not by a bearer token.

    The signature is checked in ``initial`` (before DRF's throttle, which keys on the verified client);
    the nonce is spent only once the client is allowed through."""

    authentication_classes: list = []
    permission_classes: list = []

    def initial(self, request, *args, **kwargs):
        self.client = signed_client(request)  # also sets request.api_client for the log and the throttle
        super().initial(request, *args, **kwargs)

    @extend_schema(
        operation_id="bank_transactions_push",
        summary="银行流水推送（银农直连）",
        description=docs.DESCRIPTION,
        tags=["银行流水推送"],
        auth=[],
        parameters=[
            OpenApiParameter(name, str, OpenApiParameter.HEADER, required=True, description=text)
            for name, text in docs.HEADERS
        ],
        request=docs.PushRequestSerializer,
        responses={
            200: docs.PushResultSerializer,
            **{
                status: OpenApiResponse(docs.ErrorSerializer, description=text)
                for status, text in docs.ERROR_STATUSES
            },
        },
    )
    def post(self, request):
        client = self.client
        try:
            nonce_remember(client=client, nonce=request.headers["X-Nonce"])
        except SignatureError as exc:
            raise ApiError(401, exc.code, exc.message) from None
        try:
            account_no, items, policy = read_body(request.body)
        except BodyError as exc:
            raise ApiError(exc.status, exc.code, exc.message) from None
        account = check_account(client, account_no)
        request._request.api_item_count = len(items)
        parsed = parse_items(account_no, items)
        batch = f"api-{client.code[:20]}-{request.headers['X-Timestamp'][:12]}"
        result, written = store(parsed, client=client, account=account, policy=policy, batch=batch)
        results = item_results(items, parsed, result, written, account_no)
        body = {
            "batch": batch,
            "account": mask(account_no, BANK),
            "policy": policy,
            "counts": _counts(results),
            "items": results,
        }
        return Response(body, status=200)


def signed_client(request) -> ApiClient:
    """The bank client that signed this request; raises ``ApiError`` (401/403/400/413) otherwise."""
    try:
        body = request.body
    except (RequestDataTooBig, RawPostDataException):
        raise ApiError(413, "payload_too_large") from None
    headers = request.headers
    code = headers.get("X-Client", "").strip()
    if not code:
        raise ApiError(401, "signature_missing")
    client = ApiClient.objects.select_related("service_user").filter(code=code).first()
    if client is None or not client.signing_secret:
        raise ApiError(401, "client_unknown", f"接口客户端“{code[:40]}”不存在或未设置签名密钥")
    try:
        verify(
            secret=client.signing_secret,
            timestamp=headers.get("X-Timestamp", ""),
            nonce=headers.get("X-Nonce", ""),
            body=body,
            signature=headers.get("X-Signature", ""),
        )
    except SignatureError as exc:
        raise ApiError(400 if exc.code == "nonce_invalid" else 401, exc.code, exc.message) from None
    # proven by the signature: the request log names the client from here on, refusals included
    request._request.api_client = client
    if not client.is_active:
        raise ApiError(403, "client_inactive")
    if client.kind != ApiClient.Kind.BANK:
        raise ApiError(403, "client_kind_not_allowed", "银行流水推送仅限“银行”类型的接口客户端")
    if not client.can_write:
        raise ApiError(403, "write_not_allowed")
    return client


def check_account(client: ApiClient, account_no: str) -> BankAccount:
    """The account, registered and inside the client's scope region; raises ``ApiError`` otherwise."""
    digest = pii_hash(account_no, BANK)
    account = BankAccount.objects.visible_to(client.service_user).filter(account_no_hash=digest).first()
    if account is not None:
        return account
    masked = mask(account_no, BANK)
    if BankAccount.objects.filter(account_no_hash=digest).exists():
        raise ApiError(
            403, "out_of_scope", f"银行账号 {masked} 不在本客户端的数据范围（{client.scope_region_id}）内"
        )
    raise ApiError(404, "account_unknown", f"银行账号 {masked} 未在平台登记；请先在“银行账户”中登记该账户")
