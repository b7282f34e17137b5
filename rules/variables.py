"""The variables registry: per subject record type, the facts a rule may test (DESIGN.md §4).

Every variable has a type (number, integer, date, boolean, string), a unit, a Chinese label, a Python
``accessor(record, ctx)`` used by the per-record evaluator (business-rules) and an ORM ``expression(ctx)``
used by the set-based evaluator (an annotation over the subject's queryset). Both must give the same
value; ``tests/rules/test_parity.py`` checks it on generated data. ``ctx`` carries the as-of date and the
rule's effective params (a few variables depend on a param, declared in ``uses_params``).

The same registry feeds rule-file validation, the admin pick-lists and ``manage.py rules_docs``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.db import models
from django.db.models import (
    Case,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce

MONEY = models.DecimalField(max_digits=18, decimal_places=2)
ZERO = Decimal("0.00")


@dataclass
class EvalContext:
    """What a variable may depend on besides its record: the business date and the rule's params."""

    as_of: date
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Variable:
    subject: str
    name: str
    type: str
    label: str
    accessor: Callable[[Any, EvalContext], Any]
    expression: Callable[[EvalContext], Any]
    unit: str = ""
    description: str = ""
    choices: tuple[str, ...] = ()
    uses_params: tuple[str, ...] = ()


class Registry:
    def __init__(self) -> None:
        self._builders: dict[str, Callable[[], list[Variable]]] = {}
        self._built: dict[str, dict[str, Variable]] = {}

    def subject(self, label: str):
        """Decorator: register a function building the variables of one subject (run lazily)."""

        def wrap(builder):
            self._builders[label] = builder
            return builder

        return wrap

    def subjects(self) -> list[str]:
        return sorted(self._builders)

    def for_subject(self, label: str) -> dict[str, Variable] | None:
        if label not in self._builders:
            return None
        if label not in self._built:
            try:
                apps.get_model(label)
            except (LookupError, ValueError):
                return None
            self._built[label] = {v.name: v for v in self._builders[label]()}
        return self._built[label]

    def model(self, label: str) -> type[models.Model]:
        return apps.get_model(label)


registry = Registry()


# ---- helpers ------------------------------------------------------------------------------------------
def _field(subject: str, name: str, vtype: str, label: str, unit: str = "", **kw) -> Variable:
    model = apps.get_model(subject)
    choices = tuple(c for c, _ in (model._meta.get_field(name).choices or ())) if vtype == "string" else ()
    return Variable(
        subject=subject,
        name=name,
        type=vtype,
        label=label,
        unit=unit,
        accessor=lambda r, ctx, n=name: getattr(r, n),
        expression=lambda ctx, n=name: F(n),
        choices=choices,
        **kw,
    )


def _sum_subquery(qs, amount_field: str):
    """Coalesce(SUM(amount_field) over qs, 0) as a correlated subquery of type money."""
    sub = (
        qs.order_by()
        .annotate(_one=Value(1))
        .values("_one")
        .annotate(total=Sum(amount_field))
        .values("total")[:1]
    )
    return Coalesce(Subquery(sub, output_field=MONEY), Value(ZERO), output_field=MONEY)


def _review_vars(subject: str) -> list[Variable]:
    """The review workflow facts every record type has (for the review-overdue rules)."""
    from django.db.models.functions import TruncDate
    from django.utils import timezone

    return [
        _field(subject, "review_status", "string", "审核状态"),
        Variable(
            subject,
            "submitted_on",
            "date",
            "提交审核日期",
            accessor=lambda r, ctx: timezone.localtime(r.submitted_at).date() if r.submitted_at else None,
            expression=lambda ctx: TruncDate("submitted_at"),
            description="提交审核的日期（本地时间）；未提交时为空",
        ),
    ]


def _money(value) -> Decimal:
    return Decimal(value or 0).quantize(Decimal("0.01"))


