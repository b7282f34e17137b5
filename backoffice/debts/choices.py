"""Enumerations of 债权债务 (DOMAIN.md §2.3, Appendix A): stable English codes, Chinese labels."""

from django.db import models


class CounterpartyKind(models.TextChoices):
    UNIT = "unit", "单位"
    INDIVIDUAL = "individual", "个人"
    MEMBER_HOUSEHOLD = "member_household", "成员户"
    GOVERNMENT = "government", "政府部门"


class DebtDirection(models.TextChoices):
    RECEIVABLE = "receivable", "债权（应收）"
    PAYABLE = "payable", "债务（应付）"


class DebtLedgerAccount(models.TextChoices):
    """First-level accounts that carry credits and debts (财会〔2023〕14号 chart) [M]."""

    RECEIVABLES = "112", "112 应收款"
    INTERNAL = "113", "113 内部往来"
    SHORT_TERM_LOANS = "201", "201 短期借款"
    PAYABLES = "211", "211 应付款"
    LONG_TERM_LOANS = "221", "221 长期借款及应付款"
    SPECIAL_PAYABLES = "241", "241 专项应付款"


#: which direction each account may carry: 113 内部往来 is a two-way account, the others one-way
RECEIVABLE_ACCOUNTS = (DebtLedgerAccount.RECEIVABLES, DebtLedgerAccount.INTERNAL)
PAYABLE_ACCOUNTS = (
    DebtLedgerAccount.INTERNAL,
    DebtLedgerAccount.SHORT_TERM_LOANS,
    DebtLedgerAccount.PAYABLES,
    DebtLedgerAccount.LONG_TERM_LOANS,
    DebtLedgerAccount.SPECIAL_PAYABLES,
)
#: borrowing accounts (new borrowing is always flagged, DOMAIN.md §4.1 A4)
BORROWING_ACCOUNTS = (DebtLedgerAccount.SHORT_TERM_LOANS, DebtLedgerAccount.LONG_TERM_LOANS)


class DebtCause(models.TextChoices):
    LOAN = "loan", "借款"
    UNPAID_FEES = "unpaid_fees", "欠缴承包费/租金"
    WORKS_ARREARS = "works_arrears", "工程欠款"
    ADVANCE = "advance", "垫付"
    COMPENSATION = "compensation", "补偿款"
    OTHER = "other", "其他"


class DebtPurpose(models.TextChoices):
    """Village debt-reduction statistics classification [P]."""

    PRODUCTIVE = "productive", "生产性"
    PUBLIC_WELFARE = "public_welfare", "公益性"
    OTHER = "other", "其他"


class DebtMovementType(models.TextChoices):
    NEW = "new", "新增"
    INCREASE = "increase", "增加"
    REPAYMENT = "repayment", "偿还/收回"
    WRITE_OFF = "write_off", "核销"
    OFFSET = "offset", "抵销"


#: movements that raise the outstanding balance; every other type lowers it
RAISING_MOVEMENTS = (DebtMovementType.NEW, DebtMovementType.INCREASE)
