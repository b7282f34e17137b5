"""收益分配到成员: dividends and their payments to members."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from backoffice.core.fields import MoneyField
from backoffice.core.models import RecordModel
from backoffice.core.pii import SensitiveField, SensitiveKind

from .members import Member


class Dividend(RecordModel):
    """收益分配（到成员）: one year's dividend to members, approved by the member (representative) assembly.

    [D] One distribution per organisation and year; ``per_share_amount`` in 元 with 4 decimals.
    """

    year = models.PositiveSmallIntegerField("分配年度")
    plan_note = models.TextField(
        "分配方案", blank=True, default="", help_text="如：公积公益金、福利费、成员分红按5:2:3提取"
    )
    total_amount = MoneyField("分红总额")
    per_share_amount = models.DecimalField("每股分红（元）", max_digits=12, decimal_places=4)
    approved_on = models.DateField("批准日期")

    class Meta(RecordModel.Meta):
        verbose_name = "成员分红"
        verbose_name_plural = "成员分红"
        constraints = [
            *RecordModel.Meta.constraints,
            models.UniqueConstraint(fields=["org", "year"], name="reform_dividend_unique_year"),
            models.CheckConstraint(
                condition=Q(total_amount__gte=0, per_share_amount__gte=0),
                name="reform_dividend_amounts_gte_0",
            ),
        ]

    class Spec:
        natural_key = ("org", "year")
        list_display = ("org", "year", "total_amount", "per_share_amount", "approved_on")
        list_filter = ("year",)
        search_fields = ("org__name",)
        money_fields = ("total_amount",)
        business_dates = ("approved_on",)
        date_hierarchy = "approved_on"

    def __str__(self) -> str:
        return f"{self.year}年度分红"

    def clean(self) -> None:
        super().clean()
        if self.year and self.approved_on and self.approved_on.year < self.year:
            raise ValidationError({"approved_on": f"{self.year}年度分红的批准日期不能早于该年度"})


class DividendPayment(RecordModel):
    """分红发放: what one member received from a dividend (account masked, §8)."""

    dividend = models.ForeignKey(
        Dividend, verbose_name="分红", on_delete=models.CASCADE, related_name="payments"
    )
    member = models.ForeignKey(
        Member, verbose_name="成员", on_delete=models.PROTECT, related_name="dividend_payments"
    )
    amount = MoneyField("分红金额")
    paid_on = models.DateField("发放日期", null=True, blank=True)
    account = SensitiveField("收款账号", kind=SensitiveKind.BANK_ACCOUNT, blank=True)

    class Meta(RecordModel.Meta):
        verbose_name = "分红发放"
        verbose_name_plural = "分红发放"
        constraints = [
            *RecordModel.Meta.constraints,
            models.UniqueConstraint(fields=["dividend", "member"], name="reform_payment_unique_member"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="reform_payment_amount_gte_0"),
        ]

    class Spec:
        natural_key = ("org", "dividend", "member")
        list_display = ("member", "org", "dividend", "amount", "paid_on", "account")
        search_fields = ("member__name", "org__name")
        money_fields = ("amount",)
        business_dates = ("paid_on",)
        date_hierarchy = "paid_on"

    def __str__(self) -> str:
        return f"{self.member} {self.amount}元"

    def clean(self) -> None:
        super().clean()
        errors: dict[str, str] = {}
        if self.dividend_id and self.org_id and self.dividend.org_id != self.org_id:
            errors["dividend"] = "分红属于另一个集体经济组织"
        if self.member_id and self.dividend_id and self.member.org_id != self.dividend.org_id:
            errors["member"] = "只能向本集体经济组织的成员发放分红"
        if self.paid_on and self.dividend_id and self.paid_on < self.dividend.approved_on:
            errors["paid_on"] = "发放日期不能早于分红方案批准日期"
        if errors:
            raise ValidationError(errors)
