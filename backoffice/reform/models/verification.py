"""清产核资: the asset verification (clearing) results of an organisation."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from backoffice.core.fields import AreaField, MoneyField
from backoffice.core.models import RecordModel


class AssetVerification(RecordModel):
    """清产核资: book against verified values by asset class at a base date, published and confirmed.

    [D] Resource assets are valued in 元 like the others, with their verified area in 亩 alongside.
    """

    base_date = models.DateField("清查基准日")
    operating_book_value = MoneyField("经营性资产账面值")
    operating_verified_value = MoneyField("经营性资产核实值")
    non_operating_book_value = MoneyField("非经营性资产账面值")
    non_operating_verified_value = MoneyField("非经营性资产核实值")
    resource_book_value = MoneyField("资源性资产账面值")
    resource_verified_value = MoneyField("资源性资产核实值")
    resource_area = AreaField("资源性资产核实面积", null=True, blank=True)
    verified_by = models.CharField(
        "核实人/机构", max_length=100, help_text="如：清产核资工作小组、会计师事务所"
    )
    publicity_start = models.DateField("公示开始日期", null=True, blank=True)
    publicity_end = models.DateField("公示结束日期", null=True, blank=True)
    confirmed_on = models.DateField("成员（代表）大会确认日期", null=True, blank=True)

    class Meta(RecordModel.Meta):
        verbose_name = "清产核资"
        verbose_name_plural = "清产核资"
        constraints = [
            *RecordModel.Meta.constraints,
            models.UniqueConstraint(fields=["org", "base_date"], name="reform_verification_unique_base_date"),
            models.CheckConstraint(
                condition=Q(
                    operating_book_value__gte=0,
                    operating_verified_value__gte=0,
                    non_operating_book_value__gte=0,
                    non_operating_verified_value__gte=0,
                    resource_book_value__gte=0,
                    resource_verified_value__gte=0,
                ),
                name="reform_verification_values_gte_0",
            ),
            models.CheckConstraint(
                condition=Q(publicity_start__isnull=True)
                | Q(publicity_end__isnull=True)
                | Q(publicity_end__gte=models.F("publicity_start")),
                name="reform_verification_publicity_dates",
            ),
        ]

    class Spec:
        natural_key = ("org", "base_date")
        list_display = (
            "org",
            "base_date",
            "operating_verified_value",
            "non_operating_verified_value",
            "resource_verified_value",
            "confirmed_on",
        )
        search_fields = ("org__name", "verified_by")
        money_fields = (
            "operating_book_value",
            "operating_verified_value",
            "non_operating_book_value",
            "non_operating_verified_value",
            "resource_book_value",
            "resource_verified_value",
        )
        business_dates = ("confirmed_on",)
        date_hierarchy = "base_date"

    def __str__(self) -> str:
        return f"清产核资（基准日{self.base_date}）"

    def clean(self) -> None:
        super().clean()
        errors: dict[str, str] = {}
        if bool(self.publicity_start) != bool(self.publicity_end):
            errors["publicity_end"] = "公示开始和结束日期须同时填写"
        elif self.publicity_start and self.publicity_end < self.publicity_start:
            errors["publicity_end"] = "公示结束日期不能早于开始日期"
        if self.confirmed_on:
            if not self.publicity_end:
                errors["confirmed_on"] = "清产核资结果须先公示再由成员（代表）大会确认，请填写公示日期"
            elif self.confirmed_on < self.publicity_end:
                errors["confirmed_on"] = "确认日期不能早于公示结束日期"
        if self.base_date and self.publicity_start and self.publicity_start < self.base_date:
            errors["publicity_start"] = "公示开始日期不能早于清查基准日"
        if errors:
            raise ValidationError(errors)