# ---- 资金监测 -------------------------------------------------------------------------------------------
def _limit_qs(org_ref, date_ref):
    from backoffice.funds.models import CashLimit

    return (
        CashLimit.objects.filter(org=org_ref, valid_from__lte=date_ref)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=date_ref))
        .order_by("-valid_from")
    )


def _approved_limit(record, ctx):
    row = _limit_qs(record.org_id, record.balance_date).values_list("limit_amount", flat=True).first()
    return row


def _approved_limit_expr(ctx, org="org", day="balance_date"):
    return Subquery(_limit_qs(OuterRef(org), OuterRef(day)).values("limit_amount")[:1], output_field=MONEY)


def _cash_limit(record, ctx):
    found = _approved_limit(record, ctx)
    return found if found is not None else ctx.params.get("default_limit")


def _cash_limit_expr(ctx):
    return Coalesce(_approved_limit_expr(ctx), Value(ctx.params["default_limit"]), output_field=MONEY)


def _over_limit_days(record, ctx):
    from backoffice.funds.models import DailyBalance

    days = int(ctx.params["run_days"])
    rows = DailyBalance.objects.filter(
        org_id=record.org_id,
        balance_date__gte=ctx.as_of - timedelta(days=days - 1),
        balance_date__lte=ctx.as_of,
    )
    count = 0
    for row in rows:
        limit = _cash_limit(row, ctx)
        if row.cash_balance is not None and limit is not None and row.cash_balance > limit:
            count += 1
    return count


def _over_limit_days_expr(ctx):
    from backoffice.funds.models import DailyBalance

    days = int(ctx.params["run_days"])
    inner = (
        DailyBalance.objects.filter(
            org=OuterRef("org"),
            balance_date__gte=ctx.as_of - timedelta(days=days - 1),
            balance_date__lte=ctx.as_of,
        )
        .annotate(_limit=_cash_limit_expr(ctx))
        .filter(cash_balance__gt=F("_limit"))
        .order_by()
        .values("org")
        .annotate(n=Count("pk"))
        .values("n")[:1]
    )
    return Coalesce(Subquery(inner, output_field=models.IntegerField()), Value(0))


