"""Reference data without an owner, loaded by data migrations: the national charts of accounts (2004,
2023) and the old→new mapping of the 2024-01-01 switch."""

from __future__ import annotations

from django.core.validators import RegexValidator
from django.db import models

from ..choices import (
    AccountClass,
    ChartVersion,
    NormalBalance,
)


# ---- reference data --------------------------------------------------------------------------------
class ChartAccount(models.Model):
    """A first-level account of a national chart (财会〔2004〕12号 or 财会〔2023〕14号), DOMAIN.md §3.1.

    ``is_contra`` marks accumulated depreciation/amortisation shown as deductions; ``is_two_sided`` marks
    accounts whose balance may sit on either side (内部往来, 待处理财产损溢). The balance-sheet line label is
    reconstructed from DOMAIN.md §3.2 [V] pending the official statement appendix.
    """

    chart_version = models.CharField("会计制度版本", max_length=4, choices=ChartVersion.choices)
    code = models.CharField(
        "科目编码", max_length=3, validators=[RegexValidator(r"^\d{3}$", "一级科目编码为3位数字")]
    )
    name = models.CharField("科目名称", max_length=40)
    account_class = models.CharField("科目类别", max_length=12, choices=AccountClass.choices)
    normal_balance = models.CharField("余额方向", max_length=1, choices=NormalBalance.choices)
    balance_sheet_line = models.CharField("资产负债表项目", max_length=60, blank=True, default="")
    is_contra = models.BooleanField("备抵科目", default=False)
    is_two_sided = models.BooleanField(
        "双向科目", default=False, help_text="余额可能在借方或贷方，按方向分列报表项目"
    )

    class Meta:
        verbose_name = "一级会计科目（国家科目表）"
        verbose_name_plural = "一级会计科目（国家科目表）"
        ordering = ("chart_version", "code")
        constraints = [
            models.UniqueConstraint(fields=["chart_version", "code"], name="accounting_chart_unique_code"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}（{self.chart_version}）"


class AccountMapping(models.Model):
    """One row of the old→new account mapping used to open the 2024 books (财会〔2023〕20号 appendix).

    A split old account has several rows. ``needs_official_appendix`` marks rows DOMAIN.md tags [V]:
    where the target could not be confirmed from the official appendix (e.g. 212 应付福利费).
    """

    mapping_version = models.CharField("对照表版本", max_length=12)
    old_code = models.CharField("原科目编码", max_length=3)
    old_name = models.CharField("原科目名称", max_length=40)
    new_code = models.CharField("新科目编码", max_length=3)
    new_name = models.CharField("新科目名称", max_length=40)
    needs_official_appendix = models.BooleanField("待核对官方附表", default=False)
    note = models.CharField("说明", max_length=200, blank=True, default="")

    class Meta:
        verbose_name = "新旧会计科目对照"
        verbose_name_plural = "新旧会计科目对照"
        ordering = ("mapping_version", "old_code", "new_code")
        constraints = [
            models.UniqueConstraint(
                fields=["mapping_version", "old_code", "new_code"], name="accounting_mapping_unique_row"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.old_code} {self.old_name} → {self.new_code} {self.new_name}"
