"""Load test (issue #8 item 7): N concurrent users browse the real admin served by gunicorn on loopback.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sanzi_load \
        .venv/bin/python benchmarks/bench_load.py --users 50 --duration 60

The database must hold demo data (``manage.py seed_demo --scale city`` for the README's numbers). The
script starts gunicorn in production mode (DEBUG off, behind a pretend TLS proxy: ``X-Forwarded-Proto``;
6 single-threaded workers and one connection per request unless told otherwise, as the README deploys it),
gives each virtual user a session of one of the demo users (roles at every level, cycled), and for
``--duration`` seconds every virtual user loops over a weighted mix of what clerks and supervisors do:

* changelist, first page and a later page, of a record type the user may view;
* the changelist filtered by a child region (the level dropdowns) or by a search term;
* the change page of a record inside the user's scope;
* an xlsx export of the user's list (village bookkeepers only: their village's rows).

The dashboard is not in the mix: its report panels (S1–S5, rollout coverage) compute live city-wide
statistics, seconds per view for a city user (README, performance).

Users start at random moments and browse continuously from the warm-up into the measured window (only
requests started inside it count). The server adds its own time to each response (``Server-Timing``), so
the report shows, per kind, the client's latency next to the server's processing time, and the slowest
requests one by one; the difference is time spent waiting for a free worker.

It prints p50/p95/max latency and errors per kind of request, and one JSON line last with the load
averages before and after the run (other work on the machine skews latency) and the slowest views.
The server keeps database connections (``CONN_MAX_AGE``, default 60 here), as production should. Tests
assert behaviour; this measures it.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import threading
import time
from collections import defaultdict
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
SECRET_KEY = "load-test-secret-key-not-for-production-0123456789abcdefghijklmnop"
#: one connection per request unless --keepalive
CLOSE_EACH = False
MIX = (
    ("changelist", 40),
    ("changelist_page", 10),
    ("filtered", 20),
    ("change", 25),
    ("export", 5),
)


def _server_env(port: int) -> dict[str, str]:
    import base64
    import hashlib

    # The demo data was encrypted with the development key (derived from the dev SECRET_KEY), so the
    # server gets that field key explicitly while running with DEBUG off and its own SECRET_KEY.
    dev_key = "dev-only-insecure-key-do-not-use-in-production"
    field_key = base64.urlsafe_b64encode(hashlib.sha256(dev_key.encode()).digest()).decode()
    return {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": SECRET_KEY,
        "FIELD_ENCRYPTION_KEY": os.environ.get("FIELD_ENCRYPTION_KEY", field_key),
        "ALLOWED_HOSTS": "127.0.0.1",
        "LOG_LEVEL": "WARNING",
        # each response carries its server time, so the report separates processing from queueing;
        # requests slower than 1 s are logged with their database time (backoffice/core/request_timing.py)
        "SERVER_TIMING": "1",
        # persistent database connections, as in production (README, configuration)
        "CONN_MAX_AGE": os.environ.get("CONN_MAX_AGE", "60"),
        "DJANGO_SETTINGS_MODULE": "backoffice.settings",
    }


def _plan(users_wanted: int) -> list[dict]:
    """For each virtual user: a session cookie and the URLs it may visit (computed in this process)."""
    import django

    keys = ("DEBUG", "SECRET_KEY", "FIELD_ENCRYPTION_KEY")
    os.environ.update({k: v for k, v in _server_env(0).items() if k in keys})
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backoffice.settings")
    django.setup()
    from django.contrib import admin
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from backoffice.accounts.models import User
    from backoffice.core.models import RecordModel

    demo = list(User.objects.filter(is_active=True, scope_region__isnull=False).order_by("username"))
    if not demo:
        sys.exit("没有带管辖区域的演示用户；请先运行 manage.py seed_demo。")
    record_admins = [m for m in admin.site._registry if issubclass(m, RecordModel)]
    targets_of = {user.pk: _targets(user, record_admins) for user in demo}  # the URLs depend on the user only
    plans = []
    for index in range(users_wanted):
        user = demo[index % len(demo)]
        session = SessionStore()  # one session (a browser) per virtual user
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        if targets_of[user.pk]:
            plans.append(
                {"username": user.username, "session": session.session_key, "targets": targets_of[user.pk]}
            )
    return plans


def _targets(user, record_admins) -> list[dict]:
    """The URLs one demo user may visit: per viewable record type its list, a later page, filters by child
    region and by search term, change pages of up to 100 of its rows, and (village users) the export."""
    from django.contrib import admin
    from django.urls import reverse

    from backoffice.core.filters import LEVEL_PARAMS
    from backoffice.regions.models import Region

    region = Region.objects.get(code=user.scope_region_id)
    children = list(Region.objects.filter(parent_id=region.code).values_list("code", "level")[:50])
    targets = []
    for model in record_admins:
        opts = model._meta
        if not user.has_perm(f"{opts.app_label}.view_{opts.model_name}"):
            continue
        base = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        visible = model._default_manager.visible_to(user)
        pks = list(visible.order_by("-pk").values_list("pk", flat=True)[:100])
        per_page = admin.site._registry[model].list_per_page
        rows = visible.order_by()[: 3 * per_page + 1].count()  # enough to know whether page 3 exists
        filters = []
        for code, level in children:
            param = LEVEL_PARAMS.get(level)
            if param:
                filters.append(f"{base}?{urlencode({param: code})}")
        filters.append(f"{base}?{urlencode({'q': '村'})}")
        pages = -(-rows // per_page)
        targets.append(
            {
                "changelist": base,
                "page": f"{base}?p={min(3, pages - 1)}" if pages > 1 else None,
                "filters": filters,
                "changes": [
                    reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[pk]) for pk in pks
                ],
                "export": reverse(f"admin:{opts.app_label}_{opts.model_name}_export")
                if region.level == 5
                else None,
            }
        )
    return targets


class VirtualUser(threading.Thread):
    def __init__(self, plan, port, until, results, lock, seed: int, think: float, measure_from: float = 0.0):
        super().__init__(daemon=True)
        self.think = think
        self.plan, self.port, self.until, self.results, self.lock = plan, port, until, results, lock
        #: requests started before this moment (the warm-up) are not recorded
        self.measure_from = measure_from
        self.random = random.Random(seed)
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        self.cookies = {"sessionid": plan["session"]}

    def _request(self, method: str, url: str, body: str | None = None) -> tuple[int, bytes, float | None]:
        headers = {
            "Host": "127.0.0.1",
            "X-Forwarded-Proto": "https",
            "Referer": f"https://127.0.0.1{url}",
            "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
        }
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if CLOSE_EACH:
            # as behind a reverse proxy without upstream keep-alive: every request is a new connection,
            # which gunicorn hands to a free worker (a kept-alive connection stays with its worker)
            headers["Connection"] = "close"
        for attempt in range(2):
            try:
                self.connection.request(method, url, body=body, headers=headers)
                response = self.connection.getresponse()
                payload = response.read()
                if CLOSE_EACH:
                    self.connection.close()
                break
            except (ConnectionError, http.client.HTTPException):
                self.connection.close()
                self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
                if attempt:
                    raise
        server_ms = None
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
            elif header.lower() == "server-timing":  # app;dur=<ms>, …: the server's own time
                with contextlib.suppress(ValueError):
                    server_ms = float(value.split("app;dur=", 1)[1].split(",", 1)[0])
        return response.status, payload, server_ms

    def _pick(self) -> tuple[str, str, str, str | None]:
        kinds, weights = zip(*MIX, strict=True)
        target = self.random.choice(self.plan["targets"])
        kind = self.random.choices(kinds, weights)[0]
        if kind == "changelist_page" and target["page"]:
            return kind, "GET", target["page"], None
        if kind == "filtered":
            return kind, "GET", self.random.choice(target["filters"]), None
        if kind == "change" and target["changes"]:
            return kind, "GET", self.random.choice(target["changes"]), None
        if kind == "export" and target["export"]:
            return kind, "POST", target["export"], None
        return "changelist", "GET", target["changelist"], None

    def run(self) -> None:
        if self.think:  # users arrive at different moments, not all on the same tick
            time.sleep(self.random.uniform(0, self.think))
        while time.perf_counter() < self.until:
            kind, method, url, body = self._pick()
            if method == "POST":
                if "csrftoken" not in self.cookies:
                    self._request("GET", url)
                body = urlencode(
                    {"format": "0", "resource": "0", "csrfmiddlewaretoken": self.cookies.get("csrftoken", "")}
                )
            started = time.perf_counter()
            server_ms = None
            try:
                status, _payload, server_ms = self._request(method, url, body)
            except Exception as exc:  # a refused or dropped connection is an error of the run, not a crash
                status = f"{type(exc).__name__}"
            elapsed = time.perf_counter() - started
            if started >= self.measure_from:
                with self.lock:
                    self.results[kind].append((elapsed, status, url, server_ms))
            if self.think:  # a person reads the page before the next click
                time.sleep(min(self.random.expovariate(1 / self.think), 5 * self.think))


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--duration", type=float, default=60.0)
    parser.add_argument("--port", type=int, default=8765)
    # Measured on 2 cores at --think 2 (README): 6 single-threaded workers beat 5 × 2, 4 × 4 and 3 × 2 —
    # threads of one worker contend for its interpreter lock, which lengthens every request they share.
    parser.add_argument("--workers", type=int, default=6)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument(
        "--warmup",
        type=float,
        default=30.0,
        help="seconds all users browse before measuring (every gunicorn worker compiles its templates "
        "and opens its connections once; not counted)",
    )
    parser.add_argument(
        "--warm-all",
        action="store_true",
        help="before the timed warm-up, request every distinct planned URL once (lists, a later page, the "
        "first filter and change page of every type, per role), 8 at a time: the steady state of a server "
        "that has served each page before (templates compiled in every worker, pages in the database cache)",
    )
    parser.add_argument(
        "--keepalive",
        action="store_true",
        help="keep each user's connection open between requests (a kept-alive connection stays with its "
        "worker); by default every request is a new connection, as from nginx in front of gunicorn, whose "
        "upstream connections are not kept alive unless configured",
    )
    parser.add_argument(
        "--think",
        type=float,
        default=2.0,
        help="mean seconds a user reads a page before the next click (0 = none)",
    )
    args = parser.parse_args()
    global CLOSE_EACH
    CLOSE_EACH = not args.keepalive
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        print("提示：负载测试应在 PostgreSQL 上运行（设置 DATABASE_URL）。", file=sys.stderr)
    plans = _plan(args.users)
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "backoffice.wsgi:application",
            "--bind",
            f"127.0.0.1:{args.port}",
            "--workers",
            str(args.workers),
            "--worker-class",
            "gthread",
            "--threads",
            str(args.threads),
            "--timeout",
            "120",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=_server_env(args.port),
    )
    try:
        _wait_for(args.port)
        lock = threading.Lock()
        if args.warm_all:
            _warm_all(plans, args.port)
        results: dict[str, list] = defaultdict(list)
        load_before, load_after = _run(
            plans, args.port, args.warmup, args.duration, results, lock, args.think
        )
    finally:
        server.terminate()
        server.wait(timeout=30)
    # CPU seconds of this client (50 threads reading pages) and of the server (gunicorn and its workers,
    # reaped above): both share the machine's cores, and so does PostgreSQL
    summary_cpu = {
        "client_cpu_s": round(sum(resource.getrusage(resource.RUSAGE_SELF)[:2]), 1),
        "server_cpu_s": round(sum(resource.getrusage(resource.RUSAGE_CHILDREN)[:2]), 1),
    }
    _report(results, args, load_before, load_after, summary_cpu)


def _warm_all(plans: list[dict], port: int) -> None:
    """Request every distinct URL of the plans once (per role: each type's list, later page, first filter
    and first change page), with 8 clients in parallel; not measured."""
    jobs: dict[str, tuple[dict, str]] = {}
    for plan in plans:
        for target in plan["targets"]:
            for url in (target["changelist"], target["page"], *target["filters"][:1], *target["changes"][:1]):
                if url:
                    jobs.setdefault(f"{plan['username']} {url}", (plan, url))
    queue = list(jobs.values())
    lock = threading.Lock()

    def worker(index: int) -> None:
        clients: dict[str, VirtualUser] = {}
        while True:
            with lock:
                if not queue:
                    return
                plan, url = queue.pop()
            client = clients.get(plan["username"])
            if client is None:
                client = clients[plan["username"]] = VirtualUser(plan, port, 0, {}, lock, seed=index, think=0)
            with contextlib.suppress(Exception):  # warming only: the measured run reports errors
                client._request("GET", url)

    started = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    print(f"warmed {len(jobs)} URLs in {time.perf_counter() - started:.0f} s", file=sys.stderr)


def _wait_for(port: int) -> None:
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/admin/login/", headers={"X-Forwarded-Proto": "https"})
            connection.getresponse().read()
            return
        except OSError:
            time.sleep(0.3)
    sys.exit("gunicorn 未能在 60 秒内启动")


def _run(plans: list[dict], port: int, warmup: float, duration: float, results: dict, lock, think: float):
    """One continuous session: every user browses through the warm-up into the measured window, so the
    window starts in steady state (stopping and restarting all users together would send 50 requests on
    the same tick, a burst no office produces). Returns the load averages at the window's start and end."""
    measure_from = time.perf_counter() + warmup
    until = measure_from + duration
    users = [
        VirtualUser(plan, port, until, results, lock, seed=i, think=think, measure_from=measure_from)
        for i, plan in enumerate(plans)
    ]
    for user in users:
        user.start()
    time.sleep(max(0.0, measure_from - time.perf_counter()))
    load_before = os.getloadavg()
    for user in users:
        user.join()
    return load_before, os.getloadavg()


