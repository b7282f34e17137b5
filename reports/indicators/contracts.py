"""Contract indicators (R3 合同兑现统计表 / S1): contracts in force, receivable and received in the
year to the period end, the fulfilment rate (Σreceived ÷ Σreceivable), arrears and expiring contracts."""

from __future__ import annotations

from datetime import date, timedelta

from django.db.models import Count, DecimalField, F, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from backoffice.contracts.choices import ACTIVE_STATUSES, ContractStatus
from backoffice.core.choices import ReviewStatus

from ..table import Period
from .base import IndicatorSpec, Source, count, money, ratio

AMOUNT = DecimalField(max_digits=20, decimal_places=2)
EXPIRY_DAYS = 90


def year_start(period: Period) -> date:
    return date(period.year, 1, 1)


def _in_force(period: Period) -> Q:
    return Q(term_start__lte=period.end, term_end__gte=period.start) & ~Q(status=ContractStatus.DRAFT)


def _with_arrears(qs, period: Period):
    """Annotate each contract with what fell due and what was received up to the period end."""
    from backoffice.contracts.models import ContractReceipt, ContractReceivablePlan

    due = (
        ContractReceivablePlan.objects.filter(
            contract=OuterRef("pk"), due_date__lte=period.end, review_status=ReviewStatus.APPROVED
        )
        .order_by()
        .values("contract")
        .annotate(total=Sum("amount_due"))
        .values("total")
    )
    received = (
        ContractReceipt.objects.filter(
            contract=OuterRef("pk"), received_on__lte=period.end, review_status=ReviewStatus.APPROVED
        )
        .order_by()
        .values("contract")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    return qs.annotate(
        due_to_date=Coalesce(Subquery(due, output_field=AMOUNT), Value(0), output_field=AMOUNT),
        received_to_date=Coalesce(Subquery(received, output_field=AMOUNT), Value(0), output_field=AMOUNT),
    ).filter(due_to_date__gt=F("received_to_date"))


SOURCES = [
    Source(
        key="contracts",
        model="contracts.Contract",
        label="承包（租赁）合同",
        where=_in_force,
        period_semantics="报告期内有效（起止日期与报告期有交集、非草稿）的已审核合同",
    ),
    Source(
        key="contract_plans",
        model="contracts.ContractReceivablePlan",
        label="合同应收计划",
        where=lambda p: Q(due_date__gte=year_start(p), due_date__lte=p.end),
        period_semantics="当年1月1日至报告期末应收的计划金额",
    ),
    Source(
        key="contract_receipts",
        model="contracts.ContractReceipt",
        label="合同收款",
        where=lambda p: Q(received_on__gte=year_start(p), received_on__lte=p.end),
        period_semantics="当年1月1日至报告期末实收的金额",
    ),
    Source(
        key="contract_arrears",
        model="contracts.Contract",
        label="欠收合同",
        where=lambda p: ~Q(status=ContractStatus.DRAFT) & Q(term_start__lte=p.end),
        prepare=_with_arrears,
        period_semantics="截至报告期末累计应收大于累计实收的合同",
    ),
]

INDICATORS: list[IndicatorSpec] = [
    count("ct_count", "合同份数", "contracts", lambda p: Count("pk"), unit="份"),
    money("ct_amount", "合同金额", "contracts", lambda p: Sum("total_amount")),
    money("ct_receivable", "本年应收", "contract_plans", lambda p: Sum("amount_due")),
    money("ct_received", "本年实收", "contract_receipts", lambda p: Sum("amount")),
    ratio("ct_fulfilment_rate", "兑现率", "ct_received", "ct_receivable"),
    count("ct_overdue_count", "欠收合同份数", "contract_arrears", lambda p: Count("pk"), unit="份"),
    money(
        "ct_overdue_amount",
        "欠收金额",
        "contract_arrears",
        lambda p: Sum(F("due_to_date") - F("received_to_date"), output_field=AMOUNT),
    ),
    count(
        "ct_expiring",
        f"{EXPIRY_DAYS}天内到期",
        "contracts",
        lambda p: Count(
            "pk",
            filter=Q(
                term_end__gt=p.end,
                term_end__lte=p.end + timedelta(days=EXPIRY_DAYS),
                status__in=ACTIVE_STATUSES,
            ),
        ),
        unit="份",
    ),
    count(
        "ct_via_platform",
        "经产权交易平台份数",
        "contracts",
        lambda p: Count("pk", filter=Q(traded_on_platform=True)),
        unit="份",
    ),
]
