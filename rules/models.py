"""Rule versions, region overrides of params, alerts, their events and the evaluation ledger."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models

from backoffice.core.scope import ScopedQuerySet

SEVERITY_CHOICES = [("info", "提示"), ("yellow", "黄色预警"), ("red", "红色预警")]


class AlertState(models.TextChoices):
    OPEN = "open", "待处理"
    ACKNOWLEDGED = "acknowledged", "已签收"
    RECTIFYING = "rectifying", "整改中"
    RESOLVED = "resolved", "已解除"
    DISMISSED = "dismissed", "已排除"


#: states in which an alert is still live (at most one per rule, subject and period)
ACTIVE_STATES = (AlertState.OPEN, AlertState.ACKNOWLEDGED, AlertState.RECTIFYING)


class Disposition(models.TextChoices):
    RECTIFIED = "rectified", "已整改"
    EXPLAINED = "explained", "已说明（情况属实、合规）"
    FALSE_POSITIVE = "false_positive", "误报（数据错误已更正）"
    AUTO_CLEARED = "auto_cleared", "条件消除自动解除"
    DUPLICATE = "duplicate", "重复预警"
    OTHER = "other", "其他"


class RuleVersion(models.Model):
    """One immutable version of a rule: the file's definition plus the params overrides in force.

    Version 1 of a code is loaded from its JSON file; every change (new file content, an override set or
    removed, enable/disable) creates the next version. Alerts keep the version they were raised under.
    """

    code = models.CharField("规则编号", max_length=40, db_index=True)
    number = models.PositiveIntegerField("版本号")
    definition = models.JSONField("规则定义", help_text="规则文件内容（含默认参数）")
    overrides = models.JSONField("参数覆盖", default=dict, help_text="区划代码 → 参数；按区划树向下继承")
    enabled = models.BooleanField("启用", default=True)
    source = models.CharField("来源", max_length=10, choices=[("file", "规则文件"), ("admin", "后台修改")])
    reason = models.CharField("修改原因", max_length=300, blank=True, default="")
    diff = models.JSONField("变更内容", default=dict, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="修改人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = "规则版本"
        verbose_name_plural = "规则版本"
        ordering = ("code", "-number")
        constraints = [models.UniqueConstraint(fields=["code", "number"], name="rules_version_unique_number")]

    def __str__(self) -> str:
        return f"{self.code} v{self.number}"

    def save(self, *args, **kwargs):
        if self.pk and not kwargs.pop("force_mutation", False):
            raise ValidationError("规则版本不可修改；请创建新版本。")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError("规则版本不可删除。")


class ParamOverride(models.Model):
    """The current override of some params of a rule for one region (any level) and its subtree."""

    code = models.CharField("规则编号", max_length=40)
    region = models.ForeignKey(
        "regions.Region", verbose_name="适用区划", on_delete=models.PROTECT, related_name="+"
    )
    params = models.JSONField("参数", help_text="只列出需要覆盖的参数")
    reason = models.CharField("修改原因", max_length=300, blank=True, default="")
    updated_at = models.DateTimeField("修改时间", auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="修改人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = "参数覆盖"
        verbose_name_plural = "参数覆盖"
        constraints = [
            models.UniqueConstraint(fields=["code", "region"], name="rules_override_unique_region")
        ]

    def __str__(self) -> str:
        return f"{self.code} @ {self.region_id}"


class Alert(models.Model):
    """预警 — one finding of one rule about one record in one period; region-scoped."""

    code = models.CharField("规则编号", max_length=40, db_index=True)
    rule_version = models.ForeignKey(
        RuleVersion, verbose_name="规则版本", on_delete=models.PROTECT, related_name="+"
    )
    content_type = models.ForeignKey(
        ContentType, verbose_name="记录类型", on_delete=models.PROTECT, related_name="+"
    )
    object_id = models.CharField("记录编号", max_length=40)
    org = models.ForeignKey(
        "regions.CollectiveOrg",
        verbose_name="集体经济组织",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    region_code = models.CharField("行政区划代码", max_length=12, db_index=True)
    period_key = models.CharField("期间", max_length=12, blank=True, default="")
    severity = models.CharField("级别", max_length=8, choices=SEVERITY_CHOICES)
    state = models.CharField("状态", max_length=12, choices=AlertState.choices, default=AlertState.OPEN)
    message = models.CharField("预警内容", max_length=500)
    facts = models.JSONField("事实", default=dict)
    why = models.JSONField("触发条件", default=list, help_text="每个条件的取值与真假")
    params = models.JSONField("生效参数", default=dict)
    params_source = models.JSONField(
        "参数来源", default=dict, help_text="参数 → 设定的区划代码（空为默认值）"
    )
    distance = models.DecimalField("距阈值", max_digits=18, decimal_places=2, null=True, blank=True)
    as_of = models.DateField("评估日期")
    assigned_role = models.CharField("责任角色", max_length=30, default="township_reviewer")
    assigned_level = models.PositiveSmallIntegerField(
        "责任层级", default=4, help_text="1省 2市 3县 4乡镇 5村"
    )
    escalations = models.PositiveSmallIntegerField("升级次数", default=0)
    sla_due = models.DateField("处置期限", null=True, blank=True)
    snoozed_until = models.DateField("暂缓至", null=True, blank=True)
    snooze_reason = models.CharField("暂缓原因", max_length=300, blank=True, default="")
    disposition = models.CharField(
        "处置结论", max_length=20, choices=Disposition.choices, blank=True, default=""
    )
    note = models.TextField("处置说明", blank=True, default="")
    occurrences = models.PositiveIntegerField("命中次数", default=1)
    opened_at = models.DateTimeField("生成时间", auto_now_add=True)
    last_seen_at = models.DateTimeField("最近命中", auto_now_add=True)
    acknowledged_at = models.DateTimeField("签收时间", null=True, blank=True)
    closed_at = models.DateTimeField("关闭时间", null=True, blank=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    #: the field holding the 12-digit code that scoping filters on
    scope_field = "region_code"

    #: the default manager is the scoped one, like every record type's: reads for a user go through
    #: ``objects.visible_to(user)`` (queue, dashboard, digest, notifications) and the generic
    #: permission-parity tests cover alerts; ``unscoped`` is for the evaluators' own bookkeeping
    objects = ScopedQuerySet.as_manager()
    unscoped = models.QuerySet.as_manager()  # noqa: DJ012  (a second manager, not a field)

    class Meta:
        verbose_name = "预警"
        verbose_name_plural = "预警"
        ordering = ("-opened_at",)
        # raised and closed by the rule runs; people only read and handle them (no add, no delete)
        default_permissions = ("view", "change")
        indexes = [
            models.Index(fields=["code", "state"], name="rules_alert_code_state"),
            # a run looks up each matched record's last alert (any state) to re-open it: without this,
            # every lookup walks all alerts of the rule (quadratic at city scale)
            models.Index(fields=["code", "object_id", "period_key"], name="rules_alert_code_object"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["code", "content_type", "object_id", "period_key"],
                condition=models.Q(state__in=["open", "acknowledged", "rectifying"]),
                name="rules_alert_one_active_per_subject_period",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.message[:40]}"

    @property
    def is_active(self) -> bool:
        return self.state in ACTIVE_STATES

    @property
    def subject(self):
        model = self.content_type.model_class()
        return model._base_manager.filter(pk=self.object_id).first() if model else None


class AlertEvent(models.Model):
    """Every transition of an alert (who, when, from → to, note)."""

    alert = models.ForeignKey(Alert, verbose_name="预警", on_delete=models.CASCADE, related_name="events")
    kind = models.CharField("事件", max_length=20)
    from_state = models.CharField("原状态", max_length=12, blank=True, default="")
    to_state = models.CharField("新状态", max_length=12, blank=True, default="")
    note = models.TextField("说明", blank=True, default="")
    data = models.JSONField("数据", default=dict, blank=True)
    at = models.DateTimeField("时间", auto_now_add=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="操作人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = "预警处置记录"
        verbose_name_plural = "预警处置记录"
        ordering = ("at", "pk")

    def __str__(self) -> str:
        return f"{self.alert_id} {self.kind}"


class RunStatus(models.TextChoices):
    """Where a run is: a scheduled run's row is written as running before it starts and finished in the
    run's own transaction; interrupted = its worker died (found by age), failed = gave up after retries."""

    RUNNING = "running", "运行中"
    DONE = "done", "已完成"
    FAILED = "failed", "失败"
    INTERRUPTED = "interrupted", "已中断"


