"""``BankFeedJob``: one uploaded bank statement file, ingested in a django-q2 worker (app label imports)."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class BankFeedJob(models.Model):
    class Status(models.TextChoices):
        UPLOADED = "uploaded", "已上传"
        RUNNING = "running", "导入中"
        DONE = "done", "已完成"
        FAILED = "failed", "失败"

    file = models.FileField("文件", upload_to="bankfeed/%Y/%m/", max_length=300, blank=True)
    original_name = models.CharField("原文件名", max_length=255)
    format = models.CharField("流水格式", max_length=20, blank=True, default="", help_text="留空则自动识别")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="导入人", on_delete=models.PROTECT, related_name="+"
    )
    scope_code = models.CharField("导入人管辖区划", max_length=12, blank=True, default="", db_index=True)
    status = models.CharField(
        "状态", max_length=10, choices=Status.choices, default=Status.UPLOADED, db_index=True
    )
    rows = models.PositiveIntegerField("流水行数", default=0)
    created_count = models.PositiveIntegerField("新增", default=0)
    skipped_count = models.PositiveIntegerField("已存在（跳过）", default=0)
    gap_count = models.PositiveIntegerField("余额不连续", default=0)
    unknown_account_count = models.PositiveIntegerField("未登记账户的行", default=0)
    invalid_count = models.PositiveIntegerField("有错误", default=0)
    #: {"summary": {...}, "problems": [{"file", "row", "column", "kind", "message"}, ...]}
    report = models.JSONField("导入报告", default=dict, blank=True)
    error_text = models.TextField("错误信息", blank=True, default="")
    created_at = models.DateTimeField("上传时间", auto_now_add=True, db_index=True)
    started_at = models.DateTimeField("开始时间", null=True, blank=True)
    finished_at = models.DateTimeField("结束时间", null=True, blank=True)

    class Meta:
        app_label = "imports"
        verbose_name = "银行流水导入"
        verbose_name_plural = "银行流水导入"
        ordering = ("-created_at",)

    def __str__(self) -> str:
        return f"#{self.pk} {self.original_name}"
