"""Statements of the 2023 chart (DOMAIN.md §3.2): the balance sheet (资产负债表) and the income and
income-distribution statement (收益及收益分配表).

Both are computed from the books of one account set: the balance sheet from the period's trial-balance
rows (``PeriodBalance``, so rebuild the balances first), the income statement from booked voucher lines.

[V] The official line items and row numbers (appendix of 财会〔2023〕14号) were not available; the lines
follow DOMAIN.md §3.2's reconstruction. Lines whose placement is least certain carry ``unverified=True``:
内部往来 split by side, 待处理财产损溢, the biological-asset lines, and 未分配收益 including the current
year's result. P&L accounts stay open until the year-end closing entries (结转本年收益), so the balance
sheet's 未分配收益 = 321 本年收益 + 322 收益分配 + the net balance of the open P&L accounts; without the
last term 资产总计 ≠ 负债合计 + 所有者权益合计 in every month before closing.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from .choices import ChartVersion, EntryKind
from .models import AccountSet, PeriodBalance, VoucherLine
from .services import BOOKED

ZERO = Decimal("0.00")
#: accounts whose debits out of 322 count as 提取公积公益金 / 向成员分配收益 (by the credited account)
RESERVE_ACCOUNTS = ("311",)
MEMBER_PAYOUT_ACCOUNTS = ("101", "102", "113", "211", "212")


@dataclass(frozen=True)
class StatementLine:
    """One line: a stable ``code``, the Chinese ``label`` as printed, the ``amount`` (元).

    ``kind``: item, detail (shown, already inside a net item), subtotal, total, memo (not summed).
    ``year_to_date`` is filled on the income statement (本年累计数).
    """

    code: str
    label: str
    amount: Decimal
    kind: str = "item"
    unverified: bool = False
    year_to_date: Decimal | None = None


@dataclass
class Statement(list):
    """The lines of a statement (a list of ``StatementLine``) plus its check."""

    title: str = ""
    period: str = ""
    check: bool = True
    problems: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        list.__init__(self)

    def line(self, code: str) -> StatementLine:
        for item in self:
            if item.code == code:
                return item
        raise KeyError(code)

    def amount(self, code: str) -> Decimal:
        return self.line(code).amount

    def __eq__(self, other) -> bool:  # a statement compares by identity, not as a list
        return self is other

    __hash__ = object.__hash__


def _require_2023(account_set: AccountSet) -> None:
    if account_set.chart_version != ChartVersion.V2023:
        raise ValueError("报表格式按新制度（2023）编制；旧制度账套请先按对照表转换")


def leaf_balances(*, account_set: AccountSet, period: str) -> dict[str, Decimal]:
    """Closing balances (debit-positive) by leaf account code at the end of ``period``."""
    out: dict[str, Decimal] = defaultdict(lambda: ZERO)
    rows = PeriodBalance.objects.filter(account__account_set=account_set, period=period)
    for code, closing in rows.values_list("account__code", "closing"):
        out[code] += closing
    return out


def balance_sheet(*, account_set: AccountSet, period: str) -> Statement:
    """资产负债表 at the end of ``period`` (期末数). Check: 资产总计 = 负债合计 + 所有者权益合计."""
    _require_2023(account_set)
    leaves = leaf_balances(account_set=account_set, period=period)
    first: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for code, value in leaves.items():
        first[code[:3]] += value

    def dr(*codes: str) -> Decimal:  # debit-side amount of asset accounts
        return sum((first[c] for c in codes), ZERO)

    def cr(*codes: str) -> Decimal:  # credit-side amount of liability, equity and contra accounts
        return -dr(*codes)

    internal_debit = sum((v for c, v in leaves.items() if c.startswith("113") and v > 0), ZERO)
    internal_credit = -sum((v for c, v in leaves.items() if c.startswith("113") and v < 0), ZERO)
    open_pnl = -sum((v for c, v in first.items() if c[0] == "5"), ZERO)

    lines = Statement(title="资产负债表", period=period)
    add = lines.append
    current = {
        "cash": ("货币资金", dr("101", "102"), False),
        "short_investments": ("短期投资", dr("111"), False),
        "receivables": ("应收款项", dr("112") + internal_debit, True),
        "inventories": ("存货", dr("121", "401"), False),
        "consumable_bio": ("消耗性生物资产", dr("131"), True),
    }
    for code, (label, amount, unverified) in current.items():
        add(StatementLine(code, label, amount, unverified=unverified))
    current_assets = sum((v[1] for v in current.values()), ZERO)
    add(StatementLine("current_assets_total", "流动资产合计", current_assets, kind="subtotal"))
    productive_net = dr("132") - cr("133")
    fixed_net = dr("151") - cr("152")
    intangible_net = dr("161") - cr("162")
    add(StatementLine("long_investments", "长期投资", dr("141")))
    add(StatementLine("productive_bio_cost", "生产性生物资产原值", dr("132"), kind="detail", unverified=True))
    add(
        StatementLine(
            "productive_bio_depreciation",
            "减：生产性生物资产累计折旧",
            cr("133"),
            kind="detail",
            unverified=True,
        )
    )
    add(StatementLine("productive_bio_net", "生产性生物资产净值", productive_net, unverified=True))
    add(StatementLine("public_bio", "公益性生物资产", dr("134"), unverified=True))
    add(StatementLine("fixed_cost", "固定资产原值", dr("151"), kind="detail"))
    add(StatementLine("fixed_depreciation", "减：累计折旧", cr("152"), kind="detail"))
    add(StatementLine("fixed_net", "固定资产净值", fixed_net))
    add(StatementLine("fixed_disposal", "固定资产清理", dr("154")))
    add(StatementLine("construction", "在建工程", dr("153")))
    add(StatementLine("intangible_net", "无形资产", intangible_net))
    add(StatementLine("deferred_expenses", "长期待摊费用", dr("171")))
    add(StatementLine("pending_losses", "待处理财产损溢", dr("181"), unverified=True))
    noncurrent_assets = (
        dr("141")
        + productive_net
        + dr("134")
        + fixed_net
        + dr("154")
        + dr("153")
        + intangible_net
        + dr("171")
        + dr("181")
    )
    add(StatementLine("noncurrent_assets_total", "非流动资产合计", noncurrent_assets, kind="subtotal"))
    total_assets = current_assets + noncurrent_assets
    add(StatementLine("total_assets", "资产总计", total_assets, kind="total"))

    current_liab = {
        "short_borrowings": ("短期借款", cr("201"), False),
        "payables": ("应付款项", cr("211") + internal_credit, True),
        "wages_payable": ("应付工资", cr("212"), False),
        "labour_fees_payable": ("应付劳务费", cr("213"), False),
        "taxes_payable": ("应交税费", cr("214"), False),
    }
    for code, (label, amount, unverified) in current_liab.items():
        add(StatementLine(code, label, amount, unverified=unverified))
    current_liabilities = sum((v[1] for v in current_liab.values()), ZERO)
    add(StatementLine("current_liabilities_total", "流动负债合计", current_liabilities, kind="subtotal"))
    add(StatementLine("long_borrowings", "长期借款及应付款", cr("221")))
    add(StatementLine("ysyy_funds", "一事一议资金", cr("231")))
    add(StatementLine("special_payables", "专项应付款", cr("241")))
    noncurrent_liabilities = cr("221", "231", "241")
    add(
        StatementLine(
            "noncurrent_liabilities_total", "非流动负债合计", noncurrent_liabilities, kind="subtotal"
        )
    )
    total_liabilities = current_liabilities + noncurrent_liabilities
    add(StatementLine("total_liabilities", "负债合计", total_liabilities, kind="total"))
    undistributed = cr("321", "322") + open_pnl
    add(StatementLine("capital", "资本", cr("301")))
    add(StatementLine("reserves", "公积公益金", cr("311")))
    add(StatementLine("undistributed", "未分配收益", undistributed, unverified=True))
    add(
        StatementLine(
            "current_year_result",
            "其中：本年收益（含未结转损益）",
            cr("321") + open_pnl,
            kind="memo",
            unverified=True,
        )
    )
    total_equity = cr("301", "311") + undistributed
    add(StatementLine("total_equity", "所有者权益合计", total_equity, kind="total"))
    add(
        StatementLine(
            "total_liabilities_equity", "负债和所有者权益总计", total_liabilities + total_equity, kind="total"
        )
    )

    known = {
        "101",
        "102",
        "111",
        "112",
        "113",
        "121",
        "131",
        "132",
        "133",
        "134",
        "141",
        "151",
        "152",
        "153",
        "154",
        "161",
        "162",
        "171",
        "181",
        "201",
        "211",
        "212",
        "213",
        "214",
        "221",
        "231",
        "241",
        "301",
        "311",
        "321",
        "322",
        "401",
    }
    unknown = sorted(c for c, v in first.items() if v and c not in known and c[0] != "5")
    if unknown:
        lines.problems.append(f"科目{'、'.join(unknown)}不在报表项目中，其余额未列报")
    if total_assets != total_liabilities + total_equity:
        lines.problems.append(
            f"资产总计 {total_assets:,.2f} 元 ≠ 负债合计 {total_liabilities:,.2f} 元 + 所有者权益合计 "
            f"{total_equity:,.2f} 元"
        )
    lines.check = not lines.problems
    return lines


def _pnl_amounts(*, account_set: AccountSet, periods: list[str]) -> dict[str, Decimal]:
    """Net P&L per first-level code over ``periods``, closing entries left out; income credit-positive,
    expenses debit-positive."""
    out: dict[str, Decimal] = defaultdict(lambda: ZERO)
    rows = (
        VoucherLine.objects.filter(
            voucher__account_set=account_set,
            voucher__period__in=periods,
            voucher__status__in=BOOKED,
            account__code__startswith="5",
        )
        .exclude(voucher__entry_kind=EntryKind.CLOSING)
        .values_list("account__code", "account__account_class", "debit", "credit")
    )
    for code, account_class, debit, credit in rows:
        out[code[:3]] += (credit - debit) if account_class == "pnl_income" else (debit - credit)
    return out


def _income_lines(p: dict[str, Decimal]) -> list[tuple[str, str, Decimal, str]]:
    operating = p["501"] - p["511"] - p["512"] - p["513"] + p["502"]
    total = operating + p["503"] + p["504"] - p["514"] - p["515"]
    net = total - p["521"]
    return [
        ("operating_income", "一、经营收入", p["501"], "item"),
        ("operating_expenditure", "减：经营支出", p["511"], "item"),
        ("taxes_and_surcharges", "减：税金及附加", p["512"], "item"),
        ("administrative_expenses", "减：管理费用", p["513"], "item"),
        ("investment_income", "加：投资收益（损失以“−”号填列）", p["502"], "item"),
        ("operating_result", "二、经营收益", operating, "subtotal"),
        ("subsidy_income", "加：补助收入", p["503"], "item"),
        ("other_income", "加：其他收入", p["504"], "item"),
        ("public_welfare_expenditure", "减：公益支出", p["514"], "item"),
        ("other_expenditure", "减：其他支出", p["515"], "item"),
        ("total_result", "三、收益总额", total, "subtotal"),
        ("income_tax", "减：所得税费用", p["521"], "item"),
        ("net_result", "四、净收益", net, "total"),
    ]


def _distribution(*, account_set: AccountSet, year_periods: list[str]) -> dict[str, Decimal]:
    """Year-to-date movements of 322 收益分配, classified by the other side of each voucher.

    Opening-entry vouchers count as the year-start balance; vouchers with a 321 line transfer the year's
    result (already in 本年收益); net debits of 322 are distributions (to 311 → 提取公积公益金, to payables or
    money → 向成员分配收益, else 其他分配); net credits from other accounts are 其他转入
    (e.g. 公积公益金弥补亏损).
    """
    result = defaultdict(lambda: ZERO)
    touched = (
        VoucherLine.objects.filter(
            voucher__account_set=account_set,
            voucher__period__in=year_periods,
            voucher__status__in=BOOKED,
            account__code__startswith="322",
        )
        .values_list("voucher_id", flat=True)
        .distinct()
    )
    vouchers: dict[int, list[tuple[str, str, Decimal, Decimal]]] = defaultdict(list)
    for voucher_id, kind, code, debit, credit in VoucherLine.objects.filter(
        voucher_id__in=list(touched)
    ).values_list("voucher_id", "voucher__entry_kind", "account__code", "debit", "credit"):
        vouchers[voucher_id].append((kind, code[:3], debit, credit))
    for lines in vouchers.values():
        net_322 = sum((c - d for _, code, d, c in lines if code == "322"), ZERO)
        kind = lines[0][0]
        if kind == EntryKind.OPENING:
            result["opening"] += net_322
        elif any(code == "321" for _, code, _, _ in lines):
            continue
        elif net_322 > 0:
            result["other_in"] += net_322
        elif net_322 < 0:
            credited = max(
                (line for line in lines if line[1] != "322"), key=lambda line: line[3], default=None
            )
            target = credited[1] if credited else ""
            key = (
                "reserves"
                if target in RESERVE_ACCOUNTS
                else "members"
                if target in MEMBER_PAYOUT_ACCOUNTS
                else "other_out"
            )
            result[key] += -net_322
    return result


def income_statement(*, account_set: AccountSet, period: str) -> Statement:
    """收益及收益分配表 for ``period``: ``amount`` is the period (本月数), ``year_to_date`` the year so far
    (本年累计数). The distribution part is year-to-date in both columns. Check: 六、年末未分配收益 equals
    the balance sheet's 未分配收益 at the end of the period."""
    _require_2023(account_set)
    year_periods = [f"{period[:4]}{m:02d}" for m in range(1, int(period[4:]) + 1)]
    current = _income_lines(_pnl_amounts(account_set=account_set, periods=[period]))
    ytd = _income_lines(_pnl_amounts(account_set=account_set, periods=year_periods))
    lines = Statement(title="收益及收益分配表", period=period)
    for (code, label, amount, kind), (_, _, cumulative, _) in zip(current, ytd, strict=True):
        lines.append(StatementLine(code, label, amount, kind=kind, year_to_date=cumulative))
    net_ytd = ytd[-1][2]
    prior_december = f"{int(period[:4]) - 1}12"
    prior_322 = -sum(
        PeriodBalance.objects.filter(
            account__account_set=account_set, period=prior_december, account__code__startswith="322"
        ).values_list("closing", flat=True),
        ZERO,
    )
    moves = _distribution(account_set=account_set, year_periods=year_periods)
    year_start = prior_322 + moves["opening"]
    distributable = net_ytd + year_start + moves["other_in"]
    year_end = distributable - moves["reserves"] - moves["members"] - moves["other_out"]
    for code, label, amount, kind in (
        ("dist_net_result", "本年收益", net_ytd, "item"),
        ("dist_opening_undistributed", "加：年初未分配收益", year_start, "item"),
        ("dist_other_in", "加：其他转入", moves["other_in"], "item"),
        ("distributable", "五、可分配收益", distributable, "subtotal"),
        ("dist_reserves", "减：提取公积公益金", moves["reserves"], "item"),
        ("dist_members", "减：向成员分配收益", moves["members"], "item"),
        ("dist_other_out", "减：其他分配", moves["other_out"], "item"),
        ("closing_undistributed", "六、年末未分配收益", year_end, "total"),
    ):
        lines.append(StatementLine(code, label, amount, kind=kind, unverified=True, year_to_date=amount))
    sheet_value = balance_sheet(account_set=account_set, period=period).amount("undistributed")
    if year_end != sheet_value:
        lines.problems.append(
            f"年末未分配收益 {year_end:,.2f} 元 ≠ 资产负债表未分配收益 {sheet_value:,.2f} 元"
            "（检查上年损益是否结转）"
        )
    lines.check = not lines.problems
    return lines
