"""A real django-q2 ``qcluster`` process on the ORM broker in the test database, for the tests that kill a
worker mid-task (issue #8 item 6): started in its own process group so that SIGKILL takes the whole
cluster at once, with no clean shutdown."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


def database_url() -> str:
    """The test database as a ``DATABASE_URL`` for the worker process."""
    s = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{s['NAME']}"
    host, port = s["HOST"] or "127.0.0.1", s["PORT"] or 5432
    return f"postgres://{s['USER']}:{s['PASSWORD'] or ''}@{host}:{port}/{s['NAME']}"


def start_qcluster(settings, log: Path, **env: str) -> subprocess.Popen:
    """One single-worker cluster reading the queue this test process writes (same cluster name); its
    output goes to ``log``; ``env`` adds settings (``IMPORT_COMMIT_CHUNK`` …)."""
    environment = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}  # the ORM broker
    environment.update(
        {
            "DJANGO_SETTINGS_MODULE": "backoffice.settings",
            "DEBUG": "1",
            "DATABASE_URL": database_url(),
            "MEDIA_ROOT": str(settings.MEDIA_ROOT),
            "Q_NAME": settings.Q_CLUSTER["name"],
            "Q_WORKERS": "1",
            **env,
        }
    )
    return subprocess.Popen(
        [sys.executable, "manage.py", "qcluster"],
        cwd=ROOT,
        env=environment,
        start_new_session=True,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )


def kill_cluster(worker: subprocess.Popen) -> None:
    """SIGKILL the whole cluster (its process group) if it still runs, and reap it."""
    if worker.poll() is None:
        os.killpg(worker.pid, signal.SIGKILL)
    worker.wait(timeout=30)
