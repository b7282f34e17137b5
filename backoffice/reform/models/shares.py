"""折股量化: share holdings and their changes."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from backoffice.core.models import RecordModel

from ..choices import ShareChangeType, ShareType
from .members import Household, Member


class ShareHolding(RecordModel):
    """股权（份额）: units of one share type held by a member or by a household — exactly one (DB check).

    [D] ``voting_weight`` defaults to 1 (one member one vote); ``effective_to`` closes a holding that ended
    (death, withdrawal, transfer) instead of deleting it.
    """

    member = models.ForeignKey(
        Member,
        verbose_name="持有成员",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="holdings",
    )
    household = models.ForeignKey(
        Household,
        verbose_name="持有农户",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="holdings",
    )
    share_type = models.CharField(
        "股权类型", max_length=14, choices=ShareType.choices, default=ShareType.POPULATION
    )
    units = models.DecimalField("股数（份额）", max_digits=12, decimal_places=2)
    certificate_no = models.CharField("股权证号", max_length=40, blank=True, default="")
    voting_weight = models.DecimalField("表决权数", max_digits=6, decimal_places=2, default=1)
    effective_from = models.DateField("生效日期")
    effective_to = models.DateField("终止日期", null=True, blank=True)

    class Meta(RecordModel.Meta):
        verbose_name = "股权（份额）"
        verbose_name_plural = "股权（份额）"
        constraints = [
            *RecordModel.Meta.constraints,
            models.CheckConstraint(
                condition=Q(member__isnull=False, household__isnull=True)
                | Q(member__isnull=True, household__isnull=False),
                name="reform_holding_exactly_one_owner",
            ),
            models.CheckConstraint(condition=Q(units__gt=0), name="reform_holding_units_gt_0"),
            models.CheckConstraint(
                condition=Q(voting_weight__gte=0), name="reform_holding_voting_weight_gte_0"
            ),
            models.CheckConstraint(
                condition=Q(effective_to__isnull=True) | Q(effective_to__gte=models.F("effective_from")),
                name="reform_holding_dates",
            ),
            models.UniqueConstraint(
                fields=["member", "share_type", "effective_from"],
                condition=Q(member__isnull=False),
                name="reform_holding_unique_member",
            ),
            models.UniqueConstraint(
                fields=["household", "share_type", "effective_from"],
                condition=Q(household__isnull=False),
                name="reform_holding_unique_household",
            ),
        ]

    class Spec:
        natural_key = ("org", "member", "household", "share_type", "effective_from")
        list_display = (
            "org",
            "certificate_no",
            "member",
            "household",
            "share_type",
            "units",
            "effective_from",
            "effective_to",
        )
        list_filter = ("share_type",)
        search_fields = ("certificate_no", "member__name", "household__household_no", "org__name")
        business_dates = ("effective_to",)
        date_hierarchy = "effective_from"

    def __str__(self) -> str:
        owner = self.member or self.household
        return f"{owner} {self.get_share_type_display()} {self.units}股"

    def is_active_on(self, day: date) -> bool:
        return self.effective_from <= day and (self.effective_to is None or self.effective_to >= day)

    def clean(self) -> None:
        super().clean()
        errors: dict[str, str] = {}
        if bool(self.member_id) == bool(self.household_id):
            errors["member"] = "股权须由一名成员或一个农户持有：请在“持有成员”和“持有农户”中只填一项"
        if self.units is not None and self.units <= 0:
            errors["units"] = "股数必须大于0"
        if self.effective_to and self.effective_from and self.effective_to < self.effective_from:
            errors["effective_to"] = "终止日期不能早于生效日期"
        owner = self.member if self.member_id else (self.household if self.household_id else None)
        if owner is not None and self.org_id and owner.org_id != self.org_id:
            errors["member" if self.member_id else "household"] = "持有人属于另一个集体经济组织"
        if errors:
            raise ValidationError(errors)


class ShareChange(RecordModel):
    """股权变更: inheritance, transfer within the organisation, gift or withdrawal of units of a holding.

    [D] ``to_member`` is the receiving member (required except for a withdrawal); the service
    ``share_change_record`` also closes or reduces the source holding and opens the receiver's.
    """

    holding = models.ForeignKey(
        ShareHolding, verbose_name="原股权", on_delete=models.PROTECT, related_name="changes"
    )
    change_type = models.CharField("变更类型", max_length=12, choices=ShareChangeType.choices)
    change_date = models.DateField("变更日期")
    units = models.DecimalField("变更股数", max_digits=12, decimal_places=2)
    to_member = models.ForeignKey(
        Member,
        verbose_name="受让/继承成员",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    approval_ref = models.CharField("批准文号/决议", max_length=100, blank=True, default="")

    class Meta(RecordModel.Meta):
        verbose_name = "股权变更"
        verbose_name_plural = "股权变更"
        constraints = [
            *RecordModel.Meta.constraints,
            models.UniqueConstraint(
                fields=["holding", "change_date", "change_type"], name="reform_change_unique"
            ),
            models.CheckConstraint(condition=Q(units__gt=0), name="reform_change_units_gt_0"),
            models.CheckConstraint(
                condition=Q(change_type=ShareChangeType.WITHDRAWAL, to_member__isnull=True)
                | (~Q(change_type=ShareChangeType.WITHDRAWAL) & Q(to_member__isnull=False)),
                name="reform_change_receiver_unless_withdrawal",
            ),
        ]

    class Spec:
        natural_key = ("org", "holding", "change_date", "change_type")
        list_display = ("org", "holding", "change_type", "change_date", "units", "to_member", "approval_ref")
        list_filter = ("change_type",)
        search_fields = ("org__name", "approval_ref", "holding__member__name", "to_member__name")
        business_dates = ("change_date",)
        date_hierarchy = "change_date"

    def __str__(self) -> str:
        return f"{self.get_change_type_display()} {self.units}股（{self.change_date}）"

    def clean(self) -> None:
        super().clean()
        errors: dict[str, str] = {}
        if self.change_type == ShareChangeType.WITHDRAWAL and self.to_member_id:
            errors["to_member"] = "退出不涉及受让人，请清空“受让/继承成员”"
        elif self.change_type and self.change_type != ShareChangeType.WITHDRAWAL and not self.to_member_id:
            errors["to_member"] = f"{self.get_change_type_display()}须填写受让/继承成员"
        if self.holding_id and self.units is not None and self.units > self.holding.units:
            errors["units"] = f"变更股数{self.units}超过原股权股数{self.holding.units}"
        if self.holding_id and self.org_id and self.holding.org_id != self.org_id:
            errors["holding"] = "原股权属于另一个集体经济组织"
        if self.to_member_id and self.org_id and self.to_member.org_id != self.org_id:
            errors["to_member"] = "股权只能在本集体经济组织成员之间流转"
        if errors:
            raise ValidationError(errors)
