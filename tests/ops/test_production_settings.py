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


def test_cache_url_shares_the_cache_between_processes(tmp_path):
    """With CACHE_URL every gunicorn worker sees one cache (the dashboard's figures, the API's rate-limit
    counters): a value one process stores, another process reads."""
    import uuid

    from tests.services import port_open, service_missing

    if not port_open("127.0.0.1", 6379):
        service_missing("no Redis on 127.0.0.1:6379")
    key = f"test-shared-{uuid.uuid4().hex}"
    env = {"DEBUG": "1", "CACHE_URL": "redis://127.0.0.1:6379/14"}
    shell = "from django.core.cache import cache; "
    written = _run(env, "shell", "--no-imports", "-c", shell + f"cache.set('{key}', '共享', 60)")
    assert written.returncode == 0, written.stderr
    read = _run(
        env, "shell", "--no-imports", "-c", shell + f"print(cache.get('{key}')); cache.delete('{key}')"
    )
    assert read.returncode == 0 and read.stdout.strip() == "共享", read.stdout + read.stderr
    backend = _run(
        env,
        "shell",
        "--no-imports",
        "-c",
        "from django.conf import settings; print(settings.CACHES['default']['BACKEND'])",
    )
    assert backend.stdout.strip() == "django.core.cache.backends.redis.RedisCache"


def test_cache_url_must_not_be_the_task_queue():
    same = "redis://127.0.0.1:6379/0"
    result = _run({"DEBUG": "1", "CACHE_URL": same, "REDIS_URL": same}, "check")
    assert result.returncode != 0 and "不能与 REDIS_URL" in result.stderr
    result = _run({"DEBUG": "1", "CACHE_URL": "memcached://127.0.0.1:11211"}, "check")
    assert result.returncode != 0 and "CACHE_URL 应为 Redis 地址" in result.stderr
