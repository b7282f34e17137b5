"""Choices of 财务公开 (DOMAIN.md Appendix A: DisclosurePeriodType, DisclosureCategory; §2.6 channels)."""

from django.db import models


class DisclosurePeriodType(models.TextChoices):
    QUARTERLY = "quarterly", "季度公开"
    MONTHLY = "monthly", "月度公开"
    SPECIAL = "special", "专项公开"
    AD_HOC = "ad_hoc", "即时公开"


class DisclosureCategory(models.TextChoices):
    """The eight categories of 农村集体经济组织财务公开规定 (2011) [M]."""

    FINANCIAL_PLAN = "financial_plan", "财务计划"
    INCOME = "income", "各项收入"
    EXPENDITURE = "expenditure", "各项支出"
    ASSETS = "assets", "各项资产"
    RESOURCES = "resources", "各类资源"
    DEBTS = "debts", "债权债务"
    DISTRIBUTION = "distribution", "收益分配"
    OTHER = "other", "其他"


class DisclosureChannel(models.TextChoices):
    NOTICE_BOARD = "notice_board", "公开栏"
    BROADCAST = "broadcast", "广播"
    INTERNET = "internet", "网络"
    LEAFLET = "leaflet", "明白纸"
    MEETING = "meeting", "会议"
    TOUCH_SCREEN = "touch_screen", "触摸屏"