@registry.subject("funds.DailyBalance")
def _daily_balance() -> list[Variable]:
    s = "funds.DailyBalance"
    return [
        _field(s, "balance_date", "date", "日期"),
        _field(s, "cash_balance", "number", "库存现金余额", "元"),
        _field(s, "bank_balance_ledger", "number", "银行存款账面余额", "元"),
        _field(s, "bank_balance_statement", "number", "银行对账单余额", "元"),
        Variable(
            s,
            "bank_difference",
            "number",
            "银行存款账面与对账单差额",
            accessor=lambda r, ctx: (
                None
                if r.bank_balance_ledger is None or r.bank_balance_statement is None
                else r.bank_balance_ledger - r.bank_balance_statement
            ),
            expression=lambda ctx: ExpressionWrapper(
                F("bank_balance_ledger") - F("bank_balance_statement"), output_field=MONEY
            ),
            unit="元",
            description="账面余额 − 对账单余额",
        ),
        Variable(
            s,
            "is_month_end",
            "boolean",
            "是否月末",
            accessor=lambda r, ctx: (r.balance_date + timedelta(days=1)).day == 1,
            expression=lambda ctx: Case(
                When(Q(balance_date__in=_month_ends_near(ctx.as_of)), then=Value(True)),
                default=Value(False),
                output_field=models.BooleanField(),
            ),
            description="日期是否为当月最后一天（只看评估日前后两年的月末）",
        ),
        Variable(
            s,
            "approved_cash_limit",
            "number",
            "核定的库存现金限额",
            accessor=_approved_limit,
            expression=_approved_limit_expr,
            unit="元",
            description="当日有效的库存现金限额；没有核定限额时为空（无法评估）",
        ),
        Variable(
            s,
            "has_approved_cash_limit",
            "boolean",
            "已核定库存现金限额",
            accessor=lambda r, ctx: _approved_limit(r, ctx) is not None,
            expression=lambda ctx: Exists(_limit_qs(OuterRef("org"), OuterRef("balance_date"))),
        ),
        Variable(
            s,
            "cash_limit",
            "number",
            "适用的库存现金限额",
            accessor=_cash_limit,
            expression=_cash_limit_expr,
            unit="元",
            description="当日有效的核定限额；没有核定时取参数 default_limit",
            uses_params=("default_limit",),
        ),
        Variable(
            s,
            "cash_excess",
            "number",
            "库存现金超出限额的金额",
            accessor=lambda r, ctx: None if r.cash_balance is None else r.cash_balance - _cash_limit(r, ctx),
            expression=lambda ctx: ExpressionWrapper(
                F("cash_balance") - _cash_limit_expr(ctx), output_field=MONEY
            ),
            unit="元",
            description="库存现金余额 − 适用限额（负数表示未超限）",
            uses_params=("default_limit",),
        ),
        Variable(
            s,
            "cash_excess_over_double",
            "number",
            "库存现金超出两倍限额的金额",
            accessor=lambda r, ctx: (
                None if r.cash_balance is None else r.cash_balance - 2 * _cash_limit(r, ctx)
            ),
            expression=lambda ctx: ExpressionWrapper(
                F("cash_balance") - 2 * _cash_limit_expr(ctx), output_field=MONEY
            ),
            unit="元",
            description="库存现金余额 − 2 × 适用限额",
            uses_params=("default_limit",),
        ),
        Variable(
            s,
            "cash_over_limit_days",
            "integer",
            "近N天库存现金超限天数",
            accessor=_over_limit_days,
            expression=_over_limit_days_expr,
            unit="天",
            description="截至评估日的 run_days 天内，本组织日终库存现金超过当日适用限额的天数",
            uses_params=("default_limit", "run_days"),
        ),
    ]


def _month_ends_near(as_of: date) -> list[date]:
    ends = []
    for year in range(as_of.year - 2, as_of.year + 2):
        for month in range(1, 13):
            nxt = date(year + (month == 12), month % 12 + 1, 1)
            ends.append(nxt - timedelta(days=1))
    return ends


def _same_day_qs(org_ref, day_ref, direction_ref):
    from backoffice.funds.models import BankTransaction

    return BankTransaction.objects.filter(org=org_ref, txn_date=day_ref, direction=direction_ref)


APPROVED_PAYMENT_STATUSES = ("approved", "paid")


@registry.subject("funds.BankTransaction")
def _bank_transaction() -> list[Variable]:
    s = "funds.BankTransaction"
    return [
        _field(s, "txn_date", "date", "交易日期"),
        _field(s, "amount", "number", "金额", "元"),
        _field(s, "direction", "string", "借贷标志（debit支出/credit收入）"),
        _field(s, "counterparty_kind", "string", "对方类型（individual个人/organisation单位/unknown）"),
        Variable(
            s,
            "same_day_total",
            "number",
            "本组织当日同方向累计金额",
            accessor=lambda r, ctx: _money(
                _same_day_qs(r.org_id, r.txn_date, r.direction).aggregate(t=Sum("amount"))["t"]
            ),
            expression=lambda ctx: _sum_subquery(
                _same_day_qs(OuterRef("org"), OuterRef("txn_date"), OuterRef("direction")), "amount"
            ),
            unit="元",
            description="同一集体经济组织、同一交易日期、同一方向的银行流水金额合计",
        ),
        Variable(
            s,
            "has_approved_payment_request",
            "boolean",
            "已关联批准的支出审批单",
            accessor=lambda r, ctx: bool(
                r.payment_request_id and r.payment_request.status in APPROVED_PAYMENT_STATUSES
            ),
            expression=lambda ctx: Case(
                When(payment_request__status__in=APPROVED_PAYMENT_STATUSES, then=Value(True)),
                default=Value(False),
                output_field=models.BooleanField(),
            ),
            description="关联的支出审批单状态为“已批准”或“已支付”",
        ),
    ]


