"""Choices of the region tree and of collective organisations (DOMAIN.md §1, Appendix A)."""

from django.db import models


class RegionLevel(models.IntegerChoices):
    PROVINCE = 1, "省"
    CITY = 2, "市"
    COUNTY = 3, "县"
    TOWNSHIP = 4, "乡镇"
    VILLAGE = 5, "村"


class OrgLevel(models.TextChoices):
    """Registration category of a collective organisation (credit-code position 2, or acting)."""

    GROUP = "N1", "组级（N1）"
    VILLAGE = "N2", "村级（N2）"
    TOWNSHIP = "N3", "乡镇级（N3）"
    OTHER = "N9", "其他（N9）"
    ACTING = "ACTING", "村（居）委会代行"


class OrgStatus(models.TextChoices):
    ACTIVE = "active", "正常"
    MERGED = "merged", "已合并"
    CANCELLED = "cancelled", "已注销"
