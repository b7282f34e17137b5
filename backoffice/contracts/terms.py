"""Date and amount arithmetic of contract terms: years between dates, the lease-term limit and the
receivable schedule of a payment mode (pure functions, used by the model, services and the demo)."""

from __future__ import annotations

import calendar
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from .choices import PaymentMode

#: 民法典 art. 705: a lease term may not exceed twenty years [M]
LEASE_MAX_YEARS = 20
#: months per instalment when the payment mode is 分期 and the contract does not say otherwise [D]
DEFAULT_INSTALMENT_MONTHS = 6
CENT = Decimal("0.01")


def add_months(day: date, months: int) -> date:
    """``day`` moved by whole months; the 29th–31st fall back to the month's last day (2月29日 → 2月28日)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def add_years(day: date, years: int) -> date:
    return add_months(day, 12 * years)


def term_years_and_days(start: date, end: date) -> tuple[int, int]:
    """Whole years from ``start`` to ``end`` and the days left over (2024-01-01 → 2044-01-02 is (20, 1))."""
    years = end.year - start.year
    if add_years(start, years) > end:
        years -= 1
    return years, (end - add_years(start, years)).days


def term_text(start: date, end: date) -> str:
    years, days = term_years_and_days(start, end)
    return f"{years}年" + (f"{days}天" if days else "")


def lease_term_problem(start: date, end: date) -> str | None:
    """Why a lease from ``start`` to ``end`` breaks the 20-year limit, or None.

    The term is measured as ``term_end − term_start`` (the same measure as the check ``term_end >
    term_start``): a lease may run to the same calendar day twenty years later, not one day longer.
    """
    limit = add_years(start, LEASE_MAX_YEARS)
    if end <= limit:
        return None
    return (
        f"租赁期限为{term_text(start, end)}（{start:%Y-%m-%d}至{end:%Y-%m-%d}），超过《民法典》第七百零五条"
        f"规定的{LEASE_MAX_YEARS}年上限；请将终止日期改为{limit:%Y-%m-%d}或之前，期满后可依法续订"
    )


def _periods(start: date, end: date, months: int) -> list[tuple[date, Decimal]]:
    """Consecutive periods of ``months`` from ``start`` until ``end``: (period start, weight).

    A full period weighs 1; a shorter last period weighs its share of a full period by days.
    """
    periods: list[tuple[date, Decimal]] = []
    k = 0
    while True:
        begin = add_months(start, months * k)
        if begin >= end:
            break
        full_end = add_months(start, months * (k + 1))
        if full_end <= end:
            weight = Decimal(1)
        else:
            weight = Decimal((end - begin).days) / Decimal((full_end - begin).days)
        periods.append((begin, weight))
        k += 1
    return periods


def split_amount(total: Decimal, weights: list[Decimal]) -> list[Decimal]:
    """``total`` split in proportion to ``weights`` in cents; the rounding rest goes to the last part."""
    if not weights:
        return []
    whole = sum(weights)
    parts = [(total * w / whole).quantize(CENT, rounding=ROUND_HALF_UP) for w in weights[:-1]]
    return [*parts, total - sum(parts, Decimal(0))]


def plan_amounts(
    *,
    payment_mode: str,
    term_start: date,
    term_end: date,
    total: Decimal,
    period_months: int | None = None,
) -> list[tuple[date, Decimal]]:
    """The receivable schedule (due date, amount) of a contract; amounts always sum to ``total``.

    - 一次性: the whole amount on the term start;
    - 按年 and 按产量 (estimated at the contracted total): one instalment at the start of each contract year;
    - 分期: one instalment at the start of each ``period_months`` (default 6) period.
    Rent is due in advance, at the start of the period it pays for [D: common practice 先交后用].
    A shorter last period pays its share of a full period.
    """
    total = Decimal(total).quantize(CENT)
    if payment_mode == PaymentMode.LUMP_SUM:
        return [(term_start, total)]
    if payment_mode in (PaymentMode.ANNUAL, PaymentMode.BY_OUTPUT):
        months = period_months or 12
    elif payment_mode == PaymentMode.INSTALMENTS:
        months = period_months or DEFAULT_INSTALMENT_MONTHS
    else:
        raise ValueError(f"unknown payment mode {payment_mode!r}")
    periods = _periods(term_start, term_end, months)
    amounts = split_amount(total, [w for _, w in periods])
    rows: list[tuple[date, Decimal]] = []
    for (due, _), amount in zip(periods, amounts, strict=True):
        if amount <= 0 and rows:  # a last period of a day or two on a small total: add it to the previous
            rows[-1] = (rows[-1][0], rows[-1][1] + amount)
        else:
            rows.append((due, amount))
    return rows
