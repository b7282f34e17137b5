"""Record types of 会计核算成果 (Accounting results, DOMAIN.md §2.2, §3).

Reference data (no owner, loaded by a data migration): ``ChartAccount`` (the national first-level charts
of 2004 and 2023) and ``AccountMapping`` (old→new codes of the 2024-01-01 switch).
Record types (owned by a collective organisation): ``AccountSet`` → ``Account`` → ``Voucher`` →
``VoucherLine``; ``PeriodBalance`` (trial balance rows) and ``PeriodClose`` (结账).
Writes that take more than one step go through ``services.py``; statements are in ``statements.py``.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models

from backoffice.core.fields import MoneyField
from backoffice.core.models import RecordModel

from .choices import (
    AccountClass,
    BookkeepingMode,
    ChartVersion,
    EntryKind,
    NormalBalance,
    VoucherSource,
    VoucherStatus,
)
from .periods import period_of, period_problem

PERIOD_VALIDATOR = RegexValidator(r"^20\d{2}(0[1-9]|1[0-2])$", "会计期间应为6位年月，例如202401")
#: 2023 chart applies from 2024-01-01; the 2004 chart to 2023-12-31 [M]
CHART_2023_FIRST_PERIOD = "202401"
#: balance tolerance for checks done in the database (SQLite stores decimals as numbers)
CENT = Decimal("0.005")


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


# ---- record types ----------------------------------------------------------------------------------
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


class Voucher(RecordModel):
    """记账凭证: a balanced double entry in one period of one account set.

    Posted (已记账) vouchers are immutable: corrections are reversal vouchers (``voucher_reverse``), which
    mark the original ``void``; both stay in the books, so balances count ``posted`` and ``void`` alike.
    ``total_amount`` is the debit (= credit) total, kept by the services. ``entry_kind`` separates
    opening and period-end closing entries from ordinary business [D].
    """

    account_set = models.ForeignKey(
        AccountSet, verbose_name="账套", on_delete=models.PROTECT, related_name="vouchers"
    )
    voucher_word = models.CharField("凭证字", max_length=4, default="记")
    number = models.PositiveIntegerField("凭证号")
    voucher_date = models.DateField("凭证日期")
    period = models.CharField("会计期间", max_length=6, validators=[PERIOD_VALIDATOR])
    summary = models.CharField("摘要", max_length=200, blank=True, default="")
    attachments_count = models.PositiveSmallIntegerField("附单据数", default=0)
    total_amount = MoneyField("金额合计")
    status = models.CharField(
        "凭证状态", max_length=10, choices=VoucherStatus.choices, default=VoucherStatus.DRAFT
    )
    source = models.CharField(
        "来源", max_length=12, choices=VoucherSource.choices, default=VoucherSource.MANUAL
    )
    entry_kind = models.CharField(
        "凭证类型", max_length=10, choices=EntryKind.choices, default=EntryKind.NORMAL
    )
    reversal_of = models.ForeignKey(
        "self",
        verbose_name="冲销的原凭证",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reversals",
    )
    void_reason = models.CharField("冲销原因", max_length=200, blank=True, default="")
    preparer_name = models.CharField("制单人", max_length=40, blank=True, default="")
    reviewer_name = models.CharField("审核人", max_length=40, blank=True, default="")
    poster_name = models.CharField("记账人", max_length=40, blank=True, default="")
    posted_at = models.DateTimeField("记账时间", null=True, blank=True)

    class Meta(RecordModel.Meta):
        verbose_name = "记账凭证"
        verbose_name_plural = "记账凭证"
        constraints = [
            *RecordModel.Meta.constraints,
            models.UniqueConstraint(
                fields=["account_set", "period", "voucher_word", "number"],
                name="accounting_voucher_unique_number",
            ),
            models.CheckConstraint(
                condition=models.Q(number__gte=1), name="accounting_voucher_number_positive"
            ),
            models.CheckConstraint(
                condition=~models.Q(status__in=["posted", "void"]) | models.Q(posted_at__isnull=False),
                name="accounting_voucher_posted_has_time",
            ),
        ]
        indexes = [models.Index(fields=["account_set", "period", "status"], name="accounting_voucher_period")]

    class Spec:
        natural_key = ("account_set", "period", "voucher_word", "number")
        list_display = (
            "voucher_no",
            "org",
            "voucher_date",
            "summary",
            "total_amount",
            "status",
            "source",
            "entry_kind",
        )
        list_filter = ("status", "source", "entry_kind", "period")
        search_fields = ("org__name", "summary", "period")
        money_fields = ("total_amount",)
        business_dates = ("voucher_date",)
        date_hierarchy = "voucher_date"
        readonly_fields = ("status", "total_amount", "reversal_of", "void_reason", "poster_name", "posted_at")
        ordering = ("-voucher_date", "-number")

    def __str__(self) -> str:
        return f"{self.voucher_word}-{self.period}-{self.number:04d}"

    @property
    def voucher_no(self) -> str:
        """The reference printed on the voucher and quoted by contract receipts: 记-202403-0007."""
        return str(self)

    @property
    def is_posted(self) -> bool:
        return self.status in (VoucherStatus.POSTED, VoucherStatus.VOID)

    def clean(self) -> None:
        super().clean()
        errors: dict[str, str] = {}
        if self.voucher_date and self.period and self.period != period_of(self.voucher_date):
            errors["period"] = (
                f"会计期间{self.period}与凭证日期{self.voucher_date:%Y-%m-%d}不一致，应为{period_of(self.voucher_date)}"
            )
        if self.account_set_id and self.org_id and self.account_set.org_id != self.org_id:
            errors["account_set"] = "凭证所属组织必须与账套所属组织一致"
        if self.account_set_id and self.period and self.period < self.account_set.start_period:
            errors["voucher_date"] = f"凭证日期早于账套启用期间{self.account_set.start_period}"
        if self.status == VoucherStatus.VOID and not self.void_reason:
            errors["void_reason"] = "冲销作废的凭证必须填写冲销原因"
        if errors:
            raise ValidationError(errors)


class VoucherLine(RecordModel):
    """One entry line of a voucher: a leaf account and exactly one of debit or credit (元)."""

    voucher = models.ForeignKey(
        Voucher, verbose_name="记账凭证", on_delete=models.CASCADE, related_name="lines"
    )
    line_no = models.PositiveSmallIntegerField("行号")
    account = models.ForeignKey(
        Account, verbose_name="会计科目", on_delete=models.PROTECT, related_name="lines"
    )
    summary = models.CharField("摘要", max_length=200, blank=True, default="")
    debit = MoneyField("借方金额")
    credit = MoneyField("贷方金额")

    class Meta(RecordModel.Meta):
        verbose_name = "凭证分录"
        verbose_name_plural = "凭证分录"
        ordering = ("voucher", "line_no")
        constraints = [
            *RecordModel.Meta.constraints,
            models.CheckConstraint(
                condition=models.Q(debit__gte=0, credit__gte=0)
                & (models.Q(debit=0, credit__gt=0) | models.Q(credit=0, debit__gt=0)),
                name="accounting_voucherline_one_side",
            ),
            models.UniqueConstraint(fields=["voucher", "line_no"], name="accounting_voucherline_unique_line"),
        ]

    class Spec:
        natural_key = ("voucher", "line_no")
        list_display = ("voucher", "line_no", "account", "summary", "debit", "credit", "org")
        search_fields = ("summary", "account__code", "account__name", "org__name")
        money_fields = ("debit", "credit")

    def __str__(self) -> str:
        return f"{self.voucher} 第{self.line_no}行"

    def clean(self) -> None:
        super().clean()
        errors: dict[str, str] = {}
        debit, credit = self.debit or Decimal(0), self.credit or Decimal(0)
        if debit < 0 or credit < 0:
            errors["debit"] = f"第{self.line_no}行金额不能为负数；冲销请用反方向金额"
        elif (debit == 0) == (credit == 0):
            errors["debit"] = f"第{self.line_no}行借方、贷方只能填写一方，且金额不能为0"
        if self.voucher_id:
            voucher = self.voucher
            if voucher.is_posted:
                errors["voucher"] = f"凭证{voucher}已记账，分录不能修改；如需更正请编制冲销凭证"
            if self.account_id and self.account.account_set_id != voucher.account_set_id:
                errors["account"] = f"第{self.line_no}行科目{self.account}不属于凭证所在账套"
            if self.org_id and voucher.org_id != self.org_id:
                errors["voucher"] = "分录所属组织必须与凭证一致"
        if errors:
            raise ValidationError(errors)


class PeriodBalance(RecordModel):
    """科目余额 of one leaf account in one period, rebuilt from posted vouchers.

    Amounts are signed debit-positive (借正贷负): ``closing = opening + debit - credit`` for every
    account, so a trial balance sums to zero; ``direction`` shows 借/贷/平 for display.
    """

    account = models.ForeignKey(
        Account, verbose_name="会计科目", on_delete=models.CASCADE, related_name="balances"
    )
    period = models.CharField("会计期间", max_length=6, validators=[PERIOD_VALIDATOR])
    opening = MoneyField("期初余额（借正贷负）")
    debit = MoneyField("本期借方发生额")
    credit = MoneyField("本期贷方发生额")
    closing = MoneyField("期末余额（借正贷负）")

    class Meta(RecordModel.Meta):
        verbose_name = "科目余额"
        verbose_name_plural = "科目余额"
        constraints = [
            *RecordModel.Meta.constraints,
            models.UniqueConstraint(fields=["account", "period"], name="accounting_periodbalance_unique"),
            models.CheckConstraint(
                condition=models.Q(debit__gte=0, credit__gte=0),
                name="accounting_periodbalance_movements_positive",
            ),
            models.CheckConstraint(
                condition=models.Q(
                    closing__gte=models.F("opening") + models.F("debit") - models.F("credit") - CENT,
                    closing__lte=models.F("opening") + models.F("debit") - models.F("credit") + CENT,
                ),
                name="accounting_periodbalance_rolls_forward",
            ),
        ]
        indexes = [models.Index(fields=["period", "account"], name="accounting_balance_period")]

    class Spec:
        natural_key = ("account", "period")
        list_display = ("account", "period", "opening", "debit", "credit", "closing", "direction", "org")
        list_filter = ("period",)
        search_fields = ("account__code", "account__name", "org__name", "period")
        money_fields = ("opening", "debit", "credit", "closing")
        ordering = ("-period", "account__code")

    def __str__(self) -> str:
        return f"{self.account} {self.period}"

    @property
    def direction(self) -> str:
        return "借" if self.closing > 0 else "贷" if self.closing < 0 else "平"

    def clean(self) -> None:
        super().clean()
        if self.opening is not None and self.debit is not None and self.credit is not None:
            expected = self.opening + self.debit - self.credit
            if self.closing != expected:
                raise ValidationError(
                    {
                        "closing": f"期末余额应为 期初{self.opening} + 借方{self.debit} − 贷方{self.credit}"
                        f" = {expected}"
                    }
                )


class PeriodClose(RecordModel):
    """结账 of one period of an account set; a reopen (反结账) keeps its time and reason [D]."""

    account_set = models.ForeignKey(
        AccountSet, verbose_name="账套", on_delete=models.PROTECT, related_name="closes"
    )
    period = models.CharField("会计期间", max_length=6, validators=[PERIOD_VALIDATOR])
    is_closed = models.BooleanField("已结账", default=True)
    closed_at = models.DateTimeField("结账时间")
    closed_by = models.CharField("结账人", max_length=40, blank=True, default="")
    reopened_at = models.DateTimeField("反结账时间", null=True, blank=True)
    reopen_reason = models.CharField("反结账原因", max_length=200, blank=True, default="")

    class Meta(RecordModel.Meta):
        verbose_name = "结账"
        verbose_name_plural = "结账"
        constraints = [
            *RecordModel.Meta.constraints,
            models.UniqueConstraint(fields=["account_set", "period"], name="accounting_periodclose_unique"),
            models.CheckConstraint(
                condition=models.Q(reopened_at__isnull=True) | ~models.Q(reopen_reason=""),
                name="accounting_periodclose_reopen_reason",
            ),
        ]

    class Spec:
        natural_key = ("account_set", "period")
        list_display = ("account_set", "period", "is_closed", "closed_at", "closed_by", "reopened_at")
        list_filter = ("is_closed", "period")
        search_fields = ("org__name", "period")
        ordering = ("-period",)

    def __str__(self) -> str:
        return f"{self.account_set} {self.period}"

    def clean(self) -> None:
        super().clean()
        problem = period_problem(self.period)
        if problem:
            raise ValidationError({"period": problem})
        if self.account_set_id and self.period < self.account_set.start_period:
            raise ValidationError({"period": f"结账期间早于账套启用期间{self.account_set.start_period}"})
        if self.reopened_at and not self.reopen_reason:
            raise ValidationError({"reopen_reason": "反结账必须填写原因"})