def _report(results: dict, args, load_before, load_after, cpu: dict) -> None:
    summary = {
        **cpu,
        "users": args.users,
        "duration_s": args.duration,
        "think_s": args.think,
        "workers": args.workers,
        "threads": args.threads,
        "warmup_s": args.warmup,
        "warm_all": args.warm_all,
        "keepalive": args.keepalive,
        # other work on the machine skews latency: the 1/5/15-minute load averages around the run
        "loadavg_before": [round(x, 2) for x in load_before],
        "loadavg_after": [round(x, 2) for x in load_after],
        "kinds": {},
    }
    print(
        f"{'kind':<16}{'requests':>9}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}{'errors':>8}"
        f"{'server p50':>12}{'server p95':>12}"
    )
    for kind, _weight in MIX:
        rows = results.get(kind, [])
        if not rows:
            continue
        times = [r[0] * 1000 for r in rows]
        errors = [r for r in rows if r[1] != 200]
        # the server's own time (Server-Timing), to tell processing from waiting for a free worker
        server = [r[3] for r in rows if r[3] is not None] or [0.0]
        entry = {
            "requests": len(rows),
            "p50_ms": round(statistics.median(times)),
            "p95_ms": round(_percentile(times, 0.95)),
            "max_ms": round(max(times)),
            "errors": len(errors),
            "error_samples": sorted({f"{e[1]} {e[2]}" for e in errors})[:5],
            "server_p50_ms": round(statistics.median(server)),
            "server_p95_ms": round(_percentile(server, 0.95)),
        }
        summary["kinds"][kind] = entry
        print(
            f"{kind:<16}{entry['requests']:>9}{entry['p50_ms']:>9}{entry['p95_ms']:>9}"
            f"{entry['max_ms']:>9}{entry['errors']:>8}{entry['server_p50_ms']:>12}{entry['server_p95_ms']:>12}"
        )
    # what remains slow: the mean latency per view (the URL without its query string and object key)
    by_view: dict[str, list[float]] = defaultdict(list)
    for kind, rows in results.items():
        for elapsed, _status, url, _server in rows:
            path = url.split("?", 1)[0]
            view = "/".join("<pk>" if part.isdigit() else part for part in path.split("/"))
            by_view[f"{kind} {view}"].append(elapsed * 1000)
    summary["slowest_views"] = [
        {"view": view, "requests": len(times), "mean_ms": round(statistics.mean(times))}
        for view, times in sorted(by_view.items(), key=lambda item: -statistics.mean(item[1]))[:8]
    ]
    # the tail, request by request: client time next to server time (a gap is time spent waiting)
    every = [(kind, *row) for kind, rows in results.items() for row in rows]
    summary["slowest_requests"] = [
        {"kind": kind, "ms": round(elapsed * 1000), "server_ms": round(server or 0), "url": url}
        for kind, elapsed, _status, url, server in sorted(every, key=lambda r: -r[1])[:10]
    ]
    total = sum(len(v) for v in results.values())
    summary["throughput_rps"] = round(total / args.duration, 1)
    summary["errors"] = sum(e["errors"] for e in summary["kinds"].values())
    print(json.dumps(summary, ensure_ascii=False))


if __name__ == "__main__":
    main()
