"""Tie checks: a broken balance is reported (never hidden), and checks also run on a tampered table."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db.models import F

from backoffice.accounting.models import PeriodBalance
from reports.checks import run_checks
from reports.engine import build_table, get_definition
from tests.conftest import COUNTY, TOWNSHIP_A

pytestmark = pytest.mark.django_db


def test_unbalanced_books_fail_the_balance_equation_naming_the_village(org_a):
    balance = PeriodBalance.objects.filter(
        org=org_a, period="202412", account__code__startswith="101"
    ).first()
    # one-sided: 1,000 元 more cash with no liability or equity behind it
    PeriodBalance.objects.filter(pk=balance.pk).update(debit=F("debit") + 1000, closing=F("closing") + 1000)
    table = build_table("R2", region_code=TOWNSHIP_A.ljust(12, "0"), period="2024-12")
    failed = [c for c in table.checks if not c.ok]
    assert [c.code for c in failed] == ["equation1"]
    assert org_a.region.name in failed[0].detail and "差额 1,000.00 元" in failed[0].detail
    assert "合计" in failed[0].detail, "the total row is unbalanced too"
    # the rest of the checks still run and pass: child rows still add up to the total
    assert next(c for c in table.checks if c.code == "sum").ok
    county = build_table("R2", region_code=COUNTY.ljust(12, "0"), period="2024-12")
    assert not county.checks_ok


def test_balanced_books_pass_every_check():
    table = build_table("R2", region_code=COUNTY.ljust(12, "0"), period="2024-12")
    assert {c.code for c in table.checks} == {"sum", "lines", "equation1", "equation2"}
    assert table.checks_ok


def test_a_row_that_does_not_add_up_is_caught_by_the_sum_and_line_checks():
    table = build_table("R1", region_code=COUNTY.ljust(12, "0"), period="2024")
    table.rows[0].values["is_operating_income"] += Decimal("5.00")
    checks = {c.code: c for c in run_checks(table, get_definition("R1"))}
    assert not checks["sum"].ok and "经营收入" in checks["sum"].detail and "5.00" in checks["sum"].detail
    assert not checks["lines"].ok and table.rows[0].label in checks["lines"].detail
