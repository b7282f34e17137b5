"""Record types of 资金监测 (Fund monitoring, DOMAIN.md §2.1, §7.1): bank accounts and their feed, cash
on hand, daily balances, reconciliations and the payment approval chain."""

from .bank import BankAccount, BankReconciliation, BankTransaction
from .cash import CashJournal, CashLimit, DailyBalance
from .payments import PaymentApproval, PaymentRequest

__all__ = [
    "BankAccount",
    "BankReconciliation",
    "BankTransaction",
    "CashJournal",
    "CashLimit",
    "DailyBalance",
    "PaymentApproval",
    "PaymentRequest",
]
