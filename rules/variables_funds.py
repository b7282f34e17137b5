"""Variables of the funds subjects: daily balances and the cash limit (A1), bank transactions (A2), bank
reconciliations (A7).

Split from ``variables.py`` by concept; imported at the end of it so that the registry is complete
whenever ``rules.variables`` is imported.
"""

from __future__ import annotations

from datetime import date, timedelta

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

from .variables import (
    MONEY,
    Variable,
    _field,
    _money,
    _sum_subquery,
    registry,
)


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
