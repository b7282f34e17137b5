"""Accounting indicators: the balance sheet (R2/S2) from trial-balance rows and the income statement
(R1/S3) from booked voucher lines, line for line as ``backoffice.accounting.statements`` (DOMAIN.md §3.2).

The balance sheet reads ``PeriodBalance`` (signed debit-positive) of the period's last month; year-start
amounts are the openings of the year's first month. 内部往来 (113) leaves are split by side: debit
balances are receivables, credit balances payables. 未分配收益 includes the open P&L accounts (5xx), as in
the statement, so 资产总计 = 负债合计 + 所有者权益合计 holds in every month before year-end closing.
"""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Case, F, FloatField, Q, Sum, Value, When
from django.db.models.expressions import CombinedExpression

from backoffice.accounting.choices import EntryKind
from backoffice.accounting.services import BOOKED

from ..table import Period
from .base import IndicatorSpec, Source, change, formula, money, org_bracket, org_count, ratio

#: Output type of the conditional sums. Not DecimalField: on SQLite Django wraps every CASE of a decimal
#: output in CAST(… AS NUMERIC), which tripled the province R2 query; the engine reads the sums through
#: the cursor and turns them into exact Decimals to the fen (reports.query._amount), on PostgreSQL the
#: sums stay NUMERIC anyway.
AMOUNT = FloatField()


def _signed(field: str, sign: int):
    if sign > 0:
        return F(field)
    return CombinedExpression(F(field), "*", Value(-1), output_field=AMOUNT)


def month_codes(period: Period) -> list[str]:
    """Accounting periods (YYYYMM) covered by a report period."""
    first = period.start.month
    return [f"{period.year}{m:02d}" for m in range(first, period.end.month + 1)]


def end_month(period: Period) -> str:
    return f"{period.year}{period.end.month:02d}"


def year_first_month(period: Period) -> str:
    return f"{period.year}01"


def prefix_q(field: str, code: str) -> Q:
    """``field`` starts with the digit string ``code``, as a range (code ≤ x < next code).

    Same rows as ``__startswith`` for digit codes, but a plain comparison instead of LIKE … ESCAPE,
    which SQLite evaluates in each of the ~40 CASE expressions of the balance sheet for every row.
    """
    upper = code[:-1] + chr(ord(code[-1]) + 1)
    return Q(**{f"{field}__gte": code, f"{field}__lt": upper})


def _codes_q(codes: tuple[str, ...]) -> Q:
    q = Q()
    for code in codes:
        q |= prefix_q("account__code", code)
    return q


def _balance(codes: tuple[str, ...], *, sign: int = 1, side: str = "", field: str = "closing", start=False):
    """Σ signed closing (or year-start opening) of accounts starting with ``codes`` at the period end."""

    def aggregate(period: Period):
        # the period itself is the source's WHERE (balances / balances_start): one scan per period, and
        # no period test inside each of the ~40 CASE expressions
        when = _codes_q(codes)
        if side == "debit":
            when &= Q(**{f"{field}__gt": 0})
        elif side == "credit":
            when &= Q(**{f"{field}__lt": 0})
        value = _signed(field, sign)
        return Sum(Case(When(when, then=value), default=Value(0), output_field=AMOUNT), output_field=AMOUNT)

    return aggregate