# ---- 承包（租赁）合同 -------------------------------------------------------------------------------------
ACTIVE_CONTRACT_STATUSES = ("effective", "performing", "expiring")


def _plans(contract_ref):
    from backoffice.contracts.models import ContractReceivablePlan

    return ContractReceivablePlan.objects.filter(contract=contract_ref)


def _receipts(contract_ref):
    from backoffice.contracts.models import ContractReceipt

    return ContractReceipt.objects.filter(contract=contract_ref)


def _outstanding(r, ctx):
    due = _plans(r.pk).aggregate(t=Sum("amount_due"))["t"]
    paid = _receipts(r.pk).aggregate(t=Sum("amount"))["t"]
    return _money(due) - _money(paid)


def _overdue(r, ctx):
    due = _plans(r.pk).filter(due_date__lt=ctx.as_of).aggregate(t=Sum("amount_due"))["t"]
    paid = _receipts(r.pk).filter(received_on__lte=ctx.as_of).aggregate(t=Sum("amount"))["t"]
    return _money(due) - _money(paid)


@registry.subject("contracts.Contract")
def _contract() -> list[Variable]:
    s = "contracts.Contract"
    return [
        _field(s, "term_start", "date", "起始日期"),
        _field(s, "term_end", "date", "终止日期"),
        _field(s, "status", "string", "合同状态"),
        _field(s, "contract_type", "string", "合同类型"),
        _field(s, "total_amount", "number", "合同总金额", "元"),
        _field(s, "traded_on_platform", "boolean", "经产权交易平台"),
        _field(s, "signed_on", "date", "签订日期"),
        Variable(
            s,
            "is_resource_contract",
            "boolean",
            "资源类合同（标的为资源性资产）",
            accessor=lambda r, ctx: r.subject_resource_id is not None,
            expression=lambda ctx: Case(
                When(subject_resource__isnull=False, then=Value(True)),
                default=Value(False),
                output_field=models.BooleanField(),
            ),
            description="合同标的关联了资源性资产（耕地、林地、水面、四荒地等）",
        ),
        Variable(
            s,
            "is_active",
            "boolean",
            "合同在履行（已生效/履行中/即将到期）",
            accessor=lambda r, ctx: r.status in ACTIVE_CONTRACT_STATUSES,
            expression=lambda ctx: Case(
                When(status__in=ACTIVE_CONTRACT_STATUSES, then=Value(True)),
                default=Value(False),
                output_field=models.BooleanField(),
            ),
        ),
        Variable(
            s,
            "has_trading_ref",
            "boolean",
            "已有交易项目编号（续包/再出租已进场）",
            accessor=lambda r, ctx: bool(r.trading_ref),
            expression=lambda ctx: Case(
                When(~Q(trading_ref=""), then=Value(True)),
                default=Value(False),
                output_field=models.BooleanField(),
            ),
        ),
        Variable(
            s,
            "receivable_outstanding",
            "number",
            "合同应收未收金额",
            accessor=_outstanding,
            expression=lambda ctx: ExpressionWrapper(
                _sum_subquery(_plans(OuterRef("pk")), "amount_due")
                - _sum_subquery(_receipts(OuterRef("pk")), "amount"),
                output_field=MONEY,
            ),
            unit="元",
            description="应收计划合计 − 已收款合计",
        ),
        Variable(
            s,
            "overdue_amount",
            "number",
            "逾期未收金额",
            accessor=_overdue,
            expression=lambda ctx: ExpressionWrapper(
                _sum_subquery(_plans(OuterRef("pk")).filter(due_date__lt=ctx.as_of), "amount_due")
                - _sum_subquery(_receipts(OuterRef("pk")).filter(received_on__lte=ctx.as_of), "amount"),
                output_field=MONEY,
            ),
            unit="元",
            description="评估日前已到期的应收计划合计 − 评估日（含）前已收款合计",
        ),
        *_review_vars(s),
    ]


