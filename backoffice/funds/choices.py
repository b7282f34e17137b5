"""Enumerations of 资金监测: stable English codes, Chinese labels (DOMAIN.md Appendix A)."""

from django.db import models


class AccountNature(models.TextChoices):
    """Bank account nature (账户性质) under the RMB bank-account rules."""

    BASIC = "basic", "基本存款账户"
    GENERAL = "general", "一般存款账户"
    SPECIAL = "special", "专用存款账户"


class AccountStatus(models.TextChoices):
    ACTIVE = "active", "正常"
    FROZEN = "frozen", "冻结"
    CLOSED = "closed", "已销户"


class Direction(models.TextChoices):
    """借贷标志 from the account holder's side: debit = money out (支出), credit = money in (收入)."""

    DEBIT = "debit", "支出（借）"
    CREDIT = "credit", "收入（贷）"


class CounterpartyKind(models.TextChoices):
    INDIVIDUAL = "individual", "个人"
    ORGANISATION = "organisation", "单位"
    UNKNOWN = "unknown", "未识别"


class Channel(models.TextChoices):
    COUNTER = "counter", "柜面"
    ONLINE = "online", "网银"
    DIRECT_LINK = "direct_link", "银农直连"


class TransactionSource(models.TextChoices):
    FEED = "feed", "银农直连接口"
    FILE = "file", "对账单文件导入"
    MANUAL = "manual", "手工录入"


class PayeeKind(models.TextChoices):
    INDIVIDUAL = "individual", "个人"
    ORGANISATION = "organisation", "单位"


class PaymentStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    PENDING = "pending", "审批中"
    APPROVED = "approved", "已批准"
    REJECTED = "rejected", "已驳回"
    PAID = "paid", "已支付"


class ApprovalStep(models.TextChoices):
    """The approval chain of a payment, in this order (村两委 → 民主理财小组 → 乡镇审核)."""

    VILLAGE_COMMITTEES = "village_committees", "村两委审议"
    FINANCE_GROUP = "finance_group", "民主理财小组审核"
    TOWNSHIP = "township", "乡镇审核"

    @classmethod
    def ordered(cls) -> list["ApprovalStep"]:
        return [cls.VILLAGE_COMMITTEES, cls.FINANCE_GROUP, cls.TOWNSHIP]

    @property
    def order(self) -> int:
        """1-based position of the step in the chain."""
        return ApprovalStep.ordered().index(self) + 1


class Decision(models.TextChoices):
    APPROVE = "approve", "同意"
    REJECT = "reject", "不同意"
