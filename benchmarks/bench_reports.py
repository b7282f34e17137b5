"""Time the province-level R3 (合同兑现) and R2 (资产负债) tables on a `seed_demo --scale city` database:
live (grouped queries), the naive path (ORM objects into a pandas pivot) in the same run, and read back
from a snapshot.

    DATABASE_URL=sqlite:////work/bench/city-reports.sqlite3 .venv/bin/python manage.py migrate
    DATABASE_URL=sqlite:////work/bench/city-reports.sqlite3 .venv/bin/python manage.py seed_demo --scale city
    .venv/bin/python benchmarks/bench_reports.py --db /work/bench/city-reports.sqlite3

The database is only read, except that the reports tables are migrated in and one snapshot per table is
generated (kept, so a rerun reads the same snapshot). Each path runs ``--repeat`` times; the table shows
the median and the best run, the number of SQL queries, and naive ÷ live. The naive path computes the
same cells (checked against the live table before timing is reported).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PROVINCE = "140000000000"


def setup(db: str) -> None:
    os.environ["DATABASE_URL"] = f"sqlite:///{db}"
    os.environ.setdefault("DEBUG", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backoffice.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", "reports", verbosity=0)


def timed(fn, repeat: int):
    """Median and best wall time of ``repeat`` runs after one warm-up run (imports, caches)."""
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    fn()
    runs, cpu, result, queries = [], [], None, 0
    for _ in range(repeat):
        reset_queries()  # the query log is a bounded deque; a full one would count 0 new queries
        with CaptureQueriesContext(connection) as captured:
            started, started_cpu = time.perf_counter(), time.process_time()
            result = fn()
            runs.append(time.perf_counter() - started)
            cpu.append(time.process_time() - started_cpu)  # SQLite runs in-process: includes the SQL
        queries = len(captured)
    return result, statistics.median(runs), min(runs), queries, statistics.median(cpu)


# ---- the naive path: model instances in Python, pandas for the pivot --------------------------------


def naive_r3(period):
    """R3 by city the way a first attempt would: load the approved objects, pivot in pandas."""
    import pandas as pd

    from backoffice.contracts.models import Contract, ContractReceipt, ContractReceivablePlan

    year_start = period.start.replace(month=1, day=1)
    contracts = [
        c
        for c in Contract.objects.filter(review_status="approved")
        if c.status != "draft" and c.term_start <= period.end
    ]
    plans = list(ContractReceivablePlan.objects.filter(review_status="approved", due_date__lte=period.end))
    receipts = list(ContractReceipt.objects.filter(review_status="approved", received_on__lte=period.end))
    due, got = defaultdict(Decimal), defaultdict(Decimal)
    records = []
    for p in plans:
        due[p.contract_id] += p.amount_due
        if p.due_date >= year_start:
            records.append({"city": p.region_code[:4], "receivable": float(p.amount_due)})
    for r in receipts:
        got[r.contract_id] += r.amount
        if r.received_on >= year_start:
            records.append({"city": r.region_code[:4], "received": float(r.amount)})
    for c in contracts:
        in_force = c.term_end >= period.start
        records.append(
            {
                "city": c.region_code[:4],
                "count": 1 if in_force else 0,
                "amount": float(c.total_amount) if in_force else 0.0,
                "overdue": float(due[c.pk] - got[c.pk]) if due[c.pk] > got[c.pk] else 0.0,
            }
        )
    frame = pd.DataFrame.from_records(records).fillna(0)
    pivot = frame.pivot_table(
        index="city", values=["count", "amount", "receivable", "received", "overdue"], aggfunc="sum"
    )
    pivot["rate"] = pivot["received"] / pivot["receivable"]
    return pivot


def naive_r2(period):
    """R2 by city: every balance row as an object (with its account), pivot by city and account."""
    import pandas as pd

    from backoffice.accounting.models import PeriodBalance

    end = f"{period.year}{period.end.month:02d}"
    rows = PeriodBalance.objects.filter(
        review_status="approved", period=end, account__account_set__chart_version="2023"
    ).select_related("account")

    def line(balance) -> str:
        # 内部往来 (113) leaves are split by side: debit balances are assets, credit balances liabilities
        code = balance.account.code[:3]
        return code if code != "113" else ("113d" if balance.closing > 0 else "113c")

    frame = pd.DataFrame.from_records(
        [{"city": b.region_code[:4], "code": line(b), "closing": float(b.closing)} for b in rows]
    )
    pivot = frame.pivot_table(index="city", columns="code", values="closing", aggfunc="sum", fill_value=0.0)
    assets = pivot[[c for c in pivot.columns if (c[0] == "1" and c != "113c") or c == "401"]].sum(axis=1)
    liabilities = -pivot[[c for c in pivot.columns if c[0] == "2" or c == "113c"]].sum(axis=1)
    equity = -pivot[[c for c in pivot.columns if c[0] in "35"]].sum(axis=1)
    return pd.DataFrame({"assets": assets, "liabilities": liabilities, "equity": equity})


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", default="/work/bench/city-reports.sqlite3")
    parser.add_argument("--r3-period", default="2026-Q3")
    parser.add_argument("--r2-period", default="2026-10")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    setup(args.db)

    from reports.engine import build_table
    from reports.snapshots import generate_snapshot
    from reports.table import Period

    lines = []
    for code, period_text, naive in (("R3", args.r3_period, naive_r3), ("R2", args.r2_period, naive_r2)):
        period = Period.parse(period_text)
        table, live_med, live_best, live_q, live_cpu = timed(
            lambda c=code, p=period: build_table(c, region_code=PROVINCE, period=p), args.repeat
        )
        pivot, naive_med, naive_best, naive_q, naive_cpu = timed(
            lambda n=naive, p=period: n(p), max(1, args.repeat // 2)
        )
        # the naive path must compute the same numbers, or the comparison means nothing
        if code == "R3":
            live_total, naive_total = (
                table.total.values["ct_received"],
                Decimal(str(round(pivot["received"].sum(), 2))),
            )
        else:
            live_total = table.total.values["bs_total_assets"]
            naive_total = Decimal(str(round(pivot["assets"].sum(), 2)))
        assert abs(live_total - naive_total) <= Decimal("0.05"), (code, live_total, naive_total)
        snapshot = generate_snapshot(code, region_code=PROVINCE, period=period, if_missing=True)
        frozen, snap_med, snap_best, snap_q, snap_cpu = timed(
            lambda c=code, p=period, s=snapshot.pk: build_table(
                c, region_code=PROVINCE, period=p, from_snapshot=s
            ),
            args.repeat,
        )
        assert frozen.total.values[table.columns[0].code] == table.total.values[table.columns[0].code]
        units = f"{len(table.units_included)}/{len(table.units_included) + len(table.units_missing)}"
        lines.append(
            (code, period.code, "live (grouped queries)", live_med, live_best, live_q, live_cpu, units, "")
        )
        lines.append(
            (
                code,
                period.code,
                "naive (ORM objects + pandas)",
                naive_med,
                naive_best,
                naive_q,
                naive_cpu,
                "",
                f"{naive_med / live_med:.1f}x",
            )
        )
        lines.append((code, period.code, "from snapshot", snap_med, snap_best, snap_q, snap_cpu, "", ""))
        checks = (
            "ok" if table.checks_ok else "FAILED: " + "; ".join(c.label for c in table.checks if not c.ok)
        )
        lines.append((code, period.code, f"checks {checks}", None, None, None, None, "", ""))

    from backoffice.accounting.models import PeriodBalance
    from backoffice.contracts.models import Contract

    sizes = f"contracts={Contract.objects.count():,} period_balances={PeriodBalance.objects.count():,}"
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"database {args.db}: {sizes} repeat={args.repeat} load average {load} on {os.cpu_count()} cpus")
    header = (
        f"{'report':<6} {'period':<8} {'path':<30} {'median s':>9} {'best s':>8} {'cpu s':>7} {'queries':>8}"
    )
    print(f"{header} {'units':>10} {'naive/live':>10}")
    for code, period, path, med, best, queries, cpu, units, ratio in lines:
        if med is None:
            print(f"{code:<6} {period:<8} {path}")
            continue
        row = f"{code:<6} {period:<8} {path:<30} {med:>9.3f} {best:>8.3f} {cpu:>7.3f} {queries:>8}"
        print(f"{row} {units:>10} {ratio:>10}")


if __name__ == "__main__":
    main()