# ---- 债权债务 -----------------------------------------------------------------------------------------
@registry.subject("debts.DebtItem")
def _debt_item() -> list[Variable]:
    s = "debts.DebtItem"
    return [
        _field(s, "direction", "string", "方向（receivable债权/payable债务）"),
        _field(s, "ledger_account_code", "string", "会计科目"),
        _field(s, "origin_date", "date", "发生日期"),
        _field(s, "original_amount", "number", "原始金额", "元"),
        _field(s, "outstanding", "number", "余额", "元"),
        _field(s, "is_borrowing", "boolean", "举借债务"),
        _field(s, "is_lending", "boolean", "出借款项"),
        _field(s, "is_guarantee", "boolean", "对外担保"),
        Variable(
            s,
            "has_approval_ref",
            "boolean",
            "已填写决议文号",
            accessor=lambda r, ctx: bool(r.approval_ref),
            expression=lambda ctx: Case(
                When(~Q(approval_ref=""), then=Value(True)),
                default=Value(False),
                output_field=models.BooleanField(),
            ),
            description="成员（代表）大会等决议文号不为空",
        ),
        *_review_vars(s),
    ]


# ---- 财务公开 (A5) -------------------------------------------------------------------------------------
def _disclosures(plan_ref):
    from backoffice.disclosure.models import Disclosure

    return Disclosure.objects.filter(plan=plan_ref, published_on__isnull=False)


@registry.subject("disclosure.DisclosurePlan")
def _disclosure_plan() -> list[Variable]:
    s = "disclosure.DisclosurePlan"
    return [
        _field(s, "due_date", "date", "应公开日期（期末日）"),
        _field(s, "period_type", "string", "公开周期"),
        Variable(
            s,
            "is_published",
            "boolean",
            "评估日前已公开",
            accessor=lambda r, ctx: _disclosures(r.pk).filter(published_on__lte=ctx.as_of).exists(),
            expression=lambda ctx: Exists(_disclosures(OuterRef("pk")).filter(published_on__lte=ctx.as_of)),
            description="有关联本计划、公开日期不晚于评估日的公开记录",
        ),
    ]


# ---- 银行存款余额调节表 (A7) ----------------------------------------------------------------------------
@registry.subject("funds.BankReconciliation")
def _bank_reconciliation() -> list[Variable]:
    from django.db.models.functions import Abs

    s = "funds.BankReconciliation"
    return [
        _field(s, "is_balanced", "boolean", "调节后是否平衡"),
        _field(s, "ledger_balance", "number", "银行存款日记账余额", "元"),
        _field(s, "statement_balance", "number", "银行对账单余额", "元"),
        Variable(
            s,
            "adjusted_gap",
            "number",
            "调节后差额（绝对值）",
            accessor=lambda r, ctx: abs(r.adjusted_ledger_balance - r.adjusted_statement_balance),
            expression=lambda ctx: ExpressionWrapper(
                Abs(F("adjusted_ledger_balance") - F("adjusted_statement_balance")), output_field=MONEY
            ),
            unit="元",
            description="|调节后日记账余额 − 调节后对账单余额|",
        ),
    ]


# ---- 资源性资产 (A9) -----------------------------------------------------------------------------------
@registry.subject("assets.Resource")
def _resource() -> list[Variable]:
    s = "assets.Resource"
    return [
        _field(s, "use_mode", "string", "利用方式"),
        _field(s, "idle_since", "date", "闲置起始日期"),
        _field(s, "area", "number", "面积", "亩"),
    ]