SOURCES = [
    Source(
        key="balances",
        model="accounting.PeriodBalance",
        label="科目余额",
        where=lambda p: Q(period=end_month(p), account__account_set__chart_version="2023"),
        period_semantics="期末数取报告期最后一个月的科目余额（新制度账套）",
    ),
    Source(
        key="balances_start",
        model="accounting.PeriodBalance",
        label="科目余额（年初）",
        where=lambda p: Q(period=year_first_month(p), account__account_set__chart_version="2023"),
        period_semantics="年初数取当年1月的期初余额（新制度账套；年中建账的单位年初数为0）",
    ),
    Source(
        key="pnl",
        model="accounting.VoucherLine",
        label="损益类凭证分录",
        where=lambda p: (
            Q(voucher__period__in=month_codes(p), voucher__status__in=BOOKED, account__code__startswith="5")
            & ~Q(voucher__entry_kind=EntryKind.CLOSING)
        ),
        period_semantics="报告期内已记账凭证的损益类科目发生额（不含期末结转凭证）",
    ),
    Source(
        key="pnl_prev",
        model="accounting.VoucherLine",
        label="损益类凭证分录（上年同期）",
        where=lambda p: (
            Q(
                voucher__period__in=month_codes(p.previous_year()),
                voucher__status__in=BOOKED,
                account__code__startswith="5",
            )
            & ~Q(voucher__entry_kind=EntryKind.CLOSING)
        ),
        period_semantics="上年同期已记账凭证的损益类科目发生额",
    ),
]

