"""Statements of the 2023 chart on the demo books and on fresh entries (DOMAIN.md §3.2)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal

import pytest

from backoffice.accounting.models import AccountSet, PeriodBalance, VoucherLine
from backoffice.accounting.periods import next_period
from backoffice.accounting.services import period_balances_rebuild, voucher_create, voucher_post
from backoffice.accounting.statements import balance_sheet, income_statement
from tests.accounting.conftest import entry

pytestmark = pytest.mark.django_db


def _demo_sets_and_periods():
    for account_set in AccountSet.objects.filter(chart_version="2023", source_system="demo").order_by("pk"):
        periods = sorted(
            set(
                PeriodBalance.objects.filter(account__account_set=account_set).values_list(
                    "period", flat=True
                )
            )
        )
        yield account_set, periods


def test_every_demo_org_has_a_2023_account_set_with_statements():
    from backoffice.regions.models import CollectiveOrg

    orgs = set(CollectiveOrg.objects.filter(source_system="demo").values_list("pk", flat=True))
    assert set(AccountSet.objects.filter(chart_version="2023").values_list("org_id", flat=True)) == orgs


def test_balance_sheet_balances_for_every_demo_org_and_period():
    checked = 0
    for account_set, periods in _demo_sets_and_periods():
        assert periods, account_set
        for period in periods:
            sheet = balance_sheet(account_set=account_set, period=period)
            assert sheet.check, (account_set, period, sheet.problems)
            assert sheet.amount("total_assets") == sheet.amount("total_liabilities") + sheet.amount(
                "total_equity"
            )
            assert sheet.amount("total_assets") == sheet.amount("total_liabilities_equity")
            assert sheet.amount("total_assets") > 0
            checked += 1
    assert checked >= 8 * 6


def test_balance_sheet_lines_add_up_to_their_totals():
    for account_set, periods in _demo_sets_and_periods():
        sheet = balance_sheet(account_set=account_set, period=periods[-1])
        a = sheet.amount
        assert a("current_assets_total") == sum(
            a(c) for c in ("cash", "short_investments", "receivables", "inventories", "consumable_bio")
        )
        assert a("fixed_net") == a("fixed_cost") - a("fixed_depreciation")
        assert a("productive_bio_net") == a("productive_bio_cost") - a("productive_bio_depreciation")
        assert a("total_assets") == a("current_assets_total") + a("noncurrent_assets_total")
        assert a("current_liabilities_total") == sum(
            a(c)
            for c in ("short_borrowings", "payables", "wages_payable", "labour_fees_payable", "taxes_payable")
        )
        assert a("total_liabilities") == a("current_liabilities_total") + a("noncurrent_liabilities_total")
        assert a("total_equity") == a("capital") + a("reserves") + a("undistributed")


def test_balance_sheet_cash_is_the_closing_of_101_and_102():
    for account_set, periods in _demo_sets_and_periods():
        period = periods[-1]
        expected = sum(
            PeriodBalance.objects.filter(account__account_set=account_set, period=period)
            .filter(account__code__regex=r"^10[12]")
            .values_list("closing", flat=True),
            Decimal(0),
        )
        assert balance_sheet(account_set=account_set, period=period).amount("cash") == expected


def _pnl_from_lines(account_set, periods) -> dict[str, Decimal]:
    out: dict[str, Decimal] = defaultdict(Decimal)
    lines = VoucherLine.objects.filter(
        voucher__account_set=account_set,
        voucher__period__in=periods,
        voucher__status__in=("posted", "void"),
        account__code__startswith="5",
    ).exclude(voucher__entry_kind="closing")
    for code, debit, credit in lines.values_list("account__code", "debit", "credit"):
        out[code[:3]] += credit - debit if code[:3] in ("501", "502", "503", "504") else debit - credit
    return out


def test_income_statement_relations_hold_for_every_demo_org_and_period():
    for account_set, periods in _demo_sets_and_periods():
        for period in periods:
            stmt = income_statement(account_set=account_set, period=period)
            assert stmt.check, (account_set, period, stmt.problems)
            p = _pnl_from_lines(account_set, [period])
            a = stmt.amount
            assert a("operating_income") == p["501"] and a("administrative_expenses") == p["513"]
            assert a("operating_result") == p["501"] - p["511"] - p["512"] - p["513"] + p["502"]
            assert a("total_result") == a("operating_result") + p["503"] + p["504"] - p["514"] - p["515"]
            assert a("net_result") == a("total_result") - p["521"]
            assert a("distributable") == a("dist_net_result") + a("dist_opening_undistributed") + a(
                "dist_other_in"
            )
            assert a("closing_undistributed") == (
                a("distributable") - a("dist_reserves") - a("dist_members") - a("dist_other_out")
            )
            assert a("closing_undistributed") == balance_sheet(account_set=account_set, period=period).amount(
                "undistributed"
            )


def test_year_to_date_is_the_sum_of_the_months():
    for account_set, periods in _demo_sets_and_periods():
        year_months = [p for p in periods if p.startswith(periods[-1][:4])]
        monthly = sum(
            income_statement(account_set=account_set, period=p).amount("net_result") for p in year_months
        )
        ytd = (
            income_statement(account_set=account_set, period=year_months[-1]).line("net_result").year_to_date
        )
        assert monthly == ytd


def test_year_end_closing_empties_the_pnl_accounts_and_keeps_the_statement():
    closed_years = 0
    for account_set, periods in _demo_sets_and_periods():
        for period in (p for p in periods if p.endswith("12")):
            rows = PeriodBalance.objects.filter(account__account_set=account_set, period=period)
            assert not rows.filter(account__code__startswith="5").exclude(closing=0).exists()
            assert not rows.filter(account__code="321").exclude(closing=0).exists()
            pnl = _pnl_from_lines(account_set, [f"{period[:4]}{m:02d}" for m in range(1, 13)])
            expected = sum(v for k, v in pnl.items() if k in ("501", "502", "503", "504")) - sum(
                v for k, v in pnl.items() if k in ("511", "512", "513", "514", "515", "521")
            )
            assert (
                income_statement(account_set=account_set, period=period).line("net_result").year_to_date
                == expected
            )
            closed_years += 1
    assert closed_years


def test_open_pnl_accounts_count_in_equity_so_the_sheet_still_balances():
    """After the demo's last period: book income without closing it; 未分配收益 must include it."""
    account_set = AccountSet.objects.filter(chart_version="2023", source_system="demo").order_by("pk").first()
    last = max(
        PeriodBalance.objects.filter(account__account_set=account_set).values_list("period", flat=True)
    )
    period = next_period(last)
    day = date(int(period[:4]), int(period[4:]), 5)
    before = balance_sheet(account_set=account_set, period=last)
    income = voucher_create(account_set=account_set, voucher_date=day, lines=entry("102001", "501", "1000"))
    voucher_post(voucher=income, user=None)
    expense = voucher_create(account_set=account_set, voucher_date=day, lines=entry("513", "101", "150"))
    voucher_post(voucher=expense, user=None)
    period_balances_rebuild(account_set=account_set, period=period)
    after = balance_sheet(account_set=account_set, period=period)
    assert after.check, after.problems
    assert after.amount("total_assets") - before.amount("total_assets") == Decimal("850")
    assert after.amount("undistributed") - before.amount("undistributed") == Decimal("850")
    assert after.amount("current_year_result") - before.amount("current_year_result") == Decimal("850")
    assert after.amount("capital") == before.amount("capital")
    stmt = income_statement(account_set=account_set, period=period)
    assert (stmt.amount("operating_income"), stmt.amount("administrative_expenses")) == (1000, 150)
    assert stmt.check, stmt.problems


def test_an_unbalanced_trial_balance_fails_the_balance_sheet_check():
    account_set = AccountSet.objects.filter(chart_version="2023", source_system="demo").order_by("pk").first()
    last = max(
        PeriodBalance.objects.filter(account__account_set=account_set).values_list("period", flat=True)
    )
    cash = PeriodBalance.objects.get(account__account_set=account_set, account__code="101", period=last)
    PeriodBalance.objects.filter(pk=cash.pk).update(closing=cash.closing + 1, debit=cash.debit + 1)
    sheet = balance_sheet(account_set=account_set, period=last)
    assert not sheet.check and "资产总计" in sheet.problems[0]


def test_statements_need_a_2023_account_set(book):
    with pytest.raises(ValueError, match="新制度"):
        balance_sheet(account_set=book, period="202203")
