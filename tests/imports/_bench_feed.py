"""Ad-hoc measurement (not collected): bank feed ingest of N generated rows, first import and re-import."""

import csv
import datetime as dt
import io
import time

import pytest

from backoffice.funds.models import BankAccount
from imports.bankfeed.ingest import ingest

pytestmark = pytest.mark.django_db
N = 2000


def test_measure(users, org_a):
    template = BankAccount.objects.first()
    BankAccount.objects.create(
        org=org_a,
        account_no="6228480000099999999",
        account_name=org_a.name,
        bank_name="测试",
        bank_branch_code=template.bank_branch_code,
        opened_on=dt.date(2015, 1, 1),
    )
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(["账号", "交易日期", "交易时间", "流水号", "借贷标志", "金额", "余额", "对方户名"])
    balance = 100000
    day = dt.date(2024, 1, 1)
    for i in range(N):
        amount = 100 + i % 50
        direction = "贷" if i % 3 else "借"
        balance += amount if direction == "贷" else -amount
        w.writerow(
            [
                "6228480000099999999",
                (day + dt.timedelta(days=i // 20)).isoformat(),
                f"{8 + (i % 20) // 2:02d}:{(i % 2) * 30:02d}:00",
                f"S{i:06d}",
                direction,
                amount,
                balance,
                "张三",
            ]
        )
    data = out.getvalue().encode()
    t = time.perf_counter()
    first = ingest(data, "b.csv", user=users["admin"])
    t1 = time.perf_counter() - t
    t = time.perf_counter()
    again = ingest(data, "b.csv", user=users["admin"])
    t2 = time.perf_counter() - t
    print(
        f"\nBENCH rows={N} first={t1:.2f}s ({N / t1:.0f} rows/s) created={first.created} "
        f"problems={len(first.problems)} reimport={t2:.2f}s ({N / t2:.0f} rows/s) skipped={again.skipped}"
    )
