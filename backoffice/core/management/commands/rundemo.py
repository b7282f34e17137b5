"""manage.py rundemo — the web server and one django-q2 worker together; Ctrl-C stops both.

Each child runs in its own session so the terminal's Ctrl-C reaches only this process, which then sends
SIGTERM to each child's main PID alone. A group-wide SIGTERM makes qcluster hang (LIBS.md §2 gotcha 10).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "同时启动 Web 服务（runserver）和一个 django-q2 后台任务进程；Ctrl-C 一并停止。"

    def add_arguments(self, parser):
        parser.add_argument("--addr", default="127.0.0.1:8000")

    def handle(self, *args, addr: str, **options):
        manage = [sys.executable, "manage.py"]
        children = {
            "web": subprocess.Popen([*manage, "runserver", addr, "--noreload"], start_new_session=True),
            "worker": subprocess.Popen([*manage, "qcluster"], start_new_session=True),
        }
        self.stdout.write(f"后台已启动：http://{addr}/admin/  （Ctrl-C 停止 Web 服务和后台任务）")
        stopping = False

        def stop(signum=None, frame=None):
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        try:
            while not stopping and all(p.poll() is None for p in children.values()):
                time.sleep(0.5)
        finally:
            for process in children.values():
                if process.poll() is None:
                    os.kill(process.pid, signal.SIGTERM)  # the main PID only, never the group
            deadline = time.monotonic() + 15
            for name, process in children.items():
                try:
                    process.wait(timeout=max(0.1, deadline - time.monotonic()))
                except subprocess.TimeoutExpired:
                    self.stderr.write(f"{name} 未在15秒内退出，强制结束。")
                    os.killpg(process.pid, signal.SIGKILL)
            self.stdout.write("已停止。")
