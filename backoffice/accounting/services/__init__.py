"""Write services of 会计核算成果: vouchers (create, review, post, update, delete, reverse), period
balances and period close. Keyword-only, ``full_clean()`` before ``save()``, Chinese messages that say
what to fix; used alike by the admin, imports, jobs and tests. Split by concept: ``vouchers`` and
``closing``; ``common`` holds the shared helpers.
"""

from .closing import (
    account_balances,
    period_balances_rebuild,
    period_close,
    period_movements,
    period_reopen,
    trial_balance_problems,
)
from .common import BOOKED, period_is_closed
from .vouchers import (
    voucher_create,
    voucher_delete,
    voucher_post,
    voucher_reverse,
    voucher_review,
    voucher_update,
)

__all__ = [
    "BOOKED",
    "account_balances",
    "period_balances_rebuild",
    "period_close",
    "period_is_closed",
    "period_movements",
    "period_reopen",
    "trial_balance_problems",
    "voucher_create",
    "voucher_delete",
    "voucher_post",
    "voucher_reverse",
    "voucher_review",
    "voucher_update",
]
