"""Bank statement import benchmark: ``imports.bankfeed.ingest`` of a generated CSV statement of ``--rows``
rows for one new account, first import (every row new: the bulk append path) and a re-import of the same
file (every row a duplicate).

    DATABASE_URL=sqlite:////work/bench/tiny.sqlite3 .venv/bin/python benchmarks/bench_bank_feed.py --rows 2000

The database must be migrated and seeded (``manage.py migrate`` then ``manage.py seed_demo --scale tiny``
with the same ``DATABASE_URL``): the script needs one village organisation, one bank account to copy the
branch code from, and the demo ``admin`` user. Everything runs in one transaction that is rolled back, so
the database is unchanged and the script can be run again; for the same reason the rules evaluation queued
after the commit (``transaction.on_commit``) is not run or timed — as in the pytest script it replaces.
Prints one line per import (seconds, rows/s, rows created / skipped, problems) and a JSON summary last.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backoffice.settings")
ACCOUNT_NO = "6228480000099999999"


class Rollback(Exception):
    """Raised at the end of the timed block so the benchmark leaves the database unchanged."""


def statement(rows: int) -> bytes:
    """A CSV statement of one account: 20 rows a day from 2024-01-01, one debit in three, running balance."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["账号", "交易日期", "交易时间", "流水号", "借贷标志", "金额", "余额", "对方户名"])
    balance, day = 100000, dt.date(2024, 1, 1)
    for i in range(rows):
        amount = 100 + i % 50
        direction = "贷" if i % 3 else "借"
        balance += amount if direction == "贷" else -amount
        writer.writerow(
            [
                ACCOUNT_NO,
                (day + dt.timedelta(days=i // 20)).isoformat(),
                f"{8 + (i % 20) // 2:02d}:{(i % 2) * 30:02d}:00",
                f"S{i:06d}",
                direction,
                amount,
                balance,
                "张三",
            ]
        )
    return out.getvalue().encode()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=2000, help="statement rows")
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import transaction

    from backoffice.accounts.models import User
    from backoffice.funds.models import BankAccount
    from backoffice.regions.models import CollectiveOrg
    from imports.bankfeed.ingest import ingest

    user = User.objects.get(username="admin")
    org = (  # a village organisation, as in the tests
        CollectiveOrg.objects.exclude(region_code__endswith="000").order_by("region_code", "pk").first()
    )
    template = BankAccount.objects.first()
    if org is None or template is None:
        sys.exit("no village organisation or bank account: seed the database first (seed_demo --scale tiny)")
    data = statement(args.rows)
    results = {"rows": args.rows}
    try:
        with transaction.atomic():
            BankAccount.objects.create(
                org=org,
                account_no=ACCOUNT_NO,
                account_name=org.name,
                bank_name="基准测试",
                bank_branch_code=template.bank_branch_code,
                opened_on=dt.date(2015, 1, 1),
            )
            for label in ("first", "reimport"):
                started = time.perf_counter()
                result = ingest(data, "bench.csv", user=user)
                seconds = time.perf_counter() - started
                results[label] = {
                    "seconds": round(seconds, 2),
                    "rows_per_s": round(args.rows / seconds),
                    "created": result.created,
                    "skipped": result.skipped,
                    "problems": len(result.problems),
                }
                print(
                    f"{label:9} {seconds:7.2f} s  {args.rows / seconds:8.0f} rows/s  "
                    f"created={result.created} skipped={result.skipped} problems={len(result.problems)}",
                    flush=True,
                )
            raise Rollback
    except Rollback:
        pass
    print(json.dumps(results, ensure_ascii=False))


if __name__ == "__main__":
    main()