class EvaluationRun(models.Model):
    """Evaluation ledger: one row per run of one rule, so "it ran and found nothing" is visible — and so is
    a run that failed or whose worker was killed (``status``)."""

    code = models.CharField("规则编号", max_length=40, db_index=True)
    rule_version = models.ForeignKey(
        RuleVersion, verbose_name="规则版本", null=True, on_delete=models.PROTECT, related_name="+"
    )
    scope = models.CharField(
        "评估范围", max_length=12, blank=True, default="", help_text="区划代码前缀；空为全部"
    )
    as_of = models.DateField("评估日期")
    trigger = models.CharField("触发方式", max_length=12, default="scheduled")
    dry_run = models.BooleanField("试运行", default=False)
    rows_scanned = models.PositiveIntegerField("扫描记录数", default=0)
    matches = models.PositiveIntegerField("命中数", default=0)
    unevaluable = models.PositiveIntegerField("无法评估数", default=0)
    opened = models.PositiveIntegerField("新开预警", default=0)
    reopened = models.PositiveIntegerField("重新打开", default=0)
    closed = models.PositiveIntegerField("自动解除", default=0)
    duration_ms = models.PositiveIntegerField("耗时（毫秒）", default=0)
    error = models.TextField("错误", blank=True, default="")
    status = models.CharField("状态", max_length=12, choices=RunStatus.choices, default=RunStatus.DONE)
    attempts = models.PositiveSmallIntegerField("尝试次数", default=1)
    started_at = models.DateTimeField("开始时间", auto_now_add=True)
    finished_at = models.DateTimeField("结束时间", null=True, blank=True)

    class Meta:
        verbose_name = "评估记录"
        verbose_name_plural = "评估记录"
        ordering = ("-started_at",)
        # the catch-up looks for runs still marked running
        indexes = [models.Index(fields=["status", "started_at"], name="rules_run_status")]

    def __str__(self) -> str:
        return f"{self.code} {self.as_of}"


