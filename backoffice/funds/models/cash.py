"""Cash on hand: the approved cash limit (库存现金限额), the cash journal (现金日记账) and the daily
balance snapshot (DailyBalance) that alerts A1 (cash over limit) and A7 (ledger ≠ bank) read."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models

from backoffice.core.fields import MoneyField
from backoffice.core.models import RecordModel

from ..constants import CASH_BASIS_DAYS_MAX, CASH_BASIS_DAYS_MIN


class CashLimit(RecordModel):
    """库存现金限额 — the cash an organisation may keep on hand, approved for a validity period.

    《现金管理暂行条例》 sets it at 3–5 days of petty spending, up to 15 days for remote units [M]; an
    organisation without an approved limit falls back to ``constants.DEFAULT_CASH_LIMIT`` [D]. Validity
    periods of one organisation never overlap; ``valid_to`` empty means open-ended [D].
    """

    limit_amount = MoneyField("限额")
    basis_days = models.PositiveSmallIntegerField(
        "核定天数",
        default=3,
        help_text=f"按{CASH_BASIS_DAYS_MIN}–{CASH_BASIS_DAYS_MAX}天日常零星开支核定",
    )
    approved_by = models.CharField("核定单位", max_length=80, help_text="如开户银行或乡镇农经站")
    approval_ref = models.CharField("核定文号", max_length=60, blank=True, default="")
    valid_from = models.DateField("生效日期")
    valid_to = models.DateField("失效日期", null=True, blank=True, help_text="留空表示长期有效")

    class Meta(RecordModel.Meta):
        verbose_name = "库存现金限额"
        verbose_name_plural = "库存现金限额"
        constraints = [
            *RecordModel.Meta.constraints,
            models.UniqueConstraint(fields=["org", "valid_from"], name="funds_cashlimit_unique_start"),
            models.CheckConstraint(
                condition=models.Q(limit_amount__gt=0), name="funds_cashlimit_amount_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(basis_days__gte=CASH_BASIS_DAYS_MIN, basis_days__lte=CASH_BASIS_DAYS_MAX),
                name="funds_cashlimit_basis_days_3_15",
            ),
            models.CheckConstraint(
                condition=models.Q(valid_to__isnull=True) | models.Q(valid_to__gte=models.F("valid_from")),
                name="funds_cashlimit_valid_to_after_from",
            ),
        ]

    class Spec:
        natural_key = ("org", "valid_from")
        list_display = ("org", "limit_amount", "basis_days", "valid_from", "valid_to", "approved_by")
        search_fields = ("org__name", "approval_ref", "approved_by")
        money_fields = ("limit_amount",)
        business_dates = ("valid_from",)
        date_hierarchy = "valid_from"
        ordering = ("region_code", "-valid_from")

    def __str__(self) -> str:
        end = f"{self.valid_to}" if self.valid_to else "长期"
        return f"库存现金限额 {self.limit_amount}元（{self.valid_from}至{end}）"

    def overlapping(self) -> models.QuerySet:
        """Other limits of the same organisation whose validity period overlaps this one."""
        qs = CashLimit.objects.filter(org_id=self.org_id).exclude(pk=self.pk)
        qs = qs.filter(models.Q(valid_to__isnull=True) | models.Q(valid_to__gte=self.valid_from))
        if self.valid_to:
            qs = qs.filter(valid_from__lte=self.valid_to)
        return qs

    def clean(self) -> None:
        super().clean()
        errors = {}
        if self.limit_amount is not None and self.limit_amount <= 0:
            errors["limit_amount"] = "库存现金限额必须大于0元"
        if self.basis_days is not None and not CASH_BASIS_DAYS_MIN <= self.basis_days <= CASH_BASIS_DAYS_MAX:
            errors["basis_days"] = (
                f"核定天数应为{CASH_BASIS_DAYS_MIN}–{CASH_BASIS_DAYS_MAX}天（一般3–5天，边远地区最多15天），"
                f"当前为{self.basis_days}天"
            )
        if self.valid_from and self.valid_to and self.valid_to < self.valid_from:
            errors["valid_to"] = f"失效日期{self.valid_to}早于生效日期{self.valid_from}，请核对"
        if errors:
            raise ValidationError(errors)
        if self.org_id and self.valid_from:
            clash = self.overlapping().order_by("valid_from").first()
            if clash is not None:
                raise ValidationError(
                    {
                        "valid_from": (
                            f"与已有限额（{clash.valid_from}至{clash.valid_to or '长期'}，"
                            f"{clash.limit_amount}元）的有效期重叠；"
                            "请先为原限额填写失效日期，或调整本限额的生效日期"
                        )
                    }
                )


class CashJournal(RecordModel):
    """现金日记账 — one line of the cash book: a receipt or a payment, with the running balance.

    A line is either a receipt or a payment (a zero/zero line is allowed for 期初余额/承前页). ``balance``
    may go negative: that is a finding (A1 sub-rule: cash balance negative), not an input error [D].
    """

    entry_date = models.DateField("日期")
    seq = models.PositiveIntegerField("序号", help_text="当日顺序号")
    voucher_ref = models.CharField("凭证号", max_length=40, blank=True, default="")
    summary = models.CharField("摘要", max_length=200)
    receipt = MoneyField("收入")
    payment = MoneyField("支出")
    balance = MoneyField("余额")

    class Meta(RecordModel.Meta):
        verbose_name = "现金日记账"
        verbose_name_plural = "现金日记账"
        # the admin list's order (Spec.ordering, then the key): a city-wide list page reads 50 index entries
        # instead of sorting every row of the city (load test, README)
        indexes = [models.Index(fields=["-entry_date", "-seq", "-id"], name="funds_cashjournal_list_order")]
        constraints = [
            *RecordModel.Meta.constraints,
            models.UniqueConstraint(
                fields=["org", "entry_date", "seq"], name="funds_cashjournal_unique_line"
            ),
            models.CheckConstraint(
                condition=models.Q(receipt=0) | models.Q(payment=0),
                name="funds_cashjournal_receipt_or_payment",
            ),
            models.CheckConstraint(
                condition=models.Q(receipt__gte=0, payment__gte=0),
                name="funds_cashjournal_amounts_not_negative",
            ),
        ]

    class Spec:
        natural_key = ("org", "entry_date", "seq")
        list_display = ("entry_date", "seq", "org", "voucher_ref", "summary", "receipt", "payment", "balance")
        search_fields = ("summary", "voucher_ref", "org__name")
        money_fields = ("receipt", "payment", "balance")
        business_dates = ("entry_date",)
        date_hierarchy = "entry_date"
        ordering = ("-entry_date", "-seq")

    def __str__(self) -> str:
        return f"{self.entry_date} #{self.seq} {self.summary}"

    def clean(self) -> None:
        super().clean()
        errors = {}
        if self.receipt and self.payment:
            errors["payment"] = "同一行不能同时有收入和支出，请分两行登记"
        for name in ("receipt", "payment"):
            value = getattr(self, name)
            if value is not None and value < 0:
                errors[name] = f"{self._meta.get_field(name).verbose_name}不能为负数；冲减请用另一方向登记"
        if errors:
            raise ValidationError(errors)


class DailyBalance(RecordModel):
    """DailyBalance (日终余额) — end-of-day balances of one organisation: cash (ledger 101 库存现金), bank
    deposits per ledger (102) and per bank statement (sum of its accounts' balances from the feed).

    Daily for recent days, month-end before that [D]. A1 compares ``cash_balance`` with the cash limit;
    A7 compares the two bank figures at month-end.
    """

    balance_date = models.DateField("日期")
    cash_balance = MoneyField("库存现金余额", help_text="单位：元；101科目日终余额")
    bank_balance_ledger = MoneyField("银行存款账面余额", help_text="单位：元；102科目日终余额")
    bank_balance_statement = MoneyField("银行对账单余额", help_text="单位：元；各账户银行流水日终余额合计")

    class Meta(RecordModel.Meta):
        verbose_name = "日终余额"
        verbose_name_plural = "日终余额"
        # the admin list's order (Spec.ordering, then the key): a city-wide list page reads 50 index entries
        # instead of sorting every row of the city (load test, README)
        indexes = [
            models.Index(fields=["-balance_date", "region_code", "-id"], name="funds_dailybal_list_order")
        ]
        constraints = [
            *RecordModel.Meta.constraints,
            models.UniqueConstraint(fields=["org", "balance_date"], name="funds_dailybalance_unique_day"),
        ]

    class Spec:
        natural_key = ("org", "balance_date")
        list_display = (
            "balance_date",
            "org",
            "cash_balance",
            "bank_balance_ledger",
            "bank_balance_statement",
        )
        search_fields = ("org__name",)
        money_fields = ("cash_balance", "bank_balance_ledger", "bank_balance_statement")
        business_dates = ("balance_date",)
        date_hierarchy = "balance_date"
        ordering = ("-balance_date", "region_code")

    def __str__(self) -> str:
        return f"{self.balance_date} 日终余额"

    @property
    def bank_difference(self):
        """账面 − 对账单 (non-zero at month-end is an A7 finding unless explained by reconciling items)."""
        return self.bank_balance_ledger - self.bank_balance_statement
