"""SQLite "database is locked" is retried, never a 500 (issue #8 item 6): another connection holds the
write lock (as a django-q2 worker's long transaction would); an admin form POST waits and succeeds when
the lock is released, and gets the Chinese 503 page — with nothing written — when it is not."""

from __future__ import annotations

import sqlite3
import threading
import time

import pytest
from django.contrib.auth.models import Group
from django.db import connection

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def sqlite_file():
    if connection.vendor != "sqlite":
        pytest.skip("the retry exists for SQLite only; PostgreSQL has row locks")
    return connection.settings_dict["NAME"]


@pytest.fixture
def short_busy_timeout(sqlite_file):
    """SQLite's own wait per attempt cut to 0.1 s, so the middleware's retries are what is tested."""
    options = connection.settings_dict["OPTIONS"]
    saved = dict(options)
    options["timeout"] = 0.1
    options["init_command"] = "PRAGMA journal_mode=WAL; PRAGMA busy_timeout=100;"
    connection.close()
    yield
    options.clear()
    options.update(saved)
    connection.close()


def _hold_write_lock(path: str, seconds: float) -> threading.Thread:
    ready = threading.Event()

    def hold():
        other = sqlite3.connect(path, timeout=5, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        ready.set()
        time.sleep(seconds)
        other.execute("COMMIT")
        other.close()

    thread = threading.Thread(target=hold, daemon=True)
    thread.start()
    ready.wait(5)
    return thread


@pytest.fixture
def admin_client_logged_in(client, django_user_model):
    user = django_user_model.objects.create_superuser("lockadmin", password="x-Secret-123")
    client.force_login(user)
    return client


def test_write_waits_for_the_lock_and_succeeds(sqlite_file, short_busy_timeout, admin_client_logged_in):
    holder = _hold_write_lock(sqlite_file, 0.8)
    response = admin_client_logged_in.post("/admin/auth/group/add/", {"name": "锁等待后保存"})
    holder.join()
    assert response.status_code == 302
    assert Group.objects.filter(name="锁等待后保存").exists()


def test_write_gets_busy_page_and_nothing_is_written(sqlite_file, short_busy_timeout, admin_client_logged_in):
    holder = _hold_write_lock(sqlite_file, 6.0)
    response = admin_client_logged_in.post("/admin/auth/group/add/", {"name": "不应写入"})
    holder.join()
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    body = response.content.decode()
    assert "系统繁忙" in body and "没有写入任何内容" in body
    assert not Group.objects.filter(name="不应写入").exists()
