"""`manage.py rundemo` (what `make demo` ends with) serves the admin and runs a worker; one Ctrl-C
(SIGINT to the command) stops both, cleanly and quickly."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

from tests.ops.qcluster import ROOT, database_url

pytestmark = pytest.mark.django_db(transaction=True)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _descendants(pid: int) -> set[int]:
    """Live descendant PIDs, read from /proc (no extra dependency)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                ppid = int(stat.read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(entry))
    found, stack = set(), [pid]
    while stack:
        for child in children.get(stack.pop(), []):
            found.add(child)
            stack.append(child)
    return found


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def test_ctrl_c_stops_web_and_worker():
    port = _free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "backoffice.settings",
        "DEBUG": "1",
        "DATABASE_URL": database_url(),
        "Q_WORKERS": "1",
        "REDIS_URL": "",
    }
    demo = subprocess.Popen(
        [sys.executable, "manage.py", "rundemo", "--addr", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline, status = time.monotonic() + 60, None
        while time.monotonic() < deadline and status is None:
            try:
                status = urllib.request.urlopen(f"http://127.0.0.1:{port}/admin/login/", timeout=2).status
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.5)
        assert status == 200
        time.sleep(3)  # let qcluster start its sentinel and workers
        children = _descendants(demo.pid)
        assert len(children) >= 2, "web server and worker should both be running"
        demo.send_signal(signal.SIGINT)
        demo.wait(timeout=30)
        output = demo.stdout.read().decode()
        assert demo.returncode == 0, output[-2000:]
        assert "已停止" in output
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and any(_alive(pid) for pid in children):
            time.sleep(0.5)
        assert not [pid for pid in children if _alive(pid)], "processes left running after Ctrl-C"
    finally:
        if demo.poll() is None:
            demo.kill()
