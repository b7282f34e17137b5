"""记账凭证 and their entry lines."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models

from backoffice.core.fields import MoneyField
from backoffice.core.models import RecordModel

from ..choices import (
    EntryKind,
    VoucherSource,
    VoucherStatus,
)
from ..periods import period_of
from .books import Account, AccountSet
from .common import PERIOD_VALIDATOR


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
        indexes = [
            models.Index(fields=["account_set", "period", "status"], name="accounting_voucher_period"),
            # the admin list's order (Spec.ordering, then the key): a city-wide list page reads 50 index
            # entries instead of sorting every row of the city (load test, README)
            models.Index(fields=["-voucher_date", "-number", "-id"], name="accounting_voucher_list_order"),
        ]

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
        query_lookups = ("voucher__period",)  # 收益分配统计表 drills to the lines of a range of periods

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
