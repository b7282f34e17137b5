"""Variables of the contracts subject: receivable plans, receipts and the term (A3 family).

Split from ``variables.py`` by concept; imported at the end of it so that the registry is complete
whenever ``rules.variables`` is imported.
"""

from __future__ import annotations

from django.db import models
from django.db.models import (
    Case,
    ExpressionWrapper,
    OuterRef,
    Q,
    Sum,
    Value,
    When,
)

from .variables import (
    MONEY,
    Variable,
    _field,
    _money,
    _review_vars,
    _sum_subquery,
    registry,
)

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