# ---- balance sheet (资产负债表) ---------------------------------------------------------------------
BS = "balances"
BS_START = "balances_start"
BALANCE_SHEET: list[IndicatorSpec] = [
    money("bs_cash", "货币资金", BS, _balance(("101", "102"))),
    money("bs_short_investments", "短期投资", BS, _balance(("111",))),
    money("bs_receivables_112", "应收款", BS, _balance(("112",)), aggregation="求和（明细，不单列）"),
    money("bs_internal_debit", "内部往来借方余额", BS, _balance(("113",), side="debit")),
    formula("bs_receivables", "应收款项", {"bs_receivables_112": 1, "bs_internal_debit": 1}),
    money("bs_inventories", "存货", BS, _balance(("121", "401"))),
    money("bs_consumable_bio", "消耗性生物资产", BS, _balance(("131",))),
    formula(
        "bs_current_assets",
        "流动资产合计",
        {
            "bs_cash": 1,
            "bs_short_investments": 1,
            "bs_receivables": 1,
            "bs_inventories": 1,
            "bs_consumable_bio": 1,
        },
    ),
    money("bs_long_investments", "长期投资", BS, _balance(("141",))),
    money("bs_productive_bio_net", "生产性生物资产净值", BS, _balance(("132", "133"))),
    money("bs_public_bio", "公益性生物资产", BS, _balance(("134",))),
    money("bs_fixed_net", "固定资产净值", BS, _balance(("151", "152"))),
    money("bs_fixed_disposal", "固定资产清理", BS, _balance(("154",))),
    money("bs_construction", "在建工程", BS, _balance(("153",))),
    money("bs_intangible", "无形资产", BS, _balance(("161", "162"))),
    money("bs_deferred", "长期待摊费用", BS, _balance(("171",))),
    money("bs_pending_losses", "待处理财产损溢", BS, _balance(("181",))),
    formula(
        "bs_noncurrent_assets",
        "非流动资产合计",
        {
            "bs_long_investments": 1,
            "bs_productive_bio_net": 1,
            "bs_public_bio": 1,
            "bs_fixed_net": 1,
            "bs_fixed_disposal": 1,
            "bs_construction": 1,
            "bs_intangible": 1,
            "bs_deferred": 1,
            "bs_pending_losses": 1,
        },
    ),
    formula("bs_total_assets", "资产总计", {"bs_current_assets": 1, "bs_noncurrent_assets": 1}),
    money("bs_short_borrowings", "短期借款", BS, _balance(("201",), sign=-1)),
    money("bs_payables_211", "应付款", BS, _balance(("211",), sign=-1)),
    money("bs_internal_credit", "内部往来贷方余额", BS, _balance(("113",), sign=-1, side="credit")),
    formula("bs_payables", "应付款项", {"bs_payables_211": 1, "bs_internal_credit": 1}),
    money("bs_wages_payable", "应付工资", BS, _balance(("212",), sign=-1)),
    money("bs_labour_payable", "应付劳务费", BS, _balance(("213",), sign=-1)),
    money("bs_taxes_payable", "应交税费", BS, _balance(("214",), sign=-1)),
    formula(
        "bs_current_liabilities",
        "流动负债合计",
        {
            "bs_short_borrowings": 1,
            "bs_payables": 1,
            "bs_wages_payable": 1,
            "bs_labour_payable": 1,
            "bs_taxes_payable": 1,
        },
    ),
    money("bs_long_borrowings", "长期借款及应付款", BS, _balance(("221",), sign=-1)),
    money("bs_ysyy_funds", "一事一议资金", BS, _balance(("231",), sign=-1)),
    money("bs_special_payables", "专项应付款", BS, _balance(("241",), sign=-1)),
    formula(
        "bs_noncurrent_liabilities",
        "非流动负债合计",
        {"bs_long_borrowings": 1, "bs_ysyy_funds": 1, "bs_special_payables": 1},
    ),
    formula(
        "bs_total_liabilities", "负债合计", {"bs_current_liabilities": 1, "bs_noncurrent_liabilities": 1}
    ),
    money("bs_capital", "资本", BS, _balance(("301",), sign=-1)),
    money("bs_reserves", "公积公益金", BS, _balance(("311",), sign=-1)),
    money("bs_undistributed", "未分配收益", BS, _balance(("321", "322", "5"), sign=-1)),
    formula("bs_total_equity", "所有者权益合计", {"bs_capital": 1, "bs_reserves": 1, "bs_undistributed": 1}),
    formula(
        "bs_total_liabilities_equity",
        "负债和所有者权益总计",
        {"bs_total_liabilities": 1, "bs_total_equity": 1},
    ),
    ratio("bs_debt_ratio", "资产负债率", "bs_total_liabilities", "bs_total_assets"),
    # year start (年初数): assets are every debit-side account plus 113 debit leaves; liabilities the
    # 2xx accounts plus 113 credit leaves; equity 3xx and the open P&L accounts.
    money(
        "bs_start_assets_base",
        "年初资产（不含内部往来）",
        BS_START,
        _balance(("10", "11", "12", "13", "14", "15", "16", "17", "18", "401"), field="opening", start=True),
    ),
    money(
        "bs_start_assets_113",
        "年初内部往来借方余额",
        BS_START,
        _balance(("113",), field="opening", side="debit", start=True),
    ),
    money("bs_start_113_all", "年初内部往来余额", BS_START, _balance(("113",), field="opening", start=True)),
    formula(
        "bs_start_total_assets",
        "年初资产总计",
        {"bs_start_assets_base": 1, "bs_start_113_all": -1, "bs_start_assets_113": 1},
    ),
    money(
        "bs_start_liabilities_base",
        "年初负债（不含内部往来）",
        BS_START,
        _balance(("2",), sign=-1, field="opening", start=True),
    ),
    money(
        "bs_start_liab_113",
        "年初内部往来贷方余额",
        BS_START,
        _balance(("113",), sign=-1, field="opening", side="credit", start=True),
    ),
    formula(
        "bs_start_total_liabilities", "年初负债合计", {"bs_start_liabilities_base": 1, "bs_start_liab_113": 1}
    ),
    money(
        "bs_start_total_equity",
        "年初所有者权益合计",
        BS_START,
        _balance(("3", "5"), sign=-1, field="opening", start=True),
    ),
    formula(
        "bs_start_balance_right",
        "年初负债和所有者权益总计",
        {"bs_start_total_liabilities": 1, "bs_start_total_equity": 1},
    ),
]

# ---- income statement (收益及收益分配表, income part) ------------------------------------------------
INCOME_CODES = ("501", "502", "503", "504")


def _pnl(code: str):
    """Net amount of one P&L account in the period: income credit-positive, expenses debit-positive."""

    def aggregate(period: Period):
        value = (
            CombinedExpression(F("credit"), "-", F("debit"), output_field=AMOUNT)
            if code in INCOME_CODES
            else CombinedExpression(F("debit"), "-", F("credit"), output_field=AMOUNT)
        )
        return Sum(
            Case(When(prefix_q("account__code", code), then=value), default=Value(0), output_field=AMOUNT),
            output_field=AMOUNT,
        )

    return aggregate


