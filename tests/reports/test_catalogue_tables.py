"""Every report builds at county and township level with passing checks; R10 and R9 recomputed."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

import pytest

from reports.catalogue import REPORTS
from reports.engine import build_table
from tests.conftest import COUNTY, TOWNSHIP_A

from .recompute import child_keys, day, money, org_keys, row_key, rows

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("code", list(REPORTS))
@pytest.mark.parametrize(
    "region", [COUNTY.ljust(12, "0"), TOWNSHIP_A.ljust(12, "0")], ids=["county", "township"]
)
def test_every_report_builds_with_passing_checks(code, region):
    table = build_table(code, region_code=region, period="2026")
    assert table.rows and table.total.kind == "total"
    assert [c.code for c in table.columns] == list(REPORTS[code].columns)
    assert table.checks and table.checks_ok, [c.detail for c in table.checks if not c.ok]
    for indicator in table.columns:
        for row in table.all_rows:
            table.display(row, indicator)  # every cell renders


@pytest.mark.parametrize(("prefix", "child_level", "digits"), [(COUNTY, 4, 9), (TOWNSHIP_A, 5, 12)])
def test_subsidy_table_matches_raw_rows(prefix, child_level, digits):
    table = build_table("R10", region_code=prefix.ljust(12, "0"), period="2026")
    children, orgs = child_keys(prefix, child_level, digits), org_keys()
    expected: dict[str, dict] = defaultdict(lambda: defaultdict(Decimal))
    for r in rows(
        "SELECT r.org_id, r.region_code, r.amount, r.status FROM subsidies_subsidyroster r "
        "JOIN subsidies_subsidyprogram p ON p.id = r.program_id "
        "WHERE r.region_code LIKE %s AND r.review_status = 'approved' AND p.year = 2026",
        [prefix + "%"],
    ):
        for key in (row_key(r["region_code"], r["org_id"], children, digits, orgs), "TOTAL"):
            values = expected[key]
            values["sb_beneficiaries"] += 1
            values["sb_due"] += money(r["amount"])
            values["sb_paid"] += money(r["amount"]) if r["status"] == "paid" else 0
            values["sb_failed"] += 1 if r["status"] in ("failed", "returned") else 0
    assert expected["TOTAL"]["sb_beneficiaries"] > 0
    by_key = {row.key: row for row in table.all_rows}
    for key, row in by_key.items():
        want = expected.get(key, {})
        for code in ("sb_beneficiaries", "sb_due", "sb_paid", "sb_failed"):
            assert Decimal(row.values[code]) == Decimal(want.get(code, 0)), (row.label, code)
        due, paid = want.get("sb_due", 0), want.get("sb_paid", 0)
        assert row.values["sb_paid_rate"] == (Decimal(paid) / Decimal(due) if due else None)


def test_disclosure_table_matches_raw_rows():
    """R9 by township for 2025: plans due in the year; on time = published within 15 days of due."""
    table = build_table("R9", region_code=COUNTY.ljust(12, "0"), period="2025")
    children, orgs = child_keys(COUNTY, 4, 9), org_keys()
    published = defaultdict(list)
    for d in rows(
        "SELECT org_id, period_type, period, published_on FROM disclosure_disclosure "
        "WHERE review_status = 'approved' AND published_on IS NOT NULL"
    ):
        published[(d["org_id"], d["period_type"], d["period"])].append(day(d["published_on"]))
    expected: dict[str, dict] = defaultdict(lambda: defaultdict(int))
    for p in rows(
        "SELECT org_id, region_code, period_type, period, due_date FROM disclosure_disclosureplan "
        "WHERE region_code LIKE %s AND review_status = 'approved'",
        [COUNTY + "%"],
    ):
        due = day(p["due_date"])
        if not ("2025-01-01" <= due <= "2025-12-31"):
            continue
        dates = published[(p["org_id"], p["period_type"], p["period"])]
        limit = (date.fromisoformat(due) + timedelta(days=15)).isoformat()
        for key in (row_key(p["region_code"], p["org_id"], children, 9, orgs), "TOTAL"):
            expected[key]["dc_required"] += 1
            if any(d <= limit for d in dates):
                expected[key]["dc_on_time"] += 1
            elif dates:
                expected[key]["dc_late"] += 1
            else:
                expected[key]["dc_missing"] += 1
    assert expected["TOTAL"]["dc_required"] > 0
    for row in table.all_rows:
        for code in ("dc_required", "dc_on_time", "dc_late", "dc_missing"):
            assert row.values[code] == expected[row.key][code], (row.label, code)