# ---- 一事一议 (A10) --------------------------------------------------------------------------------------
def _valid_meetings(project_ref):
    """Meetings that adopt the project, in exact integer arithmetic (as ``levies.rules.meeting_is_valid``)."""
    from backoffice.levies.models import LevyMeeting

    qs = LevyMeeting.objects.filter(project=project_ref).alias(
        attend2=F("attendees") * 2,
        for2=F("votes_for") * 2,
        attend5=F("attendees") * 5,
        for3=F("votes_for") * 3,
        eligible4=F("eligible_count") * 4,
        eligible2=F("eligible_count") * 2,
    )
    assembly = Q(meeting_type="assembly", attend2__gt=F("eligible_count"), for2__gt=F("attendees"))
    representatives = Q(meeting_type="representatives", attend5__gte=F("eligible4"), for3__gte=F("eligible2"))
    sane = Q(eligible_count__gt=0, attendees__gt=0, attendees__lte=F("eligible_count"))
    return qs.filter(sane, votes_for__lte=F("attendees")).filter(assembly | representatives)


def _has_valid_meeting(r, ctx) -> bool:
    from backoffice.levies.models import LevyMeeting
    from backoffice.levies.rules import meeting_is_valid

    return any(
        meeting_is_valid(
            meeting_type=m.meeting_type,
            eligible_count=m.eligible_count,
            attendees=m.attendees,
            votes_for=m.votes_for,
        )
        for m in LevyMeeting.objects.filter(project_id=r.pk)
    )


@registry.subject("levies.LevyProject")
def _levy_project() -> list[Variable]:
    s = "levies.LevyProject"
    return [
        _field(s, "status", "string", "项目状态"),
        _field(s, "money_standard", "number", "筹资标准", "元/人"),
        _field(s, "proposed_on", "date", "提议日期"),
        Variable(
            s,
            "has_valid_meeting",
            "boolean",
            "有有效的村民（代表）会议决议",
            accessor=_has_valid_meeting,
            expression=lambda ctx: Exists(_valid_meetings(OuterRef("pk"))),
            description="村民会议：过半数到会且到会过半数赞成；村民代表会议：4/5以上到会且全体2/3以上赞成",
        ),
    ]


# ---- 惠农补贴 (A11) --------------------------------------------------------------------------------------
def _same_person(program_ref, hash_ref):
    from backoffice.subsidies.models import SubsidyRoster

    # led by the ID hash (selective, indexed): "program_id + 0" keeps SQLite's planner, which has no
    # statistics, from walking a whole programme through the (program, org, hash) unique index for
    # every row (minutes at city scale instead of a fraction of a second)
    return SubsidyRoster.objects.alias(_program=F("program_id") + 0).filter(
        beneficiary_id_hash=hash_ref, _program=program_ref
    )


@registry.subject("subsidies.SubsidyRoster")
def _subsidy_roster() -> list[Variable]:
    s = "subsidies.SubsidyRoster"
    return [
        _field(s, "status", "string", "发放状态"),
        _field(s, "amount", "number", "补贴金额", "元"),
        Variable(
            s,
            "same_id_in_program",
            "integer",
            "同一项目中同一身份证号的名单行数",
            accessor=lambda r, ctx: _same_person(r.program_id, r.beneficiary_id_hash).count(),
            expression=lambda ctx: Coalesce(
                Subquery(
                    _same_person(OuterRef("program"), OuterRef("beneficiary_id_hash"))
                    .order_by()
                    .values("program")
                    .annotate(n=Count("pk"))
                    .values("n")[:1],
                    output_field=models.IntegerField(),
                ),
                Value(0),
            ),
            unit="行",
            description="按身份证号密文摘要比对，跨组织统计",
        ),
    ]


# ---- 重点工作 (A12) --------------------------------------------------------------------------------------
@registry.subject("keywork.ProblemLedger")
def _problem_ledger() -> list[Variable]:
    s = "keywork.ProblemLedger"
    return [
        _field(s, "status", "string", "整改状态"),
        _field(s, "deadline", "date", "整改时限"),
        _field(s, "found_on", "date", "发现日期"),
        _field(s, "amount_involved", "number", "涉及金额", "元"),
    ]


# the variables of further subjects live in their own modules; importing them registers them
from . import variables_books  # noqa: E402,F401