class Rule(RuleVersion):
    """The rule list in the admin (a proxy over the versions: one row per rule code, its latest version)."""

    class Meta:
        proxy = True
        verbose_name = "预警规则"
        verbose_name_plural = "预警规则"


class ParamChangeRequest(models.Model):
    """A params change waiting for a second person's approval (maker-checker, by rule severity)."""

    class Status(models.TextChoices):
        PENDING = "pending", "待审批"
        APPROVED = "approved", "已批准"
        REJECTED = "rejected", "已驳回"

    code = models.CharField("规则编号", max_length=40)
    region = models.ForeignKey(
        "regions.Region", verbose_name="适用区划", on_delete=models.PROTECT, related_name="+"
    )
    params = models.JSONField("参数")
    reason = models.CharField("修改原因", max_length=300)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.PENDING)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="提出人", on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField("提出时间", auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="审批人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField("审批时间", null=True, blank=True)
    version = models.ForeignKey(
        RuleVersion,
        verbose_name="生成的版本",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = "参数修改申请"
        verbose_name_plural = "参数修改申请"
        ordering = ("-requested_at",)

    def __str__(self) -> str:
        return f"{self.code} @ {self.region_id}（{self.get_status_display()}）"


class Notification(models.Model):
    """In-app notification of one user about one alert (opened, re-opened, escalated or assigned to their
    role in their region); read when they open the alert or mark it read."""

    class Kind(models.TextChoices):
        OPENED = "opened", "新预警"
        REOPENED = "reopened", "预警重新打开"
        ESCALATED = "escalated", "预警升级"
        ASSIGNED = "assigned", "预警指派"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="接收人", on_delete=models.CASCADE, related_name="+"
    )
    alert = models.ForeignKey(Alert, verbose_name="预警", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField("类型", max_length=12, choices=Kind.choices)
    message = models.CharField("内容", max_length=500)
    created_at = models.DateTimeField("时间", auto_now_add=True)
    read_at = models.DateTimeField("已读时间", null=True, blank=True)

    class Meta:
        verbose_name = "预警通知"
        verbose_name_plural = "预警通知"
        ordering = ("-created_at", "-pk")
        indexes = [models.Index(fields=["user", "read_at"], name="rules_notification_unread")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}：{self.message[:40]}"
