"""Reads of 资金监测 used by services, alert rules, reports and tests."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db.models import Q

from .constants import DEFAULT_CASH_LIMIT
from .models import BankAccount, BankTransaction, CashLimit

CHAIN_ORDER = ("txn_date", "txn_time", "id")


def continuity_gap(previous: BankTransaction, current: BankTransaction) -> str | None:
    """The Chinese message when ``previous.balance_after ± current.amount != current.balance_after``."""
    expected = previous.balance_after + current.signed_amount
    if expected == current.balance_after:
        return None
    sign = "+" if current.signed_amount >= 0 else "−"
    return (
        f"余额不连续：{current.txn_date} 流水号{current.bank_serial}的"
        f"交易后余额为{current.balance_after:,.2f}元，"
        f"但上一笔（{previous.txn_date} 流水号{previous.bank_serial}）余额{previous.balance_after:,.2f}元 "
        f"{sign} 本笔金额{current.amount:,.2f}元 = {expected:,.2f}元，"
        f"相差{current.balance_after - expected:,.2f}元；请核对是否缺少流水或金额有误"
    )


def bank_transaction_chain_gaps(*, account: BankAccount, since: date | None = None) -> list[str]:
    """Every continuity gap in an account's transactions, oldest first (empty list = continuous)."""
    qs = BankTransaction.objects.filter(account=account).order_by(*CHAIN_ORDER)
    if since:
        qs = qs.filter(txn_date__gte=since)
    gaps, previous = [], None
    for txn in qs.only("txn_date", "txn_time", "bank_serial", "direction", "amount", "balance_after"):
        if previous is not None:
            gap = continuity_gap(previous, txn)
            if gap:
                gaps.append(gap)
        previous = txn
    return gaps


def statement_balance_on(*, account: BankAccount, on: date) -> Decimal | None:
    """The bank's balance of ``account`` at the end of ``on`` (last transaction's balance_after), or None."""
    last = (
        BankTransaction.objects.filter(account=account, txn_date__lte=on)
        .order_by(*(f"-{f}" for f in CHAIN_ORDER))
        .values_list("balance_after", flat=True)
        .first()
    )
    return last


def cash_limit_for(*, org_id: int, on: date) -> Decimal:
    """The approved cash-on-hand limit of an organisation on a day, or the platform default (5,000 元 [D])."""
    limit = (
        CashLimit.objects.filter(org_id=org_id, valid_from__lte=on)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on))
        .values_list("limit_amount", flat=True)
        .first()
    )
    return limit if limit is not None else DEFAULT_CASH_LIMIT
