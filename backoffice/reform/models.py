"""Record types of 产权制度改革成果 (Results of the collective property-rights reform, DOMAIN.md §2.10).

Keeps the results of asset clearing (清产核资), membership confirmation (成员身份确认) and quantification
of operating assets into shares (折股量化), then later member and share changes and dividends paid to
members (out of 322 收益分配). Statistics "organisations & members" read from here.
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from backoffice.core.fields import AreaField, MoneyField
from backoffice.core.models import RecordModel
from backoffice.core.pii import SensitiveField, SensitiveKind

from .choices import Gender, MemberCategory, MemberStatus, RelationToHead, ShareChangeType, ShareType


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


class Household(RecordModel):
    """农户: a household of the collective (户号 unique within the organisation)."""

    household_no = models.CharField("户号", max_length=20)
    head_name = models.CharField("户主姓名", max_length=40)
    address = models.CharField("住址", max_length=200, blank=True, default="")
    member_count = models.PositiveSmallIntegerField("户籍人口数", default=1)

    class Meta(RecordModel.Meta):
        verbose_name = "农户"
        verbose_name_plural = "农户"
        constraints = [
            *RecordModel.Meta.constraints,
            models.UniqueConstraint(fields=["org", "household_no"], name="reform_household_unique_no"),
        ]

    class Spec:
        natural_key = ("org", "household_no")
        list_display = ("household_no", "head_name", "org", "member_count", "address")
        search_fields = ("household_no", "head_name", "org__name")

    def __str__(self) -> str:
        return f"{self.household_no} {self.head_name}"


class Member(RecordModel):
    """集体经济组织成员: a confirmed member, identified by the resident ID (one row per person per org).

    ``loss_date`` is filled exactly when the status is not active (DB check); for a suspended member it is
    the date the dispute began. The gender must agree with the 17th ID digit (odd = male).
    """

    name = models.CharField("姓名", max_length=40)
    gender = models.CharField("性别", max_length=6, choices=Gender.choices)
    id_no = SensitiveField("身份证号", kind=SensitiveKind.RESIDENT_ID)
    household = models.ForeignKey(
        Household, verbose_name="所在农户", on_delete=models.PROTECT, related_name="members"
    )
    relation_to_head = models.CharField("与户主关系", max_length=12, choices=RelationToHead.choices)
    category = models.CharField(
        "成员类别",
        max_length=12,
        choices=MemberCategory.choices,
        default=MemberCategory.ORIGINAL,
    )
    confirmed_on = models.DateField("身份确认日期", null=True, blank=True)
    status = models.CharField(
        "成员状态", max_length=10, choices=MemberStatus.choices, default=MemberStatus.ACTIVE
    )
    loss_reason = models.CharField("丧失/变动原因", max_length=200, blank=True, default="")
    loss_date = models.DateField("丧失/变动日期", null=True, blank=True)

    class Meta(RecordModel.Meta):
        verbose_name = "集体经济组织成员"
        verbose_name_plural = "集体经济组织成员"
        constraints = [
            *RecordModel.Meta.constraints,
            models.UniqueConstraint(fields=["org", "id_no_hash"], name="reform_member_unique_person"),
            models.CheckConstraint(
                condition=Q(status=MemberStatus.ACTIVE, loss_date__isnull=True)
                | (~Q(status=MemberStatus.ACTIVE) & Q(loss_date__isnull=False)),
                name="reform_member_loss_date_iff_inactive",
            ),
        ]

    class Spec:
        natural_key = ("org", "id_no_hash")
        list_display = ("name", "id_no", "gender", "household", "org", "category", "status")
        list_filter = ("status", "category", "gender")
        search_fields = ("name", "household__household_no", "org__name")
        business_dates = ("loss_date",)
        date_hierarchy = "confirmed_on"

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        errors: dict[str, str] = {}
        if self.status == MemberStatus.ACTIVE and self.loss_date:
            errors["loss_date"] = "状态为“正常”的成员不应填写丧失/变动日期；如已丧失身份请先修改状态"
        if self.status and self.status != MemberStatus.ACTIVE:
            if not self.loss_date:
                errors["loss_date"] = f"成员状态为“{self.get_status_display()}”，请填写丧失/变动日期"
            if not self.loss_reason.strip():
                errors["loss_reason"] = f"成员状态为“{self.get_status_display()}”，请填写原因"
        if self.loss_date and self.confirmed_on and self.loss_date < self.confirmed_on:
            errors["loss_date"] = "丧失/变动日期不能早于身份确认日期"
        id_no = (self.id_no or "").strip().upper()
        if len(id_no) == 18 and id_no[16].isdigit() and self.gender:
            expected = Gender.MALE if int(id_no[16]) % 2 else Gender.FEMALE
            if self.gender != expected:
                errors["gender"] = f"性别与身份证号第17位不符（应为“{expected.label}”），请核对"
        if self.household_id and self.org_id and self.household.org_id != self.org_id:
            errors["household"] = "所选农户属于另一个集体经济组织"
        if errors:
            raise ValidationError(errors)


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
