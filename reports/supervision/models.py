"""Models of rollout supervision: the scorecard (data, edited by province policy staff), spot checks of
county scores, and the stored half-monthly bulletins; plus data-less proxies the admin pages hang on."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from backoffice.core.scope import ScopedQuerySet
from backoffice.regions.models import Region
from reports.web.models import NoRows

from .choices import IndicatorCode, SpotCheckResult


class Scorecard(models.Model):
    """考核评分表: the indicators, weights and targets used to score counties and townships.

    Exactly one scorecard is in force at a time (a partial unique constraint); a default one is created by
    a data migration and province policy staff change weights and targets in the admin.
    """

    name = models.CharField("名称", max_length=80)
    description = models.TextField("说明", blank=True, default="")
    is_active = models.BooleanField("正在使用", default=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "考核评分表"
        verbose_name_plural = "考核评分表"
        ordering = ("-is_active", "name")
        constraints = [
            models.UniqueConstraint(
                fields=["is_active"], condition=models.Q(is_active=True), name="supervision_one_active_card"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ScoreIndicator(models.Model):
    """One weighted indicator of a scorecard; the target is the share (%) that earns full marks."""

    scorecard = models.ForeignKey(
        Scorecard, verbose_name="考核评分表", on_delete=models.CASCADE, related_name="indicators"
    )
    indicator = models.CharField("指标", max_length=20, choices=IndicatorCode.choices)
    weight = models.DecimalField(
        "权重（分）",
        max_digits=6,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
        help_text="该指标满分，各指标权重之和折算为百分制",
    )
    target = models.DecimalField(
        "目标值（%）",
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal("100"))],
        help_text="达到该比例即得满分，未达到按比例得分",
    )

    class Meta:
        verbose_name = "考核指标"
        verbose_name_plural = "考核指标"
        ordering = ("scorecard", "pk")
        constraints = [
            models.UniqueConstraint(fields=["scorecard", "indicator"], name="supervision_indicator_once"),
            models.CheckConstraint(condition=models.Q(weight__gt=0), name="supervision_weight_positive"),
            models.CheckConstraint(
                condition=models.Q(target__gt=0, target__lte=100), name="supervision_target_0_100"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_indicator_display()}（{self.weight}分）"


class SpotCheck(models.Model):
    """抽查结果: a city (or province) check of a county's (or township's) score for a period."""

    region = models.ForeignKey(Region, verbose_name="被考核区划", on_delete=models.PROTECT, related_name="+")
    region_code = models.CharField("行政区划代码", max_length=12, db_index=True, editable=False)
    period = models.CharField("考核期间", max_length=8, help_text="如 2026、2026-Q3、2026-11")
    computed_score = models.DecimalField("系统评分", max_digits=6, decimal_places=2, null=True, blank=True)
    result = models.CharField("抽查结论", max_length=10, choices=SpotCheckResult.choices)
    note = models.TextField("抽查说明", blank=True, default="")
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="抽查人", on_delete=models.PROTECT, related_name="+"
    )
    checked_at = models.DateTimeField("抽查时间", auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_field = "region_code"

    class Meta:
        verbose_name = "抽查结果"
        verbose_name_plural = "抽查结果"
        ordering = ("-checked_at",)

    def __str__(self) -> str:
        return f"{self.region.name} {self.period} {self.get_result_display()}"


class Bulletin(models.Model):
    """半月通报: the frozen coverage and ranking of one region's children as of one day, with its xlsx.

    ``data`` is the JSON snapshot the page and the workbook are rendered from, so a bulletin reads the same
    forever; ``previous`` is the bulletin of the same region before it (the comparison column).
    """

    region = models.ForeignKey(Region, verbose_name="通报区划", on_delete=models.PROTECT, related_name="+")
    region_code = models.CharField("行政区划代码", max_length=12, db_index=True, editable=False)
    as_of = models.DateField("通报截止日期")
    period = models.CharField("统计期间", max_length=8)
    title = models.CharField("标题", max_length=120)
    data = models.JSONField("通报数据")
    xlsx = models.BinaryField("通报表格（xlsx）")
    previous = models.ForeignKey(
        "self", verbose_name="上期通报", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("生成时间", auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_field = "region_code"

    class Meta:
        verbose_name = "半月通报"
        verbose_name_plural = "半月通报"
        ordering = ("-as_of", "region_code")
        constraints = [
            models.UniqueConstraint(fields=["region", "as_of"], name="supervision_bulletin_once_per_day"),
        ]

    def __str__(self) -> str:
        return self.title


class SupervisionPage(Region):
    """Data-less proxy the supervision pages hang on in the sidebar (like ``reports.web.models.Report``)."""

    # Not a scoped read path: the pages compute from scoped queries, they never list these rows.
    scope_field = None
    objects = NoRows()

    class Meta:
        proxy = True
        verbose_name = "覆盖情况"
        verbose_name_plural = "覆盖情况"
        default_permissions = ()


class ScoreBoard(Region):
    """Data-less proxy of the assessment page (考核评分)."""

    scope_field = None
    objects = NoRows()

    class Meta:
        proxy = True
        verbose_name = "考核评分"
        verbose_name_plural = "考核评分"
        default_permissions = ()


class BulletinPage(Region):
    """Data-less proxy of the bulletin list page (半月通报)."""

    scope_field = None
    objects = NoRows()

    class Meta:
        proxy = True
        verbose_name = "半月通报"
        verbose_name_plural = "半月通报"
        default_permissions = ()


class WeeklyPage(Region):
    """Data-less proxy of the weekly progress page (周调度)."""

    scope_field = None
    objects = NoRows()

    class Meta:
        proxy = True
        verbose_name = "周调度"
        verbose_name_plural = "周调度"
        default_permissions = ()


class MonthlyPage(Region):
    """Data-less proxy of the monthly analysis page (每月研判)."""

    scope_field = None
    objects = NoRows()

    class Meta:
        proxy = True
        verbose_name = "每月研判"
        verbose_name_plural = "每月研判"
        default_permissions = ()
