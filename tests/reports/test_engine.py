"""Tables recomputed independently (raw SQL + Python, or the per-organisation statements of the
accounting module), compared cell by cell at county and township level."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal

import pytest

from backoffice.accounting.models import AccountSet
from backoffice.accounting.statements import balance_sheet, income_statement
from reports.engine import build_table
from reports.table import Period
from tests.conftest import COUNTY, TOWNSHIP_A

from .recompute import child_keys, contracts_expected, org_keys, orgs_expected, rows

pytestmark = pytest.mark.django_db

COUNTY_CODE = COUNTY.ljust(12, "0")
TOWNSHIP_CODE = TOWNSHIP_A.ljust(12, "0")
LEVELS = [(COUNTY_CODE, COUNTY, 4, 9), (TOWNSHIP_CODE, TOWNSHIP_A, 5, 12)]


def by_key(table):
    return {row.key: row for row in table.all_rows}


def assert_cells(table, expected: dict, codes):
    """Every listed column of every row equals the recomputed value (rows without data are zero)."""
    rows = by_key(table)
    assert set(k for k in expected if expected[k]) <= set(rows), "a recomputed row is missing from the table"
    compared = 0
    for key, row in rows.items():
        want = expected.get(key, {})
        for code in codes:
            got = row.values[code]
            value = want.get(code)
            if value is None and code.endswith("_rate"):
                assert got is None, (key, code, got)
            else:
                assert Decimal(got or 0) == Decimal(value or 0), (row.label, code, got, value)
            compared += 1
    return compared


@pytest.mark.parametrize(("region", "prefix", "child_level", "digits"), LEVELS)
def test_contract_table_matches_raw_rows_cell_by_cell(region, prefix, child_level, digits):
    period = Period.parse("2025")
    table = build_table("R3", region_code=region, period=period)
    expected = contracts_expected(
        prefix, digits, child_keys(prefix, child_level, digits), period.start, period.end
    )
    codes = [c.code for c in table.columns]
    compared = assert_cells(table, expected, codes)
    assert compared == len(table.all_rows) * len(codes)
    assert table.total.values["ct_count"] > 0, "the demo has contracts in force in 2025"
    assert all(check.ok for check in table.checks), table.checks


@pytest.mark.parametrize(("region", "prefix", "child_level", "digits"), LEVELS)
def test_organisation_table_matches_raw_rows(region, prefix, child_level, digits):
    table = build_table("R11", region_code=region, period="2025")
    expected = orgs_expected(prefix, digits, child_keys(prefix, child_level, digits))
    assert_cells(
        table, expected, ["og_count", "og_registered", "og_n3", "og_n2", "og_n1", "og_acting", "og_members"]
    )
    assert table.total.values["og_count"] == expected["TOTAL"]["og_count"] > 0


BS_LINES = {
    "bs_cash": "cash",
    "bs_short_investments": "short_investments",
    "bs_receivables": "receivables",
    "bs_inventories": "inventories",
    "bs_consumable_bio": "consumable_bio",
    "bs_current_assets": "current_assets_total",
    "bs_long_investments": "long_investments",
    "bs_productive_bio_net": "productive_bio_net",
    "bs_public_bio": "public_bio",
    "bs_fixed_net": "fixed_net",
    "bs_fixed_disposal": "fixed_disposal",
    "bs_construction": "construction",
    "bs_intangible": "intangible_net",
    "bs_deferred": "deferred_expenses",
    "bs_pending_losses": "pending_losses",
    "bs_noncurrent_assets": "noncurrent_assets_total",
    "bs_total_assets": "total_assets",
    "bs_short_borrowings": "short_borrowings",
    "bs_payables": "payables",
    "bs_wages_payable": "wages_payable",
    "bs_labour_payable": "labour_fees_payable",
    "bs_taxes_payable": "taxes_payable",
    "bs_current_liabilities": "current_liabilities_total",
    "bs_long_borrowings": "long_borrowings",
    "bs_ysyy_funds": "ysyy_funds",
    "bs_special_payables": "special_payables",
    "bs_noncurrent_liabilities": "noncurrent_liabilities_total",
    "bs_total_liabilities": "total_liabilities",
    "bs_capital": "capital",
    "bs_reserves": "reserves",
    "bs_undistributed": "undistributed",
    "bs_total_equity": "total_equity",
    "bs_total_liabilities_equity": "total_liabilities_equity",
}


def statement_rows(prefix, digits, children, build):
    """Σ of per-organisation statements (backoffice.accounting.statements) by row key and TOTAL."""
    orgs = org_keys()
    out: dict[str, dict] = defaultdict(lambda: defaultdict(Decimal))
    for account_set in AccountSet.objects.filter(region_code__startswith=prefix, chart_version="2023"):
        statement = build(account_set)
        key = account_set.region_code[:digits]
        row = children[key] if key in children else orgs[account_set.org_id]
        for target in (row, "TOTAL"):
            for line in statement:
                out[target][line.code] += line.amount if line.year_to_date is None else line.year_to_date
    return out


@pytest.mark.parametrize(("region", "prefix", "child_level", "digits"), LEVELS)
def test_balance_sheet_table_equals_the_sum_of_organisation_balance_sheets(
    region, prefix, child_level, digits
):
    table = build_table("R2", region_code=region, period="2024-12")
    children = child_keys(prefix, child_level, digits)
    sums = statement_rows(prefix, digits, children, lambda s: balance_sheet(account_set=s, period="202412"))
    assert sums["TOTAL"]["total_assets"] > 0, "the demo books have balances in 2024-12"
    expected = {key: {code: values[line] for code, line in BS_LINES.items()} for key, values in sums.items()}
    compared = assert_cells(table, expected, list(BS_LINES))
    assert compared == len(table.all_rows) * len(BS_LINES)
    ratio = table.total.values["bs_debt_ratio"]
    assert ratio == sums["TOTAL"]["total_liabilities"] / sums["TOTAL"]["total_assets"]
    assert all(check.ok for check in table.checks), [c.detail for c in table.checks if not c.ok]


IS_LINES = {
    "is_operating_income": "operating_income",
    "is_operating_expenditure": "operating_expenditure",
    "is_taxes": "taxes_and_surcharges",
    "is_admin_expenses": "administrative_expenses",
    "is_investment_income": "investment_income",
    "is_operating_result": "operating_result",
    "is_subsidy_income": "subsidy_income",
    "is_other_income": "other_income",
    "is_public_welfare": "public_welfare_expenditure",
    "is_other_expenditure": "other_expenditure",
    "is_total_result": "total_result",
    "is_income_tax": "income_tax",
    "is_net_result": "net_result",
}


@pytest.mark.parametrize(("region", "prefix", "child_level", "digits"), LEVELS)
def test_income_table_equals_the_sum_of_organisation_income_statements(region, prefix, child_level, digits):
    from backoffice.accounting.models import VoucherLine
    from backoffice.accounting.services import BOOKED

    # The statements read every booked line; the report only approved ones. Approve the demo's open
    # months first (rolled back after the test), after measuring what they add to 经营收入.
    approved_only = build_table("R1", region_code=region, period="2024").total.values["is_operating_income"]
    pending = VoucherLine.objects.filter(
        region_code__startswith=prefix, voucher__status__in=BOOKED, voucher__period__startswith="2024"
    ).exclude(review_status="approved")
    closing = pending.filter(voucher__entry_kind="closing")
    pending_income = sum(
        (
            line.credit - line.debit
            for line in pending.exclude(pk__in=closing.values("pk")).filter(account__code__startswith="501")
        ),
        Decimal(0),
    )
    assert pending.exists(), "the demo has booked lines still under review"
    pending.update(review_status="approved")
    table = build_table("R1", region_code=region, period="2024")
    assert table.total.values["is_operating_income"] == approved_only + pending_income
    children = child_keys(prefix, child_level, digits)
    sums = statement_rows(
        prefix, digits, children, lambda s: income_statement(account_set=s, period="202412")
    )
    assert sums["TOTAL"]["operating_income"] > 0
    expected = {key: {code: values[line] for code, line in IS_LINES.items()} for key, values in sums.items()}
    assert_cells(table, expected, list(IS_LINES))
    # no 2023 books in the demo: last year's column is zero and the change is not computable
    assert table.total.values["isp_net_result"] == 0
    assert table.total.values["is_net_change"] is None
    assert all(check.ok for check in table.checks)


def test_township_report_lists_villages_and_the_township_level_organisation():
    table = build_table("R11", region_code=TOWNSHIP_CODE, period="2025")
    kinds = [row.kind for row in table.rows]
    villages = child_keys(TOWNSHIP_A, 5, 12)
    assert {row.key for row in table.rows if row.kind == "region"} == set(villages.values())
    assert kinds.count("org") == 1
    org_row = next(row for row in table.rows if row.kind == "org")
    assert org_row.values["og_n3"] == 1 and org_row.drill_region is None
    assert all(row.drill_region is None for row in table.rows), "villages are the bottom level"


def test_county_rows_drill_to_their_township():
    table = build_table("R3", region_code=COUNTY_CODE, period="2025")
    assert [row.drill_region for row in table.rows] == [row.key for row in table.rows]
    assert table.total.key == "TOTAL" and table.total.drill_region is None


def test_fulfilment_rate_is_recomputed_from_sums_not_averaged():
    table = build_table("R3", region_code=TOWNSHIP_CODE, period="2025")
    rates = [
        row.values["ct_fulfilment_rate"] for row in table.rows if row.values["ct_fulfilment_rate"] is not None
    ]
    total = table.total.values
    assert total["ct_fulfilment_rate"] == total["ct_received"] / total["ct_receivable"]
    assert len(set(rates)) > 1, "the demo villages should have different rates"
    assert total["ct_fulfilment_rate"] != sum(rates) / len(rates)


def test_units_included_and_missing_partition_the_active_organisations():
    table = build_table("R3", region_code=COUNTY_CODE, period="2025")
    from backoffice.regions.models import CollectiveOrg

    active = CollectiveOrg.objects.filter(region_code__startswith=COUNTY, status="active").count()
    assert len(table.units_included) + len(table.units_missing) == active
    assert table.total.units == len(table.units_included)
    assert sum(row.units for row in table.rows) == table.total.units
    assert any("汇入本表单位" in note for note in table.notes)


def test_only_approved_records_are_counted(org_a):
    from backoffice.contracts.models import Contract

    before = build_table("R3", region_code=TOWNSHIP_CODE, period="2025").total.values
    contract = (
        Contract.objects.filter(
            org=org_a,
            review_status="approved",
            term_start__lte=date(2025, 12, 31),
            term_end__gte=date(2025, 1, 1),
        )
        .exclude(status="draft")
        .first()
    )
    Contract.objects.filter(pk=contract.pk).update(review_status="submitted")
    after = build_table("R3", region_code=TOWNSHIP_CODE, period="2025").total.values
    assert after["ct_amount"] == before["ct_amount"] - contract.total_amount
    assert after["ct_count"] == before["ct_count"] - 1


def test_attached_indicators_bracket_each_organisation_by_its_own_operating_income():
    table = build_table("R1", region_code=COUNTY_CODE, period="2024")
    children = child_keys(COUNTY, 4, 9)
    orgs = org_keys()
    brackets = [
        ("is_units_lt5", 0, 50000),
        ("is_units_5_10", 50000, 100000),
        ("is_units_10_50", 100000, 500000),
        ("is_units_50_100", 500000, 1000000),
        ("is_units_ge100", 1000000, None),
    ]
    expected: dict[str, dict] = defaultdict(lambda: defaultdict(int))
    for r in rows(
        "SELECT l.org_id, l.region_code FROM accounting_voucherline l "
        "JOIN accounting_voucher v ON v.id = l.voucher_id JOIN accounting_account a ON a.id = l.account_id "
        "WHERE l.region_code LIKE %s AND l.review_status = 'approved' AND v.status IN ('posted', 'void') "
        "AND v.period LIKE '2024%%' AND v.entry_kind <> 'closing' AND a.code LIKE '5%%' "
        "GROUP BY l.org_id, l.region_code",
        [COUNTY + "%"],
    ):
        income = rows(
            "SELECT COALESCE(SUM(l.credit - l.debit), 0) AS v FROM accounting_voucherline l "
            "JOIN accounting_voucher v ON v.id = l.voucher_id "
            "JOIN accounting_account a ON a.id = l.account_id "
            "WHERE l.org_id = %s AND l.review_status = 'approved' AND v.status IN ('posted', 'void') "
            "AND v.period LIKE '2024%%' AND v.entry_kind <> 'closing' AND a.code LIKE '501%%'",
            [r["org_id"]],
        )[0]["v"]
        income = Decimal(str(income or 0))
        key = children.get(r["region_code"][:9]) or orgs[r["org_id"]]
        for target in (key, "TOTAL"):
            expected[target]["is_units"] += 1
            if income <= 0:
                expected[target]["is_units_no_income"] += 1
            for code, low, high in brackets:
                if income > 0 and income >= low and (high is None or income < high):
                    expected[target][code] += 1
    codes = ["is_units", "is_units_no_income", *(c for c, _, _ in brackets)]
    assert expected["TOTAL"]["is_units"] > 0
    assert_cells(table, expected, codes)
    assert table.total.values["is_units"] == len(table.units_included)
