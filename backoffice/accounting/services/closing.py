"""Period balances (科目余额) rebuilt from booked vouchers, period close (结账) and reopen."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from backoffice.core.choices import ReviewStatus

from ..choices import VoucherStatus
from ..models import AccountSet, PeriodBalance, PeriodClose, Voucher, VoucherLine
from ..periods import period_problem, previous_period
from .common import (
    BOOKED,
    ZERO,
    check_open,
    fen_sum,
    period_is_closed,
    user_name,
    user_or_none,
)


def period_movements(*, account_set: AccountSet, period: str) -> dict[int, tuple[Decimal, Decimal]]:
    """Debit and credit totals of booked lines per account in one period."""
    rows = (
        VoucherLine.objects.filter(
            voucher__account_set=account_set, voucher__period=period, voucher__status__in=BOOKED
        )
        .values("account_id")
        .annotate(d=Sum("debit"), c=Sum("credit"))
    )
    return {r["account_id"]: (fen_sum(r["d"]), fen_sum(r["c"])) for r in rows}


@transaction.atomic
def period_balances_rebuild(*, account_set: AccountSet, period: str) -> list[PeriodBalance]:
    """Recompute the trial-balance rows of one open period from booked vouchers; the opening of each
    account is the previous period's closing (carried forward, P&L accounts included)."""
    problem = period_problem(period)
    if problem:
        raise ValidationError(problem)
    check_open(account_set=account_set, period=period, action="重算余额")
    prior = previous_period(period)
    previous = dict(
        PeriodBalance.objects.filter(account__account_set=account_set, period=prior).values_list(
            "account_id", "closing"
        )
    )
    if (
        not previous
        and period > account_set.start_period
        and Voucher.objects.filter(account_set=account_set, period__lt=period, status__in=BOOKED).exists()
    ):
        raise ValidationError(f"上一期间{prior}尚无科目余额，请按期间顺序先重算{prior}")
    movements = period_movements(account_set=account_set, period=period)
    PeriodBalance.objects.filter(account__account_set=account_set, period=period).delete()
    rows = []
    for account_id in sorted(set(previous) | set(movements)):
        opening = previous.get(account_id, ZERO)
        debit, credit = movements.get(account_id, (ZERO, ZERO))
        if opening == 0 and debit == 0 and credit == 0:
            continue
        rows.append(
            PeriodBalance(
                account_id=account_id,
                period=period,
                opening=opening,
                debit=debit,
                credit=credit,
                closing=opening + debit - credit,
                org_id=account_set.org_id,
                region_code=account_set.region_code,
                review_status=ReviewStatus.APPROVED,
            )
        )
    return PeriodBalance.objects.bulk_create(rows, batch_size=2000)


def trial_balance_problems(balances: Iterable[PeriodBalance]) -> list[str]:
    """Why a period's trial balance does not balance (Σopening, Σdebit−Σcredit, Σclosing must be 0)."""
    opening = debit = credit = closing = ZERO
    for row in balances:
        opening += row.opening
        debit += row.debit
        credit += row.credit
        closing += row.closing
    problems = []
    if opening != 0:
        problems.append(f"期初余额借贷不平衡，差额 {opening:,.2f} 元")
    if debit != credit:
        problems.append(f"本期发生额不平衡：借方 {debit:,.2f} 元，贷方 {credit:,.2f} 元")
    if closing != 0:
        problems.append(f"期末余额借贷不平衡，差额 {closing:,.2f} 元")
    return problems


@transaction.atomic
def period_close(*, account_set: AccountSet, period: str, user) -> PeriodClose:
    """Close a period (结账): every voucher posted, balances rebuilt and balanced, earlier periods closed."""
    problem = period_problem(period)
    if problem:
        raise ValidationError(problem)
    if period < account_set.start_period:
        raise ValidationError(f"会计期间{period}早于账套启用期间{account_set.start_period}")
    check_open(account_set=account_set, period=period, action="重复结账")
    prior = previous_period(period)
    if period > account_set.start_period and not period_is_closed(account_set=account_set, period=prior):
        raise ValidationError(f"上一期间{prior}尚未结账，请按顺序结账")
    unposted = Voucher.objects.filter(
        account_set=account_set, period=period, status__in=(VoucherStatus.DRAFT, VoucherStatus.REVIEWED)
    )
    if unposted.exists():
        numbers = "、".join(str(v) for v in unposted.order_by("number")[:5])
        raise ValidationError(
            f"会计期间{period}还有{unposted.count()}张未记账凭证（{numbers}），请记账或删除后再结账"
        )
    balances = period_balances_rebuild(account_set=account_set, period=period)
    problems = trial_balance_problems(balances)
    if problems:
        raise ValidationError(f"会计期间{period}试算不平衡，不能结账：" + "；".join(problems))
    now = timezone.now()
    close, _ = PeriodClose.objects.get_or_create(
        account_set=account_set,
        period=period,
        defaults={
            "org_id": account_set.org_id,
            "region_code": account_set.region_code,
            "closed_at": now,
            "created_by": user_or_none(user),
        },
    )
    close.is_closed = True
    close.closed_at = now
    close.closed_by = user_name(user)
    close.updated_by = user_or_none(user)
    close.full_clean()
    close.save()
    return close


@transaction.atomic
def period_reopen(*, account_set: AccountSet, period: str, user, reason: str) -> PeriodClose:
    """Reopen (反结账) the latest closed period, with a reason kept on the close row."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("反结账必须填写原因")
    close = PeriodClose.objects.filter(account_set=account_set, period=period, is_closed=True).first()
    if close is None:
        raise ValidationError(f"会计期间{period}未结账，无需反结账")
    if PeriodClose.objects.filter(account_set=account_set, period__gt=period, is_closed=True).exists():
        raise ValidationError("只能从最后一个已结账期间开始逐期反结账")
    close.is_closed = False
    close.reopened_at = timezone.now()
    close.reopen_reason = reason[:200]
    close.updated_by = user_or_none(user)
    close.full_clean()
    close.save()
    return close


def account_balances(*, account_set: AccountSet, period: str) -> dict[str, Decimal]:
    """Closing balance (debit-positive) of every leaf account code at the end of ``period``, from the
    period's trial-balance rows."""
    out: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for code, closing in PeriodBalance.objects.filter(
        account__account_set=account_set, period=period
    ).values_list("account__code", "closing"):
        out[code] += closing
    return dict(out)
