"""Thresholds of 资金监测. All are design defaults [D] (DOMAIN.md §4.1 A1/A2): rules say "large amounts"
need a collective decision and let the township/county fix the number, so these are starting values that
the alert rules may override per county; they are not Shanxi-published figures (DOMAIN.md Appendix C.2)."""

from decimal import Decimal

#: A1: cash-on-hand limit applied to an organisation without an approved 库存现金限额 [D]
DEFAULT_CASH_LIMIT = Decimal("5000.00")

#: a payment request of at least this amount needs a decision-meeting reference (会议决议) [D];
#: "at least" to match the A2 single-transaction threshold below
MEETING_REQUIRED_FROM = Decimal("50000.00")

#: A2: single bank debit/credit, same-day cumulative, and transfer to an individual [D]
LARGE_SINGLE = Decimal("50000.00")
LARGE_DAILY = Decimal("100000.00")
LARGE_TO_INDIVIDUAL = Decimal("10000.00")

#: 现金管理暂行条例: 3–5 days of petty spending, up to 15 days for remote units [M]
CASH_BASIS_DAYS_MIN = 3
CASH_BASIS_DAYS_MAX = 15

#: default ledger account of bank deposits in the 2023 chart (银行存款) [M]
BANK_LEDGER_ACCOUNT = "102"
