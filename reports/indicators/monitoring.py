"""Indicators of the other monitoring modules: credits and debts (R5), funds (R6), collective labour
(R7), 一事一议 (R8), financial disclosure (R9), farmer subsidies (R10), key work (R12), alerts (R13).

Each is one or two grouped queries; rates are recomputed from the summed parts of every row.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.db.models import Count, DecimalField, Exists, OuterRef, Q, Sum
from django.utils import timezone

from backoffice.core.choices import ReviewStatus
from backoffice.debts.choices import RAISING_MOVEMENTS, DebtCause, DebtDirection
from backoffice.disclosure.selectors import DEFAULT_GRACE_DAYS
from backoffice.keywork.choices import ProgressStatus
from backoffice.labour.choices import PayMethod
from backoffice.subsidies.choices import PaymentStatus

from ..table import Period
from .base import IndicatorSpec, Source, count, days, money, ratio

AMOUNT = DecimalField(max_digits=20, decimal_places=2)
#: a bank flow at or above this amount counts as a large flow (大额资金流动, alert A3 default)
LARGE_FLOW = 50000


def _aware(day: date, end: bool = True) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.max if end else time.min))


def _months(period: Period) -> list[str]:
    return [f"{period.year}{m:02d}" for m in range(period.start.month, period.end.month + 1)]


def _ageing(period: Period, low: int, high: int | None) -> Q:
    """Origin date between ``high`` and ``low`` years before the period end."""
    q = Q(origin_date__lte=period.end - timedelta(days=365 * low))
    if high is not None:
        q &= Q(origin_date__gt=period.end - timedelta(days=365 * high))
    return q


def _disclosure_status(qs, period: Period):
    from backoffice.disclosure.models import Disclosure

    published = Disclosure.objects.filter(
        org=OuterRef("org"),
        period_type=OuterRef("period_type"),
        period=OuterRef("period"),
        published_on__isnull=False,
        review_status=ReviewStatus.APPROVED,
    )
    grace = timedelta(days=DEFAULT_GRACE_DAYS)
    on_time = published.filter(published_on__lte=OuterRef("due_date") + grace)
    return qs.annotate(is_published=Exists(published), is_on_time=Exists(on_time))


def _task_status(qs, period: Period):
    from backoffice.keywork.models import TaskProgress

    reached = TaskProgress.objects.filter(
        assignment=OuterRef("pk"),
        status=ProgressStatus.ACCEPTED,
        value__gte=OuterRef("target_value"),
        report_date__lte=period.end,
    )
    return qs.annotate(is_done=Exists(reached))


SOURCES = [
    Source(
        key="debts",
        model="debts.DebtItem",
        label="债权债务",
        where=lambda p: Q(origin_date__lte=p.end),
        period_semantics="报告期末前发生的已审核债权债务；余额为当前余额，账龄按发生日期至报告期末计算",
    ),
    Source(
        key="debt_moves",
        model="debts.DebtMovement",
        label="债权债务增减变动",
        where=lambda p: Q(movement_date__gte=p.start, movement_date__lte=p.end),
        period_semantics="报告期内的增减变动",
    ),
    Source(
        key="bank_accounts",
        model="funds.BankAccount",
        label="银行账户",
        where=lambda p: Q(opened_on__lte=p.end) & (Q(closed_on__isnull=True) | Q(closed_on__gt=p.end)),
        period_semantics="报告期末在用的银行账户",
    ),
    Source(
        key="bank_txns",
        model="funds.BankTransaction",
        label="银行流水",
        where=lambda p: Q(txn_date__gte=p.start, txn_date__lte=p.end),
        period_semantics="报告期内的银行流水",
    ),
    Source(
        key="timesheets",
        model="labour.Timesheet",
        label="出工记录",
        where=lambda p: Q(work_date__gte=p.start, work_date__lte=p.end),
        period_semantics="报告期内的出工记录",
    ),
    Source(
        key="labour_pay",
        model="labour.LabourPayment",
        label="劳务报酬发放",
        where=lambda p: Q(period__in=_months(p)),
        period_semantics="所属期间在报告期内的报酬发放",
    ),
    Source(
        key="levy_projects",
        model="levies.LevyProject",
        label="一事一议项目",
        where=lambda p: Q(proposed_on__gte=p.start, proposed_on__lte=p.end),
        period_semantics="报告期内提议的项目",
    ),
    Source(
        key="levy_contributions",
        model="levies.LevyContribution",
        label="一事一议筹资筹劳",
        where=lambda p: Q(project__proposed_on__gte=p.start, project__proposed_on__lte=p.end),
        period_semantics="报告期内提议项目的筹资筹劳",
    ),
    Source(
        key="disclosure_plans",
        model="disclosure.DisclosurePlan",
        label="财务公开计划",
        where=lambda p: Q(due_date__gte=p.start, due_date__lte=p.end),
        prepare=_disclosure_status,
        period_semantics=f"应公开日期在报告期内的公开计划；期末后{DEFAULT_GRACE_DAYS}天内公开为按时",
    ),
    Source(
        key="subsidy_roster",
        model="subsidies.SubsidyRoster",
        label="惠农补贴发放名册",
        where=lambda p: Q(program__year=p.year),
        period_semantics="报告期所在年度补贴项目的发放名册",
    ),
    Source(
        key="tasks",
        model="keywork.TaskAssignment",
        label="重点工作任务",
        where=lambda p: Q(deadline__gte=date(p.year, 1, 1), deadline__lte=p.end),
        prepare=_task_status,
        period_semantics="当年1月1日至报告期末到期的任务；完成 = 期末前有达到目标值的已认定进度",
    ),
    Source(
        key="alerts",
        model="rules.Alert",
        label="预警",
        where=lambda p: Q(opened_at__lte=_aware(p.end)),
        approved_only=False,
        period_semantics="报告期末前生成的预警（预警无审核流程）",
    ),
]


def _sum(field: str, **filters):
    return lambda p: Sum(field, filter=Q(**filters) if filters else None)


REC, PAY = DebtDirection.RECEIVABLE, DebtDirection.PAYABLE

DEBTS: list[IndicatorSpec] = [
    money("db_receivable", "债权余额", "debts", _sum("outstanding", direction=REC)),
    money(
        "db_receivable_1y",
        "其中：1年以内",
        "debts",
        lambda p: Sum("outstanding", filter=Q(direction=REC) & _ageing(p, 0, 1)),
    ),
    money(
        "db_receivable_1_3y",
        "1至3年",
        "debts",
        lambda p: Sum("outstanding", filter=Q(direction=REC) & _ageing(p, 1, 3)),
    ),
    money(
        "db_receivable_3y",
        "3年以上",
        "debts",
        lambda p: Sum("outstanding", filter=Q(direction=REC) & _ageing(p, 3, None)),
    ),
    money("db_payable", "债务余额", "debts", _sum("outstanding", direction=PAY)),
    money("db_borrowing", "其中：借款", "debts", _sum("outstanding", direction=PAY, is_borrowing=True)),
    money(
        "db_payable_works",
        "其中：工程欠款",
        "debts",
        _sum("outstanding", direction=PAY, cause=DebtCause.WORKS_ARREARS),
    ),
    money("db_new", "本期新增", "debt_moves", _sum("amount", movement_type__in=RAISING_MOVEMENTS)),
    money(
        "db_reduced",
        "本期减少",
        "debt_moves",
        lambda p: Sum("amount", filter=~Q(movement_type__in=RAISING_MOVEMENTS)),
    ),
]

FUNDS: list[IndicatorSpec] = [
    count("fd_accounts", "银行账户数", "bank_accounts", lambda p: Count("pk")),
    count("fd_direct", "银农直连账户", "bank_accounts", lambda p: Count("pk", filter=Q(is_direct_link=True))),
    ratio("fd_direct_rate", "直连率", "fd_direct", "fd_accounts"),
    count("fd_txns", "流水笔数", "bank_txns", lambda p: Count("pk"), unit="笔"),
    money("fd_inflow", "收入金额", "bank_txns", _sum("amount", direction="credit")),
    money("fd_outflow", "支出金额", "bank_txns", _sum("amount", direction="debit")),
    count(
        "fd_large_count",
        "大额流水笔数",
        "bank_txns",
        lambda p: Count("pk", filter=Q(amount__gte=LARGE_FLOW)),
        unit="笔",
    ),
    money("fd_large_amount", "大额流水金额", "bank_txns", _sum("amount", amount__gte=LARGE_FLOW)),
]

LABOUR: list[IndicatorSpec] = [
    count("lb_workers", "用工人数", "timesheets", lambda p: Count("worker", distinct=True), unit="人"),
    days("lb_days", "用工工日", "timesheets", lambda p: Sum("labour_days")),
    money("lb_payable", "应发报酬", "labour_pay", lambda p: Sum("payable")),
    money("lb_paid", "实发报酬", "labour_pay", lambda p: Sum("paid")),
    money("lb_cash_paid", "其中：现金发放", "labour_pay", _sum("paid", pay_method=PayMethod.CASH)),
    ratio("lb_cash_share", "现金发放占比", "lb_cash_paid", "lb_paid"),
]

LEVIES: list[IndicatorSpec] = [
    count("lv_projects", "项目数", "levy_projects", lambda p: Count("pk")),
    money("lv_budget", "预算总额", "levy_projects", lambda p: Sum("budget")),
    money("lv_money_raised", "实筹资金", "levy_contributions", lambda p: Sum("money_paid")),
    days("lv_labour_days", "实筹劳务工日", "levy_contributions", lambda p: Sum("labour_days_done")),
    money("lv_fiscal_reward", "财政奖补", "levy_projects", lambda p: Sum("fiscal_reward")),
    money("lv_other_funding", "其他资金", "levy_projects", lambda p: Sum("other_funding")),
    count("lv_beneficiaries", "受益人口", "levy_projects", lambda p: Sum("beneficiaries"), unit="人"),
]

DISCLOSURE: list[IndicatorSpec] = [
    count("dc_required", "应公开", "disclosure_plans", lambda p: Count("pk"), unit="次"),
    count(
        "dc_on_time",
        "按时公开",
        "disclosure_plans",
        lambda p: Count("pk", filter=Q(is_on_time=True)),
        unit="次",
    ),
    count(
        "dc_late",
        "逾期公开",
        "disclosure_plans",
        lambda p: Count("pk", filter=Q(is_published=True, is_on_time=False)),
        unit="次",
    ),
    count(
        "dc_missing",
        "未公开",
        "disclosure_plans",
        lambda p: Count("pk", filter=Q(is_published=False)),
        unit="次",
    ),
    ratio("dc_on_time_rate", "按时公开率", "dc_on_time", "dc_required"),
]

SUBSIDIES: list[IndicatorSpec] = [
    count("sb_beneficiaries", "补贴对象", "subsidy_roster", lambda p: Count("pk"), unit="人"),
    money("sb_due", "应发金额", "subsidy_roster", lambda p: Sum("amount")),
    money("sb_paid", "已发金额", "subsidy_roster", _sum("amount", status=PaymentStatus.PAID)),
    count(
        "sb_failed",
        "发放失败/退回",
        "subsidy_roster",
        lambda p: Count("pk", filter=Q(status__in=[PaymentStatus.FAILED, PaymentStatus.RETURNED])),
        unit="人",
    ),
    ratio("sb_paid_rate", "发放率", "sb_paid", "sb_due"),
]

KEYWORK: list[IndicatorSpec] = [
    count("kw_assigned", "任务数", "tasks", lambda p: Count("pk"), unit="项"),
    count("kw_done", "已完成", "tasks", lambda p: Count("pk", filter=Q(is_done=True)), unit="项"),
    ratio("kw_done_rate", "完成率", "kw_done", "kw_assigned"),
    count("kw_overdue", "逾期未完成", "tasks", lambda p: Count("pk", filter=Q(is_done=False)), unit="项"),
    count("kw_units", "涉及单位", "tasks", lambda p: Count("org", distinct=True)),
]

ALERTS: list[IndicatorSpec] = [
    count(
        "al_raised",
        "本期生成",
        "alerts",
        lambda p: Count("pk", filter=Q(opened_at__gte=_aware(p.start, end=False))),
        unit="条",
    ),
    count(
        "al_red",
        "其中：红色",
        "alerts",
        lambda p: Count("pk", filter=Q(opened_at__gte=_aware(p.start, end=False), severity="red")),
        unit="条",
    ),
    count(
        "al_closed",
        "本期关闭",
        "alerts",
        lambda p: Count(
            "pk", filter=Q(closed_at__gte=_aware(p.start, end=False), closed_at__lte=_aware(p.end))
        ),
        unit="条",
    ),
    count(
        "al_open",
        "期末未关闭",
        "alerts",
        lambda p: Count("pk", filter=Q(closed_at__isnull=True) | Q(closed_at__gt=_aware(p.end))),
        unit="条",
    ),
    count(
        "al_overdue",
        "超期未处置",
        "alerts",
        lambda p: Count(
            "pk", filter=(Q(closed_at__isnull=True) | Q(closed_at__gt=_aware(p.end))) & Q(sla_due__lt=p.end)
        ),
        unit="条",
    ),
    ratio("al_close_rate", "关闭率", "al_closed", "al_raised"),
]

INDICATORS: list[IndicatorSpec] = [
    *DEBTS,
    *FUNDS,
    *LABOUR,
    *LEVIES,
    *DISCLOSURE,
    *SUBSIDIES,
    *KEYWORK,
    *ALERTS,
]
