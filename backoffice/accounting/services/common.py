"""Helpers shared by the accounting write services: amounts to the fen, user names, open periods."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError

from ..choices import VoucherStatus
from ..models import AccountSet, PeriodClose

ZERO = Decimal("0.00")
CENTS = Decimal("0.01")


def fen_sum(value) -> Decimal:
    """An aggregated amount rounded to fen: SQLite sums decimals as floats (0.1 + 0.2 ≠ 0.3)."""
    return (value or ZERO).quantize(CENTS)


#: statuses whose lines are in the books: posted, and posted-then-reversed (void)
BOOKED = (VoucherStatus.POSTED, VoucherStatus.VOID)


def user_name(user) -> str:
    if user is None:
        return ""
    display = getattr(user, "display_name", "") or ""
    full = user.get_full_name() if hasattr(user, "get_full_name") else ""
    return (display or full or getattr(user, "username", "") or str(user)).strip()


def user_or_none(user):
    return user if getattr(user, "pk", None) else None


def parse_money(value: Any, *, label: str) -> Decimal:
    if value in (None, ""):
        return ZERO
    try:
        amount = Decimal(str(value)).quantize(CENTS)
    except ArithmeticError as exc:
        raise ValidationError(f"{label}金额“{value}”不是有效数字") from exc
    return amount


def period_is_closed(*, account_set: AccountSet, period: str) -> bool:
    return PeriodClose.objects.filter(account_set=account_set, period=period, is_closed=True).exists()


def check_open(*, account_set: AccountSet, period: str, action: str) -> None:
    if period_is_closed(account_set=account_set, period=period):
        raise ValidationError(
            f"会计期间{period}已结账，不能{action}；请在未结账期间编制调整凭证，或经批准后先反结账"
        )
