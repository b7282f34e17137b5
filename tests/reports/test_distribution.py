"""R1's income-distribution part (收益分配部分), set-based, equals the sum of the organisations' own
收益及收益分配表 (backoffice.accounting.statements, which classifies each voucher in Python), at county
and township level, year to date for a year and for a quarter."""

from __future__ import annotations

from decimal import Decimal

import pytest

from backoffice.accounting.models import Account, PeriodBalance, Voucher, VoucherLine
from backoffice.accounting.statements import income_statement
from reports.engine import build_table

from .recompute import child_keys
from .test_engine import LEVELS, assert_cells, statement_rows

pytestmark = pytest.mark.django_db

DS_LINES = {
    "ds_net_result": "dist_net_result",
    "ds_opening_undistributed": "dist_opening_undistributed",
    "ds_other_in": "dist_other_in",
    "ds_distributable": "distributable",
    "ds_reserves": "dist_reserves",
    "ds_members": "dist_members",
    "ds_other_out": "dist_other_out",
    "ds_closing_undistributed": "closing_undistributed",
}


def redirect_one_reserve_to_members(prefix: str) -> None:
    """Turn one 提取公积公益金 voucher into a distribution to members (its 311 credit → 211 应付工资), so that
    all three distribution classes occur in the data."""
    line = (
        VoucherLine.objects.filter(
            region_code__startswith=prefix, account__code="311", credit__gt=0, voucher__entry_kind="normal"
        )
        .filter(voucher__lines__account__code__startswith="322")
        .select_related("account")
        .order_by("pk")
        .first()
    )
    payable = Account.objects.get(account_set_id=line.account.account_set_id, code="211")
    VoucherLine.objects.filter(pk=line.pk).update(account=payable)


def approve_books(prefix: str) -> None:
    """The statements read every booked voucher; the report only approved ones: approve the demo's books
    under ``prefix`` (rolled back after the test)."""
    for model in (Voucher, VoucherLine, PeriodBalance):
        model.objects.filter(region_code__startswith=prefix).exclude(review_status="approved").update(
            review_status="approved"
        )


@pytest.mark.parametrize(("region", "prefix", "child_level", "digits"), LEVELS)
@pytest.mark.parametrize(
    ("period", "month"), [("2024", "202412"), ("2024-Q4", "202412"), ("2024-Q3", "202409")]
)
def test_distribution_part_equals_the_sum_of_organisation_statements(
    region, prefix, child_level, digits, period, month
):
    approve_books(prefix)
    redirect_one_reserve_to_members(prefix)
    table = build_table("R1", region_code=region, period=period)
    sums = statement_rows(
        prefix,
        digits,
        child_keys(prefix, child_level, digits),
        lambda s: income_statement(account_set=s, period=month),
    )
    expected = {key: {code: values[line] for code, line in DS_LINES.items()} for key, values in sums.items()}
    assert assert_cells(table, expected, list(DS_LINES)) > 0
    total = table.total.values
    if month.endswith("12"):
        # the demo books a year-end transfer and reserves for every profitable organisation (one of them
        # turned into a distribution to members above): the part is not trivially zero
        assert total["ds_net_result"] != 0 and total["ds_reserves"] > 0 and total["ds_members"] > 0
    assert total["ds_closing_undistributed"] == (
        total["ds_distributable"] - total["ds_reserves"] - total["ds_members"] - total["ds_other_out"]
    )
    assert all(check.ok for check in table.checks), [c for c in table.checks if not c.ok]


def test_only_approved_distribution_vouchers_count():
    approve_books(LEVELS[1][1])
    region = LEVELS[1][0]
    before = build_table("R1", region_code=region, period="2024").total.values["ds_reserves"]
    reserve_vouchers = Voucher.objects.filter(
        region_code__startswith=LEVELS[1][1], period="202412", lines__account__code__startswith="32200201"
    ).distinct()
    assert reserve_vouchers.exists()
    withheld = sum(
        (
            line.debit
            for line in VoucherLine.objects.filter(
                voucher__in=reserve_vouchers, account__code__startswith="322"
            )
        ),
        Decimal(0),
    )
    reserve_vouchers.update(review_status="submitted")
    after = build_table("R1", region_code=region, period="2024").total.values["ds_reserves"]
    assert after == before - withheld
