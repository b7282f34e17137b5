"""Choices of 惠农政策落实 (DOMAIN.md §2.9)."""

from django.db import models


class FundingLevel(models.TextChoices):
    CENTRAL = "central", "中央"
    PROVINCE = "province", "省级"
    CITY = "city", "市级"
    COUNTY = "county", "县级"


class StandardUnit(models.TextChoices):
    PER_MU = "per_mu", "元/亩"
    PER_PERSON = "per_person", "元/人"
    PER_HOUSEHOLD = "per_household", "元/户"


class PaymentStatus(models.TextChoices):
    PENDING = "pending", "待发放"
    PAID = "paid", "已发放"
    FAILED = "failed", "发放失败"
    RETURNED = "returned", "资金退回"


class SubsidyLedgerAccount(models.TextChoices):
    """503 补助收入 for general use; 241 专项应付款 when earmarked (DOMAIN.md §3.1, 2023 chart)."""

    SUBSIDY_INCOME = "503", "503 补助收入"
    SPECIAL_PAYABLE = "241", "241 专项应付款"
