"""Staged import jobs and the export log (issue 4 items 3 and 5).

An ``ImportJob`` is one uploaded file for one record type: the file sits in the default storage (shared by
web and workers, never a local temp file), the dry run writes one ``ImportRow`` per new, changed or invalid
row (unchanged rows are only counted), the commit applies them in chunks, and a committed job can be rolled
back as a whole. ``ImportJobEvent`` is the job's log in Chinese.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class ImportJob(models.Model):
    class Status(models.TextChoices):
        UPLOADED = "uploaded", "已上传"
        VALIDATING = "validating", "校验中"
        VALIDATED = "validated", "已校验（待确认）"
        COMMITTING = "committing", "导入中"
        COMMITTED = "committed", "已导入"
        FAILED = "failed", "失败"
        ROLLING_BACK = "rolling_back", "撤销中"
        ROLLED_BACK = "rolled_back", "已撤销"
        CANCELLED = "cancelled", "已取消"

    class Policy(models.TextChoices):
        ALL_OR_NOTHING = "all_or_nothing", "有任何错误则整个文件不导入"
        VALID_ROWS = "valid_rows", "只导入正确的行，错误行跳过"

    file = models.FileField("文件", upload_to="imports/%Y/%m/", max_length=300)
    original_name = models.CharField("原文件名", max_length=255)
    model_label = models.CharField("记录类型", max_length=100, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="导入人", on_delete=models.PROTECT, related_name="+"
    )
    scope_code = models.CharField("导入人管辖区划", max_length=12, blank=True, default="", db_index=True)
    policy = models.CharField(
        "错误处理", max_length=16, choices=Policy.choices, default=Policy.ALL_OR_NOTHING
    )
    # a REST API batch is staged, validated, committed and undone exactly like a file (issue 10 item 1)
    channel = models.CharField(
        "来源",
        max_length=8,
        choices=[("file", "文件上传"), ("api", "数据接口")],
        default="file",
        db_index=True,
    )
    status = models.CharField(
        "状态", max_length=14, choices=Status.choices, default=Status.UPLOADED, db_index=True
    )
    total_rows = models.PositiveIntegerField("数据行数", default=0)
    new_count = models.PositiveIntegerField("新增", default=0)
    updated_count = models.PositiveIntegerField("修改", default=0)
    unchanged_count = models.PositiveIntegerField("未变化", default=0)
    invalid_count = models.PositiveIntegerField("有错误", default=0)
    progress = models.PositiveSmallIntegerField("进度（%）", default=0)
    control_totals = models.JSONField("控制合计", default=dict, blank=True)
    created_ranges = models.JSONField("新增记录编号区间", default=list, blank=True, editable=False)
    header_row = models.PositiveIntegerField("表头所在行", default=0)
    error_text = models.TextField("错误信息", blank=True, default="")
    created_at = models.DateTimeField("上传时间", auto_now_add=True, db_index=True)
    started_at = models.DateTimeField("开始时间", null=True, blank=True)
    finished_at = models.DateTimeField("结束时间", null=True, blank=True)
    committed_at = models.DateTimeField("导入时间", null=True, blank=True)
    # Durable commit progress, written in the same transaction as each batch, so that a worker killed in
    # the middle of a commit leaves a job that knows exactly which rows are in the database and can be
    # resumed (or rolled back) without duplicates: {"through": last staged row number written,
    # "created": [[low, high], …], "updated": n, "reset": n, "failed": n, "resumes": n}.
    commit_state = models.JSONField("写入进度", default=dict, blank=True, editable=False)
    heartbeat_at = models.DateTimeField("最近心跳", null=True, blank=True, editable=False)

    class Meta:
        verbose_name = "导入任务"
        verbose_name_plural = "导入任务"
        ordering = ("-created_at",)
        constraints = [
            models.CheckConstraint(condition=models.Q(progress__lte=100), name="imports_job_progress_le_100"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.original_name}"

    @property
    def record_model(self):
        from django.apps import apps

        return apps.get_model(self.model_label)

    @property
    def record_type_name(self) -> str:
        try:
            return str(self.record_model._meta.verbose_name)
        except LookupError:
            return self.model_label

    @property
    def is_running(self) -> bool:
        return self.status in {self.Status.VALIDATING, self.Status.COMMITTING, self.Status.ROLLING_BACK}


class ImportJobEvent(models.Model):
    class Level(models.TextChoices):
        INFO = "info", "信息"
        WARNING = "warning", "警告"
        ERROR = "error", "错误"

    job = models.ForeignKey(
        ImportJob, verbose_name="导入任务", on_delete=models.CASCADE, related_name="events"
    )
    at = models.DateTimeField("时间", auto_now_add=True)
    level = models.CharField("级别", max_length=8, choices=Level.choices, default=Level.INFO)
    message = models.TextField("内容")

    class Meta:
        verbose_name = "导入任务日志"
        verbose_name_plural = "导入任务日志"
        ordering = ("at", "pk")

    def __str__(self) -> str:
        return self.message[:60]


class ImportRow(models.Model):
    class Action(models.TextChoices):
        NEW = "new", "新增"
        UPDATE = "update", "修改"
        INVALID = "invalid", "有错误"

    job = models.ForeignKey(ImportJob, verbose_name="导入任务", on_delete=models.CASCADE, related_name="rows")
    row_number = models.PositiveIntegerField("文件行号")
    action = models.CharField("处理", max_length=8, choices=Action.choices)
    values = models.JSONField("清洗后的值", default=dict)
    errors = models.JSONField("错误（列 → 说明）", default=dict)
    diff = models.JSONField("变化（字段 → [原值, 新值]）", default=dict)
    before = models.JSONField("导入前的值（撤销用）", default=dict)
    object_pk = models.BigIntegerField("记录编号", null=True, blank=True)

    class Meta:
        verbose_name = "导入行"
        verbose_name_plural = "导入行"
        ordering = ("job", "row_number")
        indexes = [models.Index(fields=["job", "action", "row_number"], name="imports_row_job_action")]

    def __str__(self) -> str:
        return f"{self.job_id}:{self.row_number}"


class ExportLog(models.Model):
    """Every export: who, which record type, with which filter, how many rows (issue 4 item 5)."""

    class Channel(models.TextChoices):
        ADMIN = "admin", "后台导出"
        COMMAND = "command", "命令行"
        API = "api", "接口"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="用户", on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField("时间", auto_now_add=True, db_index=True)
    model_label = models.CharField("记录类型", max_length=100)
    filter_query = models.TextField("筛选条件", blank=True, default="")
    row_count = models.PositiveIntegerField("行数")
    full_personal_data = models.BooleanField("含完整个人信息", default=False)
    channel = models.CharField("方式", max_length=8, choices=Channel.choices, default=Channel.ADMIN)

    class Meta:
        verbose_name = "导出记录"
        verbose_name_plural = "导出记录"
        ordering = ("-at",)

    def __str__(self) -> str:
        return f"{self.user} {self.model_label} {self.row_count}"


from .api.models import ApiClient, ApiRequestLog, ApiToken  # noqa: E402,F401  (issue 10: REST API)
from .api.nonces import ApiNonce  # noqa: E402,F401  (issue 10: signed bank push)
from .bankfeed.models import BankFeedJob  # noqa: E402,F401  (registered under this app's label)
