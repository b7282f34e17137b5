"""Trial-balance rows (科目余额) and period closes (结账)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models

from backoffice.core.fields import MoneyField
from backoffice.core.models import RecordModel

from ..periods import period_problem
from .books import Account, AccountSet
from .common import CENT, PERIOD_VALIDATOR


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