def _income_specs(source: str, prefix: str, label_prefix: str = "") -> list[IndicatorSpec]:
    p = prefix
    return [
        money(f"{p}operating_income", f"{label_prefix}经营收入", source, _pnl("501")),
        money(f"{p}operating_expenditure", f"{label_prefix}经营支出", source, _pnl("511")),
        money(f"{p}taxes", f"{label_prefix}税金及附加", source, _pnl("512")),
        money(f"{p}admin_expenses", f"{label_prefix}管理费用", source, _pnl("513")),
        money(f"{p}investment_income", f"{label_prefix}投资收益", source, _pnl("502")),
        formula(
            f"{p}operating_result",
            f"{label_prefix}经营收益",
            {
                f"{p}operating_income": 1,
                f"{p}operating_expenditure": -1,
                f"{p}taxes": -1,
                f"{p}admin_expenses": -1,
                f"{p}investment_income": 1,
            },
        ),
        money(f"{p}subsidy_income", f"{label_prefix}补助收入", source, _pnl("503")),
        money(f"{p}other_income", f"{label_prefix}其他收入", source, _pnl("504")),
        money(f"{p}public_welfare", f"{label_prefix}公益支出", source, _pnl("514")),
        money(f"{p}other_expenditure", f"{label_prefix}其他支出", source, _pnl("515")),
        formula(
            f"{p}total_result",
            f"{label_prefix}收益总额",
            {
                f"{p}operating_result": 1,
                f"{p}subsidy_income": 1,
                f"{p}other_income": 1,
                f"{p}public_welfare": -1,
                f"{p}other_expenditure": -1,
            },
        ),
        money(f"{p}income_tax", f"{label_prefix}所得税费用", source, _pnl("521")),
        formula(f"{p}net_result", f"{label_prefix}净收益", {f"{p}total_result": 1, f"{p}income_tax": -1}),
    ]


INCOME: list[IndicatorSpec] = [
    *_income_specs("pnl", "is_"),
    *_income_specs("pnl_prev", "isp_", "上年同期"),
    change("is_net_change", "净收益增减", "is_net_result", "isp_net_result"),
    change("is_operating_income_change", "经营收入增减", "is_operating_income", "isp_operating_income"),
    formula(
        "is_total_revenue",
        "总收入",
        {"is_operating_income": 1, "is_investment_income": 1, "is_subsidy_income": 1, "is_other_income": 1},
    ),
    formula(
        "is_total_expenditure",
        "总支出",
        {
            "is_operating_expenditure": 1,
            "is_taxes": 1,
            "is_admin_expenses": 1,
            "is_public_welfare": 1,
            "is_other_expenditure": 1,
            "is_income_tax": 1,
        },
    ),
]

# ---- R1a attached indicators (附报指标): units by bracket of their own 经营收入 ------------------------
WAN = Decimal(10000)
ATTACHED: list[IndicatorSpec] = [
    org_count("is_units", "汇总单位数", lambda values: True),
    org_count(
        "is_units_no_income",
        "无经营收入单位",
        lambda values: Decimal(values.get("is_operating_income") or 0) <= 0,
        ("is_operating_income",),
    ),
    org_bracket("is_units_lt5", "经营收入5万元以下", "is_operating_income", None, 5 * WAN),
    org_bracket("is_units_5_10", "5万至10万元", "is_operating_income", 5 * WAN, 10 * WAN),
    org_bracket("is_units_10_50", "10万至50万元", "is_operating_income", 10 * WAN, 50 * WAN),
    org_bracket("is_units_50_100", "50万至100万元", "is_operating_income", 50 * WAN, 100 * WAN),
    org_bracket("is_units_ge100", "100万元以上", "is_operating_income", 100 * WAN, None),
]

INDICATORS: list[IndicatorSpec] = [*BALANCE_SHEET, *INCOME, *ATTACHED]
