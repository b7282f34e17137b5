"""Record types of 会计核算成果 (Accounting results, DOMAIN.md §2.2, §3).

Reference data (no owner, loaded by a data migration): ``ChartAccount`` (the national first-level charts
of 2004 and 2023) and ``AccountMapping`` (old→new codes of the 2024-01-01 switch).
Record types (owned by a collective organisation): ``AccountSet`` → ``Account`` → ``Voucher`` →
``VoucherLine``; ``PeriodBalance`` (trial balance rows) and ``PeriodClose`` (结账).
Split by concept: ``reference``, ``books``, ``vouchers``, ``balances``. Writes that take more than one
step go through ``services``; statements are in ``statements.py``.
"""

from .balances import PeriodBalance, PeriodClose
from .books import Account, AccountSet
from .common import CENT, CHART_2023_FIRST_PERIOD, PERIOD_VALIDATOR
from .reference import AccountMapping, ChartAccount
from .vouchers import Voucher, VoucherLine

__all__ = [
    "CENT",
    "CHART_2023_FIRST_PERIOD",
    "PERIOD_VALIDATOR",
    "Account",
    "AccountMapping",
    "AccountSet",
    "ChartAccount",
    "PeriodBalance",
    "PeriodClose",
    "Voucher",
    "VoucherLine",
]
