"""Independent recomputation of report cells for the tests: plain SQL over the raw tables and Python
arithmetic written here, sharing nothing with ``reports.engine`` / ``reports.indicators``."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

from django.db import connection

CENT = Decimal("0.01")
ZERO = Decimal("0")


def rows(sql: str, params=()) -> list[dict]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        names = [c[0] for c in cursor.description]
        return [dict(zip(names, r, strict=True)) for r in cursor.fetchall()]


def money(value) -> Decimal:
    return Decimal(str(value or 0)).quantize(CENT)


def day(value) -> str:
    """ISO text of a date from either backend (SQLite returns text, PostgreSQL date)."""
    return str(value)[:10]


def child_keys(prefix: str, child_level: int, digits: int) -> dict[str, str]:
    """child key (significant digits) → 12-digit code, from the region table."""
    found = rows(
        "SELECT code FROM regions_region WHERE level = %s AND code LIKE %s AND valid_to IS NULL",
        [child_level, prefix + "%"],
    )
    return {r["code"][:digits]: r["code"] for r in found}


def org_keys() -> dict[int, str]:
    """org id → the key of its org row (credit code, else ORG<id>)."""
    return {
        r["id"]: r["credit_code"] or f"ORG{r['id']}"
        for r in rows("SELECT id, credit_code FROM regions_collectiveorg")
    }


def row_key(
    region_code: str, org_id: int, children: dict[str, str], digits: int, orgs: dict[int, str]
) -> str:
    key = region_code[:digits]
    return children[key] if key in children else orgs[org_id]


def contracts_expected(prefix: str, digits: int, children: dict[str, str], start: date, end: date) -> dict:
    """R3 cells by row key (plus "TOTAL"): in force, receivable/received YTD, rate, arrears, expiring."""
    orgs = org_keys()
    like = prefix + "%"
    contracts = rows(
        "SELECT id, org_id, region_code, total_amount, term_start, term_end, status, traded_on_platform, "
        "review_status FROM contracts_contract WHERE region_code LIKE %s",
        [like],
    )
    plans = rows(
        "SELECT contract_id, org_id, region_code, due_date, amount_due, review_status "
        "FROM contracts_contractreceivableplan WHERE region_code LIKE %s",
        [like],
    )
    receipts = rows(
        "SELECT contract_id, org_id, region_code, received_on, amount, review_status "
        "FROM contracts_contractreceipt WHERE region_code LIKE %s",
        [like],
    )
    year_start = date(end.year, 1, 1).isoformat()
    s, e = start.isoformat(), end.isoformat()
    horizon = (end + timedelta(days=90)).isoformat()
    out: dict[str, dict] = defaultdict(
        lambda: {
            "ct_count": 0,
            "ct_amount": ZERO,
            "ct_receivable": ZERO,
            "ct_received": ZERO,
            "ct_overdue_count": 0,
            "ct_overdue_amount": ZERO,
            "ct_expiring": 0,
            "ct_via_platform": 0,
        }
    )

    def add(record, code, amount):
        for key in (row_key(record["region_code"], record["org_id"], children, digits, orgs), "TOTAL"):
            out[key][code] += amount

    due_to_date: dict[int, Decimal] = defaultdict(lambda: ZERO)
    received_to_date: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for p in plans:
        if p["review_status"] != "approved":
            continue
        if year_start <= day(p["due_date"]) <= e:
            add(p, "ct_receivable", money(p["amount_due"]))
        if day(p["due_date"]) <= e:
            due_to_date[p["contract_id"]] += money(p["amount_due"])
    for r in receipts:
        if r["review_status"] != "approved":
            continue
        if year_start <= day(r["received_on"]) <= e:
            add(r, "ct_received", money(r["amount"]))
        if day(r["received_on"]) <= e:
            received_to_date[r["contract_id"]] += money(r["amount"])
    for c in contracts:
        if c["review_status"] != "approved" or c["status"] == "draft":
            continue
        if day(c["term_start"]) <= e and day(c["term_end"]) >= s:
            add(c, "ct_count", 1)
            add(c, "ct_amount", money(c["total_amount"]))
            if c["traded_on_platform"]:
                add(c, "ct_via_platform", 1)
            if e < day(c["term_end"]) <= horizon and c["status"] in ("effective", "performing", "expiring"):
                add(c, "ct_expiring", 1)
        if day(c["term_start"]) <= e and due_to_date[c["id"]] > received_to_date[c["id"]]:
            add(c, "ct_overdue_count", 1)
            add(c, "ct_overdue_amount", due_to_date[c["id"]] - received_to_date[c["id"]])
    for values in out.values():
        values["ct_fulfilment_rate"] = (
            values["ct_received"] / values["ct_receivable"] if values["ct_receivable"] else None
        )
    return out


def orgs_expected(prefix: str, digits: int, children: dict[str, str]) -> dict:
    """R11 organisation counts by row key."""
    keys = org_keys()
    out: dict[str, dict] = defaultdict(lambda: defaultdict(int))
    for o in rows(
        "SELECT id, region_code, credit_code, org_level, status FROM regions_collectiveorg "
        "WHERE region_code LIKE %s",
        [prefix + "%"],
    ):
        if o["status"] != "active":
            continue
        for key in (row_key(o["region_code"], o["id"], children, digits, keys), "TOTAL"):
            out[key]["og_count"] += 1
            out[key]["og_registered"] += 1 if o["credit_code"] else 0
            level_code = {"N3": "og_n3", "N2": "og_n2", "N1": "og_n1", "ACTING": "og_acting"}.get(
                o["org_level"]
            )
            if level_code:
                out[key][level_code] += 1
    for m in rows(
        "SELECT org_id, region_code FROM reform_member WHERE region_code LIKE %s "
        "AND review_status = 'approved' AND status = 'active'",
        [prefix + "%"],
    ):
        for key in (row_key(m["region_code"], m["org_id"], children, digits, keys), "TOTAL"):
            out[key]["og_members"] += 1
    return out
