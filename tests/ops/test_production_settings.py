"""The production settings (DEBUG off) pass `manage.py check --deploy` and refuse to start without keys."""

from __future__ import annotations

import base64
import os
import secrets
import subprocess
import sys

from tests.ops.qcluster import ROOT


def _run(env_overrides: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    # DJANGO_ALLOW_ASYNC_UNSAFE is set by the browser tests and would fail the deploy check
    dropped = {"DEBUG", "SECRET_KEY", "FIELD_ENCRYPTION_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {k: v for k, v in os.environ.items() if k not in dropped}
    # DEBUG=0 explicitly: a development checkout's .env (DEBUG=1) only fills variables left unset
    env.update({"DJANGO_SETTINGS_MODULE": "backoffice.settings", "DEBUG": "0", **env_overrides})
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True
    )


def test_check_deploy_is_clean_with_production_settings():
    result = _run(
        {
            "SECRET_KEY": secrets.token_urlsafe(50),
            "FIELD_ENCRYPTION_KEY": base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
            "ALLOWED_HOSTS": "sanzi.example.cn",
            "DATABASE_URL": "sqlite:////tmp/sanzi-deploy-check.sqlite3",
        },
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_refuses_to_start_without_a_secret_key():
    result = _run({"ALLOWED_HOSTS": "sanzi.example.cn"}, "check")
    assert result.returncode != 0
    assert "SECRET_KEY 未设置" in result.stderr
