"""Optional TOTP two-factor login: bind an authenticator, then the code is required at login."""

from __future__ import annotations

import re
import time

import pytest
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from backoffice.core.demo import DEMO_PASSWORD

pytestmark = pytest.mark.django_db


def _code(device: TOTPDevice) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    return f"{totp.token():0{device.digits}d}"


def _login(client, **extra):
    data = {"username": "county_admin", "password": DEMO_PASSWORD, "next": "/admin/", **extra}
    return client.post(reverse("admin:login"), data)


def test_user_without_a_device_logs_in_with_password_only(client):
    assert _login(client).status_code == 302


def test_binding_then_login_requires_the_code(client, client_for, users):
    admin_client = client_for("county_admin")
    page = admin_client.get(reverse("accounts_otp"))
    assert page.status_code == 200 and "<svg" in page.content.decode()
    assert re.search(r'id="otp-secret">[A-Z2-7]{32}<', page.content.decode())
    device = TOTPDevice.objects.get(user=users["county_admin"], confirmed=False)
    refused = admin_client.post(
        reverse("accounts_otp"), {"token": "000000" if _code(device) != "000000" else "111111"}
    )
    assert "验证码不正确" in refused.content.decode()
    device.refresh_from_db()
    device.throttle_reset()  # django-otp delays retries after a failure; the test does not wait for it
    admin_client.post(reverse("accounts_otp"), {"token": _code(device)})
    device.refresh_from_db()
    assert device.confirmed

    without = _login(client)
    assert without.status_code == 200 and "6位动态验证码" in without.content.decode()
    wrong = _login(client, otp_token="123456" if _code(device) != "123456" else "654321")
    assert wrong.status_code == 200 and "动态验证码不正确" in wrong.content.decode()
    device.refresh_from_db()
    device.throttle_reset()
    # the binding code cannot be replayed in the same 30-second step: pretend the step has passed
    device.last_t = -1
    device.save(update_fields=["last_t"])
    assert _login(client, otp_token=_code(device)).status_code == 302


def test_removing_the_binding_needs_the_password(client_for, users):
    device = TOTPDevice.objects.create(user=users["county_admin"], name="手机验证器", confirmed=True)
    client = client_for("county_admin")
    assert "密码不正确" in client.post(reverse("accounts_otp"), {"password": "nope"}).content.decode()
    client.post(reverse("accounts_otp"), {"password": DEMO_PASSWORD})
    assert not TOTPDevice.objects.filter(pk=device.pk).exists()
