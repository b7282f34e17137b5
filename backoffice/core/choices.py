"""Choices shared by every record type."""

from django.db import models


class ReviewStatus(models.TextChoices):
    """Review workflow of village-entered records (DESIGN.md §3)."""

    DRAFT = "draft", "草稿"
    SUBMITTED = "submitted", "待审核"
    APPROVED = "approved", "已审核"
    RETURNED = "returned", "已退回"
