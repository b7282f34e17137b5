"""账套 and 会计科目: an organisation's books under one chart and their accounts."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models

from backoffice.core.models import RecordModel

from ..choices import (
    AccountClass,
    BookkeepingMode,
    ChartVersion,
    NormalBalance,
)
from ..periods import period_problem
from .common import CHART_2023_FIRST_PERIOD, PERIOD_VALIDATOR
from .reference import ChartAccount


class AccountSet(RecordModel):
    """账套: one organisation's books under one chart. 2022–2023 history is a 2004 set, 2024+ a 2023 set.

    [D] ``bookkeeping_mode`` records whether the township keeps the village's books (村账乡代管) [P].
    """

    chart_version = models.CharField("会计制度版本", max_length=4, choices=ChartVersion.choices)
    name = models.CharField("账套名称", max_length=120, blank=True, default="")
    start_period = models.CharField("启用期间", max_length=6, validators=[PERIOD_VALIDATOR])
    bookkeeping_mode = models.CharField(
        "记账方式", max_length=16, choices=BookkeepingMode.choices, default=BookkeepingMode.TOWNSHIP_AGENT
    )

    class Meta(RecordModel.Meta):
        verbose_name = "账套"
        verbose_name_plural = "账套"
        constraints = [
            *RecordModel.Meta.constraints,
            models.UniqueConstraint(
                fields=["org", "chart_version"], name="accounting_accountset_unique_chart"
            ),
        ]

    class Spec:
        natural_key = ("org", "chart_version")
        list_display = ("org", "chart_version", "start_period", "bookkeeping_mode")
        list_filter = ("chart_version", "bookkeeping_mode")
        search_fields = ("org__name", "name")

    def __str__(self) -> str:
        return self.name or f"{self.org}（{self.chart_version}）"

    def clean(self) -> None:
        super().clean()
        problem = period_problem(self.start_period)
        if problem:
            raise ValidationError({"start_period": problem})
        if self.chart_version == ChartVersion.V2023 and self.start_period < CHART_2023_FIRST_PERIOD:
            raise ValidationError(
                {"start_period": "新制度（2023）账套自2024年1月1日起施行，启用期间不能早于202401"}
            )
        if self.chart_version == ChartVersion.V2004 and self.start_period >= CHART_2023_FIRST_PERIOD:
            raise ValidationError(
                {"start_period": "2024年起应使用新制度（2023）账套，旧制度账套启用期间应早于202401"}
            )
        if self.start_period < "202201" and not self.is_history:
            raise ValidationError(
                {"start_period": "启用期间早于202201（统计口径起点）；如为历史数据请勾选“历史数据”"}
            )


class Account(RecordModel):
    """会计科目 of one account set: a national first-level code (3 digits) or a sub-account of one.

    Sub-account codes extend the parent's code (e.g. 112 → 112001 → 11200101). Vouchers post to leaf
    accounts only; a parent's balance is the sum of its children. [D] auxiliary dimensions (counterparty,
    project, contract) are not modelled yet.
    """

    account_set = models.ForeignKey(
        AccountSet, verbose_name="账套", on_delete=models.CASCADE, related_name="accounts"
    )
    code = models.CharField(
        "科目编码", max_length=20, validators=[RegexValidator(r"^\d{3,20}$", "科目编码应为3至20位数字")]
    )
    name = models.CharField("科目名称", max_length=60)
    level = models.PositiveSmallIntegerField("科目级次", default=1)
    parent = models.ForeignKey(
        "self",
        verbose_name="上级科目",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    account_class = models.CharField("科目类别", max_length=12, choices=AccountClass.choices)
    normal_balance = models.CharField("余额方向", max_length=1, choices=NormalBalance.choices)
    active = models.BooleanField("启用", default=True)

    class Meta(RecordModel.Meta):
        verbose_name = "会计科目"
        verbose_name_plural = "会计科目"
        constraints = [
            *RecordModel.Meta.constraints,
            models.UniqueConstraint(fields=["account_set", "code"], name="accounting_account_unique_code"),
            models.CheckConstraint(
                condition=models.Q(level__gte=1), name="accounting_account_level_positive"
            ),
        ]

    class Spec:
        natural_key = ("account_set", "code")
        list_display = ("code", "name", "account_set", "level", "account_class", "normal_balance", "active")
        list_filter = ("account_class", "level", "active")
        search_fields = ("code", "name", "org__name")
        ordering = ("account_set", "code")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def first_level_code(self) -> str:
        return self.code[:3]

    def clean(self) -> None:
        super().clean()
        errors: dict[str, str] = {}
        if self.account_set_id:
            account_set = self.account_set
            if self.org_id and account_set.org_id != self.org_id:
                errors["account_set"] = "科目所属组织必须与账套所属组织一致"
            if not ChartAccount.objects.filter(
                chart_version=account_set.chart_version, code=self.code[:3]
            ).exists():
                errors["code"] = (
                    f"科目编码“{self.code}”的前3位{self.code[:3]}不是{account_set.chart_version}版会计制度的一级科目，"
                    "请按国家科目表选用一级科目"
                )
        if self.parent_id:
            parent = self.parent
            if parent.account_set_id != self.account_set_id:
                errors["parent"] = "上级科目必须属于同一账套"
            elif not (self.code.startswith(parent.code) and len(self.code) > len(parent.code)):
                errors["code"] = f"明细科目编码应以上级科目编码{parent.code}开头并更长，例如{parent.code}001"
            elif self.level != parent.level + 1:
                errors["level"] = f"上级科目为第{parent.level}级，本科目应为第{parent.level + 1}级"
        elif len(self.code) != 3:
            errors["parent"] = "明细科目必须选择上级科目；一级科目编码为3位"
        elif self.level != 1:
            errors["level"] = "一级科目的级次应为1"
        if errors:
            raise ValidationError(errors)
