"""Repeated failed logins lock the username for that address; a success resets the count; every login
attempt is recorded."""

from __future__ import annotations

import pytest
from axes.models import AccessAttempt, AccessLog
from django.urls import reverse

from backoffice.core.demo import DEMO_PASSWORD

pytestmark = pytest.mark.django_db


def _login(client, password: str):
    return client.post(
        reverse("admin:login"), {"username": "township_reviewer", "password": password, "next": "/admin/"}
    )


def test_five_failures_lock_the_account_with_a_chinese_page(client, settings):
    settings.AXES_FAILURE_LIMIT = 5
    for _ in range(4):
        assert _login(client, "wrong-password").status_code == 200
    locked = _login(client, "wrong-password")
    assert locked.status_code == 429
    assert "账号已暂时锁定" in locked.content.decode()
    # even the right password is refused while locked
    assert _login(client, DEMO_PASSWORD).status_code == 429
    assert AccessAttempt.objects.get(username="township_reviewer").failures_since_start >= 5


def test_success_resets_failures_and_is_logged(client):
    for _ in range(3):
        _login(client, "wrong-password")
    response = _login(client, DEMO_PASSWORD)
    assert response.status_code == 302
    assert not AccessAttempt.objects.filter(username="township_reviewer").exists()
    assert AccessLog.objects.filter(username="township_reviewer").exists()


def test_test_client_login_without_request_still_works(client):
    assert client.login(username="township_reviewer", password=DEMO_PASSWORD)
