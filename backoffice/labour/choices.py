"""Enumerations of 集体用工 (DOMAIN.md §2.4, Appendix A): stable English codes, Chinese labels."""

from django.db import models


class EngagementType(models.TextChoices):
    LONG_TERM = "long_term", "长期"
    TEMPORARY = "temporary", "临时"
    PROJECT = "project", "项目"


class RateUnit(models.TextChoices):
    PER_DAY = "per_day", "元/工日"
    PER_MONTH = "per_month", "元/月"


class Gender(models.TextChoices):
    MALE = "male", "男"
    FEMALE = "female", "女"


class PayMethod(models.TextChoices):
    BANK = "bank", "银行转账"
    CASH = "cash", "现金"


class LabourLedgerAccount(models.TextChoices):
    """Where the payable is booked (财会〔2023〕14号) [M]: own staff 212, outside/temporary labour 213."""

    WAGES = "212", "212 应付工资"
    LABOUR_FEES = "213", "213 应付劳务费"
