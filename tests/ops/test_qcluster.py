"""The production run mode's job path: a real `qcluster` on the Redis broker runs a scheduled task
against the test database, and stops cleanly on SIGTERM to its main PID."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from tests.conftest import port_open, service_missing
from tests.ops.qcluster import ROOT, database_url

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]


def test_qcluster_on_redis_runs_a_scheduled_task():
    from django_q.models import Schedule, Success

    redis_url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/15")
    host_port = redis_url.split("//", 1)[1].split("/", 1)[0].rsplit("@", 1)[-1]
    host, _, port = host_port.partition(":")
    if not port_open(host, int(port or 6379)):
        service_missing(f"Redis is not reachable at {redis_url}")
    Schedule.objects.create(
        name="test heartbeat",
        func="backoffice.core.tasks.heartbeat",
        schedule_type=Schedule.ONCE,
        next_run=timezone.now() - timedelta(seconds=1),
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "backoffice.settings",
        "DEBUG": "1",
        "REDIS_URL": redis_url,
        "DATABASE_URL": database_url(),
        "Q_NAME": f"test-{uuid.uuid4().hex[:8]}",
        "Q_WORKERS": "1",
    }
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "qcluster"],
        cwd=ROOT,
        env=env,
        start_new_session=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 120  # the scheduler wakes about every 30 s (LIBS.md §3)
        while time.monotonic() < deadline and worker.poll() is None:
            if Success.objects.filter(func="backoffice.core.tasks.heartbeat").exists():
                break
            time.sleep(1)
        assert worker.poll() is None, worker.stdout.read().decode()[-3000:]
        assert Success.objects.filter(func="backoffice.core.tasks.heartbeat").exists(), "no task ran in 120 s"
    finally:
        if worker.poll() is None:
            os.kill(worker.pid, signal.SIGTERM)  # main PID only (LIBS.md §2 gotcha 10)
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
            pytest.fail("qcluster did not stop within 30 s of SIGTERM")
    assert worker.returncode is not None
