"""Choices of 重点工作 (DOMAIN.md §2.11)."""

from django.db import models


class ProgressStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    SUBMITTED = "submitted", "已报送"
    ACCEPTED = "accepted", "已认定"
    RETURNED = "returned", "已退回"


class ProblemSource(models.TextChoices):
    INSPECTION = "inspection", "巡查检查"
    AUDIT = "audit", "审计"
    COMPLAINT = "complaint", "信访举报"


class ProblemStatus(models.TextChoices):
    OPEN = "open", "待整改"
    RECTIFYING = "rectifying", "整改中"
    RECTIFIED = "rectified", "已整改"
    VERIFIED = "verified", "已验收销号"
