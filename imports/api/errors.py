"""Error codes of the API: one table (code → Chinese meaning) used by every response and by the
generated interface document, and the request-level error response helper.

Request-level errors respond ``{"error": {"code": ..., "message": "中文"}}`` with 400/401/403/404/413/429;
item-level errors (batch upsert) are ``{"field", "label", "code", "message"}`` entries of each item.
"""

from __future__ import annotations

from rest_framework import exceptions
from rest_framework.response import Response

ERROR_CODES: dict[str, str] = {
    # request level
    "not_authenticated": "未提供访问令牌（请求头 Authorization: Bearer <令牌>）",
    "token_invalid": "访问令牌无效、已过期或已吊销",
    "client_inactive": "接口客户端已停用",
    "type_not_allowed": "该客户端无权使用此记录类型",
    "write_not_allowed": "该客户端没有写入权限",
    "permission_denied": "没有权限执行此操作",
    "unknown_type": "记录类型不存在",
    "not_found": "找不到指定的记录（或不在客户端的数据范围内）",
    "invalid_request": "请求格式或参数不正确",
    "invalid_cursor": "分页游标无效",
    "too_many_items": "单批条目数超过上限",
    "payload_too_large": "请求内容过大",
    "rate_limited": "请求过于频繁，请稍后再试",
    "method_not_allowed": "不支持该请求方法",
    "unsupported_media_type": "请求内容类型不支持（请使用 application/json）",
    "server_error": "服务器内部错误",
    # bank push (signed requests)
    "signature_missing": "缺少签名请求头（X-Client、X-Timestamp、X-Nonce、X-Signature）",
    "signature_invalid": "签名校验失败",
    "timestamp_out_of_window": "请求时间戳超出允许范围（±300 秒）",
    "nonce_reused": "随机串已使用过（疑似重放请求）",
    "account_unknown": "银行账号不存在或不在客户端的数据范围内",
    "nonce_invalid": "随机串格式不正确（16–64 位字母、数字、“-”或“_”）",
    "client_unknown": "接口客户端不存在或未设置签名密钥（请求头 X-Client）",
    "client_kind_not_allowed": "该类型的客户端不能调用此接口（银行流水推送仅限银行类客户端）",
    "bank_txn_conflict": "同一笔银行流水（账号、流水号、交易日期）已登记，但金额或借贷方向不同",
    "balance_gap": "余额不连续（提示：流水已保存，可能缺少中间的流水）",
    "concurrent_write": "同一账号的流水正被其他请求同时写入，请稍后用新的随机串重新签名发送",
    # item level
    "required": "必填字段为空",
    "invalid_value": "字段值不正确（类型、格式、长度或取值范围）",
    "invalid_choice": "不是可选值",
    "unknown_reference": "引用的记录不存在（按业务编码查找）",
    "out_of_scope": "数据不在客户端的数据范围内",
    "duplicate_in_batch": "同一批次中重复出现同一条记录",
    "unknown_field": "字段名不存在",
    "rule_violation": "不满足数据规则（记录校验或数据库约束）",
    "not_written": "本批有错误，按“全部或全不”策略未写入",
}


def error_body(code: str, message: str | None = None) -> dict:
    """The JSON body of a request-level error; ``message`` defaults to the code's meaning."""
    return {"error": {"code": code, "message": message or ERROR_CODES[code]}}


def error_response(
    status: int, code: str, message: str | None = None, headers: dict | None = None
) -> Response:
    """A DRF ``Response`` carrying a request-level error (use from any API view, including the bank push)."""
    return Response(error_body(code, message), status=status, headers=headers)


class ApiError(exceptions.APIException):
    """Raise from a view to answer with a request-level error of the table above."""

    def __init__(self, status: int, code: str, message: str | None = None):
        self.status_code = status
        self.error_code = code
        super().__init__(detail=message or ERROR_CODES[code], code=code)


_BY_EXCEPTION: list[tuple[type, str]] = [
    (exceptions.NotAuthenticated, "not_authenticated"),
    (exceptions.AuthenticationFailed, "token_invalid"),
    (exceptions.Throttled, "rate_limited"),
    (exceptions.MethodNotAllowed, "method_not_allowed"),
    (exceptions.UnsupportedMediaType, "unsupported_media_type"),
    (exceptions.NotAcceptable, "invalid_request"),
    (exceptions.ParseError, "invalid_request"),
    (exceptions.NotFound, "not_found"),
    (exceptions.PermissionDenied, "permission_denied"),
    (exceptions.ValidationError, "invalid_request"),
]


def exception_handler(exc, context):
    """DRF exception handler: every error in the ``{"error": {...}}`` shape with a Chinese message."""
    from django.http import Http404

    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    if isinstance(exc, ApiError):
        return error_response(exc.status_code, exc.error_code, str(exc.detail))
    if not isinstance(exc, exceptions.APIException):
        return None  # a real bug: Django's 500 handling (and the test suite) must see it
    code = next((c for cls, c in _BY_EXCEPTION if isinstance(exc, cls)), "invalid_request")
    message = ERROR_CODES[code]
    headers = {}
    if isinstance(exc, exceptions.Throttled) and exc.wait is not None:
        seconds = max(1, int(exc.wait + 0.999))
        headers["Retry-After"] = str(seconds)
        message = f"{message}（约 {seconds} 秒后可再次请求）"
    elif code in ("invalid_request", "permission_denied", "not_found") and isinstance(exc.detail, str):
        detail = str(exc.detail)
        if any("\u4e00" <= ch <= "\u9fff" for ch in detail):
            message = detail
    elif isinstance(exc, exceptions.ValidationError):
        message = f"{message}：{_flatten(exc.detail)}"
    return error_response(exc.status_code, code, message, headers)


def _flatten(detail) -> str:
    if isinstance(detail, dict):
        return "；".join(f"{k}：{_flatten(v)}" for k, v in detail.items())
    if isinstance(detail, list):
        return "；".join(_flatten(v) for v in detail)
    return str(detail)
