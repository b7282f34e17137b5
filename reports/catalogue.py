"""Report definitions R1–R13 (DOMAIN.md §5.1) and the five statistics S1–S5, built from the indicator
catalogue (``reports.indicators``).

A report's rows are always the child regions of the chosen region (plus orgs registered at the region
itself) and a total row; its columns are the indicators listed here. ``detail_model`` is the admin
changelist a bottom-level cell drills to and ``detail_filter`` the querystring that narrows it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from .indicators import CATALOGUE, SOURCES, IndicatorSpec
from .table import Indicator, Period

ALL_KINDS = ("month", "quarter", "year")


def _between(field_name: str) -> Callable[[str, Period], dict[str, str]]:
    def detail_filter(region_prefix: str, period: Period) -> dict[str, str]:
        return {
            "region_code__startswith": region_prefix,
            f"{field_name}__gte": period.start.isoformat(),
            f"{field_name}__lte": period.end.isoformat(),
        }

    return detail_filter


def _region_only(region_prefix: str, period: Period) -> dict[str, str]:
    return {"region_code__startswith": region_prefix}


def _year_to_date(field_name: str) -> Callable[[str, Period], dict[str, str]]:
    def detail_filter(region_prefix: str, period: Period) -> dict[str, str]:
        return {
            "region_code__startswith": region_prefix,
            f"{field_name}__gte": f"{period.year}-01-01",
            f"{field_name}__lte": period.end.isoformat(),
        }

    return detail_filter


def _accounting_period(region_prefix: str, period: Period) -> dict[str, str]:
    return {"region_code__startswith": region_prefix, "period": f"{period.year}{period.end.month:02d}"}


def _contracts_in_force(region_prefix: str, period: Period) -> dict[str, str]:
    return {
        "region_code__startswith": region_prefix,
        "term_start__lte": period.end.isoformat(),
        "term_end__gte": period.start.isoformat(),
    }


@dataclass(frozen=True)
class ReportDefinition:
    """One report: its columns (indicator codes from the catalogue) and how its cells drill down."""

    code: str
    label: str
    period_kinds: tuple[str, ...]
    columns: tuple[str, ...]
    detail_model: str
    detail_filter: Callable[[str, Period], dict[str, str]] = _region_only
    default_kind: str = "year"
    #: extra checks beyond "child rows sum to the total" and statement line formulas
    equations: tuple[tuple[str, str, str], ...] = ()  # (label, left indicator, right indicator)
    description: str = ""
    statistic: bool = False
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def indicators(self) -> list[Indicator]:
        """The column indicators in order."""
        return [CATALOGUE[code].indicator for code in self.columns]

    @property
    def specs(self) -> list[IndicatorSpec]:
        return [CATALOGUE[code] for code in self.columns]

    def needed_codes(self) -> list[str]:
        """Columns plus every part a derived column reads, parts first (evaluation order)."""
        order: list[str] = []

        def visit(code: str) -> None:
            if code in order:
                return
            for part in CATALOGUE[code].parts:
                visit(part)
            order.append(code)

        for code in self.columns:
            visit(code)
        for _label, left, right in self.equations:
            visit(left)
            visit(right)
        return order

    def sources(self) -> list[str]:
        keys: list[str] = []
        for code in self.needed_codes():
            source = CATALOGUE[code].source
            if source and source not in keys:
                keys.append(source)
        return keys

    @property
    def source_labels(self) -> list[str]:
        return [f"{SOURCES[key].label}：{SOURCES[key].period_semantics}" for key in self.sources()]


BS_MAIN = (
    "bs_start_total_assets",
    "bs_cash",
    "bs_short_investments",
    "bs_receivables",
    "bs_inventories",
    "bs_consumable_bio",
    "bs_current_assets",
    "bs_long_investments",
    "bs_productive_bio_net",
    "bs_public_bio",
    "bs_fixed_net",
    "bs_fixed_disposal",
    "bs_construction",
    "bs_intangible",
    "bs_deferred",
    "bs_pending_losses",
    "bs_noncurrent_assets",
    "bs_total_assets",
    "bs_start_total_liabilities",
    "bs_short_borrowings",
    "bs_payables",
    "bs_wages_payable",
    "bs_labour_payable",
    "bs_taxes_payable",
    "bs_current_liabilities",
    "bs_long_borrowings",
    "bs_ysyy_funds",
    "bs_special_payables",
    "bs_noncurrent_liabilities",
    "bs_total_liabilities",
    "bs_start_total_equity",
    "bs_capital",
    "bs_reserves",
    "bs_undistributed",
    "bs_total_equity",
    "bs_total_liabilities_equity",
    "bs_debt_ratio",
)
BS_EQUATIONS = (
    ("资产总计 = 负债和所有者权益总计", "bs_total_assets", "bs_total_liabilities_equity"),
    ("年初资产总计 = 年初负债合计 + 年初所有者权益合计", "bs_start_total_assets", "bs_start_balance_right"),
)
#: 收益分配部分 of R1, year to date (reports.indicators.distribution)
DISTRIBUTION = (
    "ds_net_result",
    "ds_opening_undistributed",
    "ds_other_in",
    "ds_distributable",
    "ds_reserves",
    "ds_members",
    "ds_other_out",
    "ds_closing_undistributed",
)
IS_MAIN = (
    "is_operating_income",
    "is_operating_expenditure",
    "is_taxes",
    "is_admin_expenses",
    "is_investment_income",
    "is_operating_result",
    "is_subsidy_income",
    "is_other_income",
    "is_public_welfare",
    "is_other_expenditure",
    "is_total_result",
    "is_income_tax",
    "is_net_result",
    "isp_net_result",
    "is_net_change",
    *DISTRIBUTION,
    "is_units",
    "is_units_no_income",
    "is_units_lt5",
    "is_units_5_10",
    "is_units_10_50",
    "is_units_50_100",
    "is_units_ge100",
)
CONTRACTS = (
    "ct_count",
    "ct_amount",
    "ct_receivable",
    "ct_received",
    "ct_fulfilment_rate",
    "ct_overdue_count",
    "ct_overdue_amount",
    "ct_expiring",
    "ct_via_platform",
)
RESOURCES = (
    "rs_count",
    "rs_area",
    "rs_cultivated",
    "rs_forest",
    "rs_household",
    "rs_other_contract",
    "rs_self",
    "rs_shareholding",
    "rs_idle",
    "rs_income",
    "rs_income_per_mu",
)
ORGS = (
    "og_count",
    "og_registered",
    "og_n3",
    "og_n2",
    "og_n1",
    "og_acting",
    "og_members",
    "og_households",
    "og_shares",
    "og_dividends",
)

_DEFINITIONS = [
    ReportDefinition(
        "R1",
        "收益分配统计表",
        ALL_KINDS,
        IS_MAIN,
        "accounting.VoucherLine",
        lambda prefix, p: {
            "region_code__startswith": prefix,
            "voucher__period__gte": f"{p.year}{p.start.month:02d}",
            "voucher__period__lte": f"{p.year}{p.end.month:02d}",
        },
        default_kind="year",
        description="收益及收益分配表各行次：收益部分本期与上年同期对比，收益分配部分为本年累计",
        notes=("收益分配部分为当年1月至报告期末的累计数，与各单位收益及收益分配表的收益分配部分一致。",),
    ),
    ReportDefinition(
        "R2",
        "资产负债统计表",
        ALL_KINDS,
        BS_MAIN,
        "accounting.PeriodBalance",
        _accounting_period,
        default_kind="month",
        equations=BS_EQUATIONS,
        description="资产负债表各项目年初数与期末数",
    ),
    ReportDefinition(
        "R3",
        "合同兑现统计表",
        ALL_KINDS,
        CONTRACTS,
        "contracts.Contract",
        _contracts_in_force,
        default_kind="quarter",
        description="合同份数、金额、本年应收与实收、兑现率、欠收与即将到期",
    ),
    ReportDefinition(
        "R4",
        "资源性资产统计表",
        ALL_KINDS,
        RESOURCES,
        "assets.Resource",
        _region_only,
        description="资源面积按类别与利用方式，年收益与亩均收益",
    ),
    ReportDefinition(
        "R5",
        "债权债务统计表",
        ALL_KINDS,
        tuple(c for c in CATALOGUE if c.startswith("db_")),
        "debts.DebtItem",
        _region_only,
        description="债权按账龄（1年以内、1至3年、3年以上），债务及其中借款，本期增减",
    ),
    ReportDefinition(
        "R6",
        "资金监测表",
        ALL_KINDS,
        tuple(c for c in CATALOGUE if c.startswith("fd_")),
        "funds.BankTransaction",
        _between("txn_date"),
        default_kind="month",
        description="银行账户、银农直连率、本期流水与大额流水",
    ),
    ReportDefinition(
        "R7",
        "集体用工统计表",
        ALL_KINDS,
        tuple(c for c in CATALOGUE if c.startswith("lb_")),
        "labour.Timesheet",
        _between("work_date"),
        description="用工人数、工日、应发与实发报酬、现金发放占比",
    ),
    ReportDefinition(
        "R8",
        "一事一议统计表",
        ALL_KINDS,
        tuple(c for c in CATALOGUE if c.startswith("lv_")),
        "levies.LevyProject",
        _between("proposed_on"),
        description="项目数、筹资筹劳、财政奖补、受益人口",
    ),
    ReportDefinition(
        "R9",
        "财务公开情况表",
        ALL_KINDS,
        tuple(c for c in CATALOGUE if c.startswith("dc_")),
        "disclosure.DisclosurePlan",
        _between("due_date"),
        default_kind="quarter",
        description="应公开、按时公开、逾期公开、未公开与按时公开率",
    ),
    ReportDefinition(
        "R10",
        "惠农资金发放表",
        ALL_KINDS,
        tuple(c for c in CATALOGUE if c.startswith("sb_")),
        "subsidies.SubsidyRoster",
        _region_only,
        description="补贴对象、应发、已发、失败与发放率",
    ),
    ReportDefinition(
        "R11",
        "组织及成员统计表",
        ALL_KINDS,
        ORGS,
        "regions.CollectiveOrg",
        _region_only,
        description="集体经济组织按级别、登记赋码、成员、户数、股数与分红",
    ),
    ReportDefinition(
        "R12",
        "重点工作进度表",
        ALL_KINDS,
        tuple(c for c in CATALOGUE if c.startswith("kw_")),
        "keywork.TaskAssignment",
        _year_to_date("deadline"),
        description="任务数、已完成、完成率、逾期未完成",
    ),
    ReportDefinition(
        "R13",
        "预警处置统计表",
        ALL_KINDS,
        tuple(c for c in CATALOGUE if c.startswith("al_")),
        "rules.Alert",
        _region_only,
        default_kind="month",
        description="本期生成、红色预警、本期关闭、期末未关闭、超期与关闭率",
    ),
    # the five real-time statistics (S1–S5) shown on the dashboard and as live tables
    ReportDefinition(
        "S1",
        "合同兑现",
        ALL_KINDS,
        ("ct_count", "ct_amount", "ct_receivable", "ct_received", "ct_fulfilment_rate", "ct_overdue_amount"),
        "contracts.Contract",
        _contracts_in_force,
        statistic=True,
    ),
    ReportDefinition(
        "S2",
        "资产负债",
        ALL_KINDS,
        (
            "bs_total_assets",
            "bs_total_liabilities",
            "bs_total_equity",
            "bs_total_liabilities_equity",
            "bs_debt_ratio",
        ),
        "accounting.PeriodBalance",
        _accounting_period,
        default_kind="month",
        equations=BS_EQUATIONS[:1],
        statistic=True,
    ),
    ReportDefinition(
        "S3",
        "收支及收益",
        ALL_KINDS,
        ("is_total_revenue", "is_total_expenditure", "is_operating_result", "is_net_result"),
        "accounting.VoucherLine",
        _region_only,
        statistic=True,
    ),
    ReportDefinition(
        "S4",
        "资源性资产",
        ALL_KINDS,
        ("rs_count", "rs_area", "rs_idle", "rs_income", "rs_income_per_mu"),
        "assets.Resource",
        _region_only,
        statistic=True,
    ),
    ReportDefinition(
        "S5",
        "组织及成员",
        ALL_KINDS,
        ("og_count", "og_registered", "og_members", "og_households", "og_dividends"),
        "regions.CollectiveOrg",
        _region_only,
        statistic=True,
    ),
]

REPORTS: dict[str, ReportDefinition] = {d.code: d for d in _DEFINITIONS}
#: the monitoring tables and the statistics, in menu order
MONITORING_CODES = tuple(c for c in REPORTS if c.startswith("R"))
STATISTIC_CODES = tuple(c for c in REPORTS if c.startswith("S"))
