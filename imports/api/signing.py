"""Signed requests (bank push): HMAC-SHA256 over timestamp, nonce and the raw body, a time window and a
nonce store against replay.

The signature is ``hex(HMAC-SHA256(secret, f"{timestamp}\\n{nonce}\\n".encode() + raw_body))``, sent in
``X-Signature`` with ``X-Client``, ``X-Timestamp`` (unix seconds) and ``X-Nonce``. A request is accepted when

1. the signature matches (compared in constant time),
2. the timestamp is within ``API_SIGNATURE_WINDOW_SECONDS`` (default 300) of the server clock, both ways,
3. the nonce (16–64 characters ``A–Z a–z 0–9 - _``) was not seen before for this client.

The nonce store (step 3) is ``nonces.py``; everything here is a pure function of its arguments, the
clock and the window setting.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import time

from django.conf import settings

DEFAULT_WINDOW_SECONDS = 300
NONCE_PATTERN = re.compile(r"[A-Za-z0-9_-]{16,64}")
TIMESTAMP_PATTERN = re.compile(r"[0-9]{1,12}")
HEADERS = ("X-Client", "X-Timestamp", "X-Nonce", "X-Signature")


class SignatureError(Exception):
    """A signed request refused; ``code`` is a key of ``imports.api.errors.ERROR_CODES``."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


def window_seconds() -> int:
    """How far (seconds) a request's timestamp may be from the server clock, in either direction."""
    return int(getattr(settings, "API_SIGNATURE_WINDOW_SECONDS", DEFAULT_WINDOW_SECONDS))


def signing_payload(timestamp: str, nonce: str, body: bytes) -> bytes:
    """The signed bytes: ``"{timestamp}\\n{nonce}\\n"`` in UTF-8 followed by the raw request body."""
    return f"{timestamp}\n{nonce}\n".encode() + body


def compute_signature(secret: str | bytes, timestamp: str, nonce: str, body: bytes) -> str:
    """Lower-case hex HMAC-SHA256 of the signing payload with the client's secret."""
    key = secret.encode() if isinstance(secret, str) else secret
    return hmac.new(key, signing_payload(timestamp, nonce, body), hashlib.sha256).hexdigest()


def signature_matches(secret: str | bytes, timestamp: str, nonce: str, body: bytes, signature: str) -> bool:
    """Whether ``signature`` is the payload's signature (constant-time; case of the hex digits ignored)."""
    expected = compute_signature(secret, timestamp, nonce, body)
    given = (signature or "").strip().lower()
    return hmac.compare_digest(expected.encode(), given.encode("ascii", "replace"))


def check_timestamp(timestamp: str, *, now: float | None = None) -> int:
    """The timestamp as an int; raises ``SignatureError("timestamp_out_of_window")`` when unreadable or
    outside the window (a clock too far ahead is refused as well as a stale request)."""
    text = (timestamp or "").strip()
    if not TIMESTAMP_PATTERN.fullmatch(text):
        raise SignatureError(
            "timestamp_out_of_window",
            f"请求头 X-Timestamp“{text[:20]}”不是 Unix 时间戳（自 1970-01-01 起的整秒数）",
        )
    value = int(text)
    current = time.time() if now is None else now
    window = window_seconds()
    if abs(current - value) > window:
        drift = int(value - current)
        when = "晚" if drift < 0 else "早"
        raise SignatureError(
            "timestamp_out_of_window",
            f"请求时间戳与服务器时间相差 {abs(drift)} 秒（请求比服务器{when}），超过允许的 {window} 秒；"
            "请校准客户端时钟后用新的随机串重新签名发送",
        )
    return value


def check_nonce(nonce: str) -> str:
    """The nonce if well-formed; raises ``SignatureError("nonce_invalid")``."""
    text = nonce or ""
    if not NONCE_PATTERN.fullmatch(text):
        raise SignatureError(
            "nonce_invalid", "请求头 X-Nonce 应为 16–64 位的字母、数字、“-”或“_”，每个请求使用一个新的随机串"
        )
    return text


def verify(*, secret: str | bytes, timestamp: str, nonce: str, body: bytes, signature: str) -> None:
    """Steps 1–2 and the nonce format, in the order that leaks least: the signature first, so a caller
    without the secret learns nothing about the clock or the nonce rules."""
    if not (timestamp and nonce and signature):
        raise SignatureError("signature_missing", "缺少签名请求头：" + "、".join(HEADERS))
    if not signature_matches(secret, timestamp, nonce, body, signature):
        raise SignatureError(
            "signature_invalid",
            "签名不正确：请用本客户的签名密钥对“时间戳\\n随机串\\n”加原始请求体计算 HMAC-SHA256（十六进制）",
        )
    check_timestamp(timestamp)
    check_nonce(nonce)
