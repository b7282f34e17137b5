"""Signed requests: the HMAC over timestamp, nonce and raw body, the time window both ways, the nonce
format, the per-client nonce store against replay and its purge schedule (issue 10 item 3)."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import time

import pytest
from django.utils import timezone

from imports.api.nonces import ApiNonce, nonce_remember, purge_nonces
from imports.api.signing import (
    SignatureError,
    check_nonce,
    check_timestamp,
    compute_signature,
    signature_matches,
    signing_payload,
    verify,
    window_seconds,
)

SECRET = "a3f1" * 16
BODY = b'{"account": "6228480000012345678", "transactions": []}'
NONCE = "n0nce-0123456789abcdef"


def test_signature_is_hmac_sha256_of_timestamp_nonce_and_raw_body():
    expected = hmac.new(
        SECRET.encode(), b"1732670000\n" + NONCE.encode() + b"\n" + BODY, hashlib.sha256
    ).hexdigest()
    assert signing_payload("1732670000", NONCE, BODY) == b"1732670000\n" + NONCE.encode() + b"\n" + BODY
    assert compute_signature(SECRET, "1732670000", NONCE, BODY) == expected
    assert compute_signature(SECRET.encode(), "1732670000", NONCE, BODY) == expected


def test_signature_matches_only_the_same_secret_timestamp_nonce_and_body():
    good = compute_signature(SECRET, "1732670000", NONCE, BODY)
    assert signature_matches(SECRET, "1732670000", NONCE, BODY, good)
    assert signature_matches(SECRET, "1732670000", NONCE, BODY, good.upper())  # hex case ignored
    assert not signature_matches("other-secret", "1732670000", NONCE, BODY, good)
    assert not signature_matches(SECRET, "1732670001", NONCE, BODY, good)
    assert not signature_matches(SECRET, "1732670000", NONCE + "x", BODY, good)
    assert not signature_matches(SECRET, "1732670000", NONCE, BODY + b" ", good)
    assert not signature_matches(SECRET, "1732670000", NONCE, BODY, "")
    assert not signature_matches(SECRET, "1732670000", NONCE, BODY, "签名")  # non-ASCII never crashes


def test_signature_compare_is_constant_time(monkeypatch):
    calls = []
    real = hmac.compare_digest
    monkeypatch.setattr(hmac, "compare_digest", lambda a, b: calls.append((a, b)) or real(a, b))
    signature_matches(SECRET, "1", NONCE, BODY, "00")
    assert len(calls) == 1


def test_timestamp_inside_window_both_ways_is_accepted():
    now = 1_732_670_000.0
    assert check_timestamp("1732670000", now=now) == 1732670000
    assert check_timestamp(str(int(now) - 300), now=now)
    assert check_timestamp(str(int(now) + 300), now=now)


@pytest.mark.parametrize("offset, word", [(-301, "晚"), (301, "早"), (-86400, "晚")])
def test_stale_or_future_timestamp_is_refused_with_the_drift(offset, word):
    now = 1_732_670_000.0
    with pytest.raises(SignatureError) as exc:
        check_timestamp(str(int(now) + offset), now=now)
    assert exc.value.code == "timestamp_out_of_window"
    assert f"相差 {abs(offset)} 秒" in exc.value.message and word in exc.value.message


@pytest.mark.parametrize("text", ["", "abc", "1732670000.5", "-5", "１７３２６７００００", "1" * 13])
def test_unreadable_timestamp_is_refused(text):
    with pytest.raises(SignatureError) as exc:
        check_timestamp(text, now=1_732_670_000.0)
    assert exc.value.code == "timestamp_out_of_window"


def test_window_follows_the_setting(settings):
    settings.API_SIGNATURE_WINDOW_SECONDS = 60
    assert window_seconds() == 60
    with pytest.raises(SignatureError):
        check_timestamp("1000", now=1061.0)
    assert check_timestamp("1000", now=1060.0) == 1000


@pytest.mark.parametrize("nonce", ["a" * 16, "A-b_c" * 4, "0" * 64])
def test_well_formed_nonce_is_accepted(nonce):
    assert check_nonce(nonce) == nonce


@pytest.mark.parametrize(
    "nonce", ["", "short", "a" * 65, "a" * 15 + "!", "随机串随机串随机串随机串随机串随机串", "a b" * 8]
)
def test_malformed_nonce_is_refused(nonce):
    with pytest.raises(SignatureError) as exc:
        check_nonce(nonce)
    assert exc.value.code == "nonce_invalid"


def test_verify_checks_signature_before_clock_and_nonce():
    ts = "1000"  # far outside the window, and a malformed nonce
    with pytest.raises(SignatureError) as exc:
        verify(secret=SECRET, timestamp=ts, nonce="bad", body=BODY, signature="00" * 32)
    assert exc.value.code == "signature_invalid"  # a caller without the secret learns nothing else
    good = compute_signature(SECRET, ts, "bad", BODY)
    with pytest.raises(SignatureError) as exc:
        verify(secret=SECRET, timestamp=ts, nonce="bad", body=BODY, signature=good)
    assert exc.value.code == "timestamp_out_of_window"


def test_verify_accepts_a_fresh_well_signed_request_and_refuses_missing_headers():
    ts = str(int(time.time()))
    verify(
        secret=SECRET,
        timestamp=ts,
        nonce=NONCE,
        body=BODY,
        signature=compute_signature(SECRET, ts, NONCE, BODY),
    )
    with pytest.raises(SignatureError) as exc:
        verify(secret=SECRET, timestamp=ts, nonce=NONCE, body=BODY, signature="")
    assert exc.value.code == "signature_missing"


def test_malformed_nonce_with_valid_signature_is_refused():
    ts = str(int(time.time()))
    nonce = "short"
    with pytest.raises(SignatureError) as exc:
        verify(
            secret=SECRET,
            timestamp=ts,
            nonce=nonce,
            body=BODY,
            signature=compute_signature(SECRET, ts, nonce, BODY),
        )
    assert exc.value.code == "nonce_invalid"


# ---- the nonce store --------------------------------------------------------------------------------------
@pytest.fixture
def bank_clients(db):
    from imports.api.services import api_client_create

    return [
        api_client_create(
            code=f"bank-sig-{n}",
            name=f"测试银行{n}",
            kind="bank",
            scope_region="140121100000",
            allowed_types=[],
        )
        for n in (1, 2)
    ]


def test_nonce_is_accepted_once_per_client(bank_clients):
    one, two = bank_clients
    nonce_remember(client=one, nonce=NONCE)
    with pytest.raises(SignatureError) as exc:
        nonce_remember(client=one, nonce=NONCE)
    assert exc.value.code == "nonce_reused" and "重放" in exc.value.message
    nonce_remember(client=two, nonce=NONCE)  # another client's nonce space
    assert ApiNonce.objects.filter(nonce=NONCE).count() == 2


def test_purge_deletes_nonces_older_than_twice_the_window(bank_clients, settings):
    settings.API_SIGNATURE_WINDOW_SECONDS = 300
    client = bank_clients[0]
    now = timezone.now()
    old = ApiNonce.objects.create(client=client, nonce="o" * 16, seen_at=now - dt.timedelta(seconds=601))
    # accepted 500 s ago with a timestamp 300 s ahead: still replayable for another 100 s, so kept
    kept = ApiNonce.objects.create(client=client, nonce="k" * 16, seen_at=now - dt.timedelta(seconds=500))
    assert purge_nonces() == 1
    assert not ApiNonce.objects.filter(pk=old.pk).exists()
    assert ApiNonce.objects.filter(pk=kept.pk).exists()
    # a purged nonce is refused anyway by its timestamp: the window guards what the store forgets


def test_purge_is_a_registered_schedule():
    from backoffice.core.schedules import all_schedules

    spec = next(s for s in all_schedules() if s.name == "imports.api.purge_nonces")
    assert spec.func == "imports.api.nonces.purge_nonces"
    from importlib import import_module

    module, name = spec.func.rsplit(".", 1)
    assert callable(getattr(import_module(module), name))
