"""Pure term arithmetic: years between dates and the receivable schedule of each payment mode."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from backoffice.contracts.choices import PaymentMode
from backoffice.contracts.terms import add_months, lease_term_problem, plan_amounts, term_years_and_days

START, END = date(2024, 3, 1), date(2029, 3, 1)


@pytest.mark.parametrize(
    ("mode", "rows"),
    [
        (PaymentMode.LUMP_SUM, 1),
        (PaymentMode.ANNUAL, 5),
        (PaymentMode.BY_OUTPUT, 5),
        (PaymentMode.INSTALMENTS, 10),
    ],
)
def test_schedule_of_each_payment_mode_sums_to_the_total(mode, rows):
    total = Decimal("100000.01")
    plan = plan_amounts(payment_mode=mode, term_start=START, term_end=END, total=total)
    assert len(plan) == rows
    assert sum(amount for _, amount in plan) == total
    assert plan[0][0] == START
    assert all(amount > 0 for _, amount in plan)
    assert [due for due, _ in plan] == sorted({due for due, _ in plan})


def test_annual_schedule_is_due_at_the_start_of_each_contract_year():
    plan = plan_amounts(
        payment_mode=PaymentMode.ANNUAL, term_start=START, term_end=END, total=Decimal("50000")
    )
    assert [due for due, _ in plan] == [date(y, 3, 1) for y in range(2024, 2029)]
    assert {amount for _, amount in plan} == {Decimal("10000.00")}


def test_short_last_year_pays_its_share_of_a_full_year():
    plan = plan_amounts(
        payment_mode=PaymentMode.ANNUAL,
        term_start=date(2024, 1, 1),
        term_end=date(2026, 7, 2),
        total=Decimal("25000"),
    )
    assert len(plan) == 3
    assert plan[0][1] == plan[1][1]
    assert plan[2][1] == Decimal("25000") - 2 * plan[0][1]
    assert Decimal("4900") < plan[2][1] < Decimal("5100")  # about half of 10,000


def test_instalment_period_can_be_chosen():
    plan = plan_amounts(
        payment_mode=PaymentMode.INSTALMENTS,
        term_start=START,
        term_end=date(2025, 3, 1),
        total=Decimal("1200"),
        period_months=3,
    )
    assert [amount for _, amount in plan] == [Decimal("300.00")] * 4


def test_month_arithmetic_falls_back_to_the_last_day_of_short_months():
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert add_months(date(2024, 2, 29), 12) == date(2025, 2, 28)


def test_term_is_counted_in_whole_years_and_days():
    assert term_years_and_days(date(2024, 1, 1), date(2044, 1, 2)) == (20, 1)
    assert term_years_and_days(date(2024, 1, 1), date(2043, 12, 31)) == (19, 364)
    assert lease_term_problem(date(2024, 1, 1), date(2044, 1, 1)) is None
