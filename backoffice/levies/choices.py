"""Enumerations of 一事一议筹资筹劳 (DOMAIN.md §2.5, Appendix A): stable English codes, Chinese labels."""

from django.db import models


class LevyProjectType(models.TextChoices):
    ROAD = "road", "村内道路"
    WATER = "water", "农田水利"
    GREENING = "greening", "村容绿化"
    DRINKING_WATER = "drinking_water", "人畜饮水"
    ENVIRONMENT = "environment", "环境卫生"
    CULTURE = "culture", "文化设施"
    OTHER = "other", "其他公益事业"


class LevyStatus(models.TextChoices):
    PROPOSED = "proposed", "拟议"
    TOWNSHIP_REVIEWED = "township_reviewed", "乡镇已审核"
    COUNTY_FILED = "county_filed", "县级已备案"
    PUBLISHED = "published", "已公示"
    IMPLEMENTING = "implementing", "实施中"
    COMPLETED = "completed", "已完工"
    ACCEPTED = "accepted", "已验收"
    CANCELLED = "cancelled", "已撤销"


class MeetingType(models.TextChoices):
    ASSEMBLY = "assembly", "村民会议"
    REPRESENTATIVES = "representatives", "村民代表会议"


class AcceptanceResult(models.TextChoices):
    PASSED = "passed", "验收合格"
    RECTIFY = "rectify", "整改后复验"
    FAILED = "failed", "验收不合格"
