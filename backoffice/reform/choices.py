"""Choices of 产权制度改革成果 (DOMAIN.md §2.10, Appendix A: MemberStatus, ShareType)."""

from django.db import models


class Gender(models.TextChoices):
    MALE = "male", "男"
    FEMALE = "female", "女"


class RelationToHead(models.TextChoices):
    HEAD = "head", "户主"
    SPOUSE = "spouse", "配偶"
    CHILD = "child", "子女"
    PARENT = "parent", "父母"
    GRANDCHILD = "grandchild", "孙子女"
    OTHER = "other", "其他"


class MemberCategory(models.TextChoices):
    ORIGINAL = "original", "原始成员"
    NEWLY_ADDED = "newly_added", "新增成员"
    OTHER = "other", "其他"


class MemberStatus(models.TextChoices):
    ACTIVE = "active", "正常"
    LOST = "lost", "丧失成员身份"
    DECEASED = "deceased", "死亡"
    MOVED_OUT = "moved_out", "迁出"
    SUSPENDED = "suspended", "暂停（存在争议）"


class ShareType(models.TextChoices):
    POPULATION = "population", "人口股"
    LABOUR_YEARS = "labour_years", "劳龄股"
    CONTRIBUTION = "contribution", "贡献股"
    OTHER = "other", "其他"


class ShareChangeType(models.TextChoices):
    INHERITANCE = "inheritance", "继承"
    TRANSFER = "transfer", "内部转让"
    GIFT = "gift", "赠与"
    WITHDRAWAL = "withdrawal", "退出"
