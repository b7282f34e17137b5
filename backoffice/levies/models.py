"""Record types of 一事一议筹资筹劳 (One matter, one discussion fund and labour raising, DOMAIN.md §2.5).

A ``LevyProject`` is decided in a ``LevyMeeting``, raises money or labour from persons
(``LevyContribution``), spends it (``LevyExpense``) and ends with an ``LevyAcceptance``. Status moves
only through ``services.levy_project_transition``; caps and meeting fractions are in ``rules``.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q

from backoffice.core.fields import MoneyField
from backoffice.core.models import RecordModel

from .choices import AcceptanceResult, LevyProjectType, LevyStatus, MeetingType
from .rules import meeting_is_valid


class LevyProject(RecordModel):
    """一事一议项目 — a small village public work financed partly by villagers' money or labour.

    Standards are per year: ``money_standard`` 元 per contributor, ``labour_standard`` labour-days per
    labourer. ``proposed_on`` (提议日期) places the project in a year for the caps [D].
    """

    project_no = models.CharField("项目编号", max_length=40)
    name = models.CharField("项目名称", max_length=120)
    project_type = models.CharField("项目类型", max_length=20, choices=LevyProjectType.choices)
    location = models.CharField("建设地点", max_length=120, blank=True, default="")
    proposed_on = models.DateField("提议日期")
    beneficiaries = models.PositiveIntegerField("受益人口", default=0)
    budget = MoneyField("预算总额")
    money_standard = MoneyField("筹资标准", help_text="单位：元/人")
    labour_standard = models.DecimalField(
        "筹劳标准",
        max_digits=6,
        decimal_places=1,
        default=Decimal("0"),
        help_text="单位：工日/劳力",
    )
    contributors = models.PositiveIntegerField("筹资人数", default=0)
    labourers = models.PositiveIntegerField("筹劳人数", default=0)
    exemptions = models.PositiveIntegerField("减免人数", default=0)
    substitute_rate = MoneyField("以资代劳标准", help_text="单位：元/工日；只能自愿以资代劳")
    fiscal_reward = MoneyField("财政奖补资金")
    other_funding = MoneyField("其他资金")
    status = models.CharField(
        "项目状态", max_length=20, choices=LevyStatus.choices, default=LevyStatus.PROPOSED
    )

    class Meta(RecordModel.Meta):
        verbose_name = "一事一议项目"
        verbose_name_plural = "一事一议项目"
        constraints = [
            *RecordModel.Meta.constraints,
            models.UniqueConstraint(
                fields=["org", "project_no"],
                name="levies_project_unique_no",
                violation_error_message="本组织已有相同编号的一事一议项目",
            ),
            models.CheckConstraint(
                condition=Q(
                    budget__gte=0,
                    money_standard__gte=0,
                    labour_standard__gte=0,
                    substitute_rate__gte=0,
                    fiscal_reward__gte=0,
                    other_funding__gte=0,
                ),
                name="levies_project_amounts_not_negative",
                violation_error_message="预算、筹资筹劳标准、以资代劳标准、奖补和其他资金都不能为负数",
            ),
            models.CheckConstraint(
                condition=Q(status__in=LevyStatus.values),
                name="levies_project_status_valid",
                violation_error_message="项目状态不在允许的取值内",
            ),
        ]

    class Spec:
        natural_key = ("org", "project_no")
        list_display = (
            "project_no",
            "name",
            "project_type",
            "budget",
            "money_standard",
            "labour_standard",
            "fiscal_reward",
            "status",
            "org",
        )
        list_filter = ("project_type", "status")
        search_fields = ("project_no", "name", "location", "org__name")
        money_fields = ("budget", "money_standard", "substitute_rate", "fiscal_reward", "other_funding")
        business_dates = ("proposed_on",)
        readonly_fields = ("status",)
        date_hierarchy = "proposed_on"

    def __str__(self) -> str:
        return f"{self.project_no} {self.name}"

    def clean(self) -> None:
        super().clean()
        errors: dict[str, str] = {}
        for name in (
            "budget",
            "money_standard",
            "labour_standard",
            "substitute_rate",
            "fiscal_reward",
            "other_funding",
        ):
            value = getattr(self, name)
            if value is not None and value < 0:
                errors[name] = f"{self._meta.get_field(name).verbose_name}不能为负数"
        if self.money_standard and self.money_standard > 0 and not self.contributors:
            errors["contributors"] = "有筹资标准时请填写筹资人数"
        if self.labour_standard and self.labour_standard > 0 and not self.labourers:
            errors["labourers"] = "有筹劳标准时请填写筹劳人数"
        if errors:
            raise ValidationError(errors)

    @property
    def has_valid_meeting(self) -> bool:
        return any(m.is_valid for m in self.meetings.all())


class LevyMeeting(RecordModel):
    """议事会议 — the villagers' (representatives') meeting that decided the project (DOMAIN.md §2.5).

    Validity (quorum and majority) is computed by ``rules.meeting_is_valid``; fractions are [L/V].
    """

    project = models.ForeignKey(
        LevyProject, verbose_name="一事一议项目", on_delete=models.CASCADE, related_name="meetings"
    )
    meeting_type = models.CharField("会议类型", max_length=16, choices=MeetingType.choices)
    meeting_date = models.DateField("会议日期")
    eligible_count = models.PositiveIntegerField(
        "应到人数", help_text="村民会议为18周岁以上村民数；代表会议为代表总数"
    )
    attendees = models.PositiveIntegerField("实到人数")
    votes_for = models.PositiveIntegerField("赞成票")
    votes_against = models.PositiveIntegerField("反对票", default=0)
    votes_abstain = models.PositiveIntegerField("弃权票", default=0)
    minutes = models.FileField("会议记录", upload_to="levies/minutes/%Y/", blank=True)

    class Meta(RecordModel.Meta):
        verbose_name = "议事会议"
        verbose_name_plural = "议事会议"
        constraints = [
            *RecordModel.Meta.constraints,
            models.UniqueConstraint(
                fields=["project", "meeting_type", "meeting_date"],
                name="levies_meeting_unique_date",
                violation_error_message="该项目当天已登记同类会议",
            ),
            models.CheckConstraint(
                condition=Q(eligible_count__gt=0),
                name="levies_meeting_eligible_positive",
                violation_error_message="应到人数必须大于0",
            ),
            models.CheckConstraint(
                condition=Q(attendees__lte=F("eligible_count")),
                name="levies_meeting_attendees_within_eligible",
                violation_error_message="实到人数不能多于应到人数",
            ),
            models.CheckConstraint(
                condition=Q(attendees__gte=F("votes_for") + F("votes_against") + F("votes_abstain")),
                name="levies_meeting_votes_within_attendees",
                violation_error_message="赞成、反对、弃权票合计不能多于实到人数",
            ),
        ]

    class Spec:
        natural_key = ("project", "meeting_type", "meeting_date")
        list_display = (
            "project",
            "meeting_type",
            "meeting_date",
            "eligible_count",
            "attendees",
            "votes_for",
            "is_valid",
            "org",
        )
        list_filter = ("meeting_type",)
        search_fields = ("project__name", "project__project_no", "org__name")
        business_dates = ("meeting_date",)
        date_hierarchy = "meeting_date"

    def __str__(self) -> str:
        return f"{self.project.project_no} {self.get_meeting_type_display()} {self.meeting_date:%Y-%m-%d}"

    @property
    def is_valid(self) -> bool:
        """Quorum and majority reached (see ``rules``)."""
        return meeting_is_valid(
            meeting_type=self.meeting_type,
            eligible_count=self.eligible_count or 0,
            attendees=self.attendees or 0,
            votes_for=self.votes_for or 0,
        )

    is_valid.fget.short_description = "决议有效"
    is_valid.fget.boolean = True

    def clean(self) -> None:
        super().clean()
        errors: dict[str, str] = {}
        if self.eligible_count is not None and self.eligible_count <= 0:
            errors["eligible_count"] = "应到人数必须大于0"
        if None not in (self.attendees, self.eligible_count) and self.attendees > self.eligible_count:
            errors["attendees"] = f"实到人数{self.attendees}不能多于应到人数{self.eligible_count}"
        votes = [self.votes_for, self.votes_against, self.votes_abstain]
        if self.attendees is not None and None not in votes and sum(votes) > self.attendees:
            errors["votes_for"] = f"赞成、反对、弃权票合计{sum(votes)}不能多于实到人数{self.attendees}"
        errors.update(_project_org_problem(self))
        if errors:
            raise ValidationError(errors)


class LevyContribution(RecordModel):
    """筹资筹劳明细 — what one person (or household) owes and has given in money or labour.

    The same person is not asked for both money and labour [M]; an exempted person owes nothing.
    Names are unique within the project (add the group for homonyms) [D].
    """

    project = models.ForeignKey(
        LevyProject, verbose_name="一事一议项目", on_delete=models.CASCADE, related_name="contributions"
    )
    contributor_name = models.CharField("姓名/户主", max_length=60)
    money_due = MoneyField("应筹资金")
    money_paid = MoneyField("实筹资金")
    labour_days_due = models.DecimalField("应出工日", max_digits=6, decimal_places=1, default=Decimal("0"))
    labour_days_done = models.DecimalField("实出工日", max_digits=6, decimal_places=1, default=Decimal("0"))
    exemption_reason = models.CharField(
        "减免原因", max_length=100, blank=True, default="", help_text="如现役军人、在校学生、残疾人等"
    )

    class Meta(RecordModel.Meta):
        verbose_name = "筹资筹劳明细"
        verbose_name_plural = "筹资筹劳明细"
        constraints = [
            *RecordModel.Meta.constraints,
            models.UniqueConstraint(
                fields=["project", "contributor_name"],
                name="levies_contribution_unique_person",
                violation_error_message="该项目已登记同名人员，请在姓名后加组别区分",
            ),
            models.CheckConstraint(
                condition=Q(
                    money_due__gte=0, money_paid__gte=0, labour_days_due__gte=0, labour_days_done__gte=0
                ),
                name="levies_contribution_not_negative",
                violation_error_message="应筹、实筹资金和工日都不能为负数",
            ),
            models.CheckConstraint(
                condition=Q(money_due=0) | Q(labour_days_due=0),
                name="levies_contribution_money_or_labour",
                violation_error_message="同一人不能既筹资又筹劳",
            ),
            models.CheckConstraint(
                condition=Q(exemption_reason="") | Q(money_due=0, labour_days_due=0),
                name="levies_contribution_exempt_owes_nothing",
                violation_error_message="已减免的人员应筹资金和应出工日都应为0",
            ),
        ]

    class Spec:
        natural_key = ("project", "contributor_name")
        list_display = (
            "contributor_name",
            "project",
            "money_due",
            "money_paid",
            "labour_days_due",
            "labour_days_done",
            "exemption_reason",
            "org",
        )
        search_fields = ("contributor_name", "project__name", "project__project_no", "org__name")
        money_fields = ("money_due", "money_paid")

    def __str__(self) -> str:
        return self.contributor_name

    def clean(self) -> None:
        super().clean()
        errors: dict[str, str] = {}
        if (self.money_due or 0) > 0 and (self.labour_days_due or 0) > 0:
            errors["labour_days_due"] = "同一人不能既筹资又筹劳：请只填应筹资金或应出工日其中一项"
        if self.exemption_reason and ((self.money_due or 0) > 0 or (self.labour_days_due or 0) > 0):
            errors["exemption_reason"] = "已填写减免原因的人员，应筹资金和应出工日都应为0"
        for name in ("money_due", "money_paid", "labour_days_due", "labour_days_done"):
            value = getattr(self, name)
            if value is not None and value < 0:
                errors[name] = f"{self._meta.get_field(name).verbose_name}不能为负数"
        errors.update(_project_org_problem(self))
        if errors:
            raise ValidationError(errors)


class LevyExpense(RecordModel):
    """项目支出 — money spent on the project, each backed by a voucher."""

    project = models.ForeignKey(
        LevyProject, verbose_name="一事一议项目", on_delete=models.CASCADE, related_name="expenses"
    )
    expense_date = models.DateField("支出日期")
    item = models.CharField("支出事项", max_length=120)
    amount = MoneyField("金额")
    voucher_ref = models.CharField("凭证号", max_length=40)

    class Meta(RecordModel.Meta):
        verbose_name = "项目支出"
        verbose_name_plural = "项目支出"
        constraints = [
            *RecordModel.Meta.constraints,
            models.UniqueConstraint(
                fields=["project", "voucher_ref"],
                name="levies_expense_unique_voucher",
                violation_error_message="该项目已登记相同凭证号的支出",
            ),
            models.CheckConstraint(
                condition=Q(amount__gt=0),
                name="levies_expense_amount_positive",
                violation_error_message="支出金额必须大于0",
            ),
        ]

    class Spec:
        natural_key = ("project", "voucher_ref")
        list_display = ("expense_date", "project", "item", "amount", "voucher_ref", "org")
        search_fields = ("item", "voucher_ref", "project__name", "project__project_no", "org__name")
        money_fields = ("amount",)
        business_dates = ("expense_date",)
        date_hierarchy = "expense_date"

    def __str__(self) -> str:
        return f"{self.voucher_ref} {self.item}"

    def clean(self) -> None:
        super().clean()
        errors: dict[str, str] = {}
        if self.amount is not None and self.amount <= 0:
            errors["amount"] = "支出金额必须大于0元"
        errors.update(_project_org_problem(self))
        if errors:
            raise ValidationError(errors)


class LevyAcceptance(RecordModel):
    """项目验收 — completion, acceptance result, final accounts (决算) and where they were disclosed."""

    project = models.OneToOneField(
        LevyProject, verbose_name="一事一议项目", on_delete=models.CASCADE, related_name="acceptance"
    )
    completion_date = models.DateField("完工日期")
    accepted_on = models.DateField("验收日期")
    result = models.CharField("验收结果", max_length=10, choices=AcceptanceResult.choices)
    final_accounts = MoneyField("决算金额")
    disclosure_ref = models.CharField(
        "公开情况", max_length=120, blank=True, default="", help_text="村务公开栏或财务公开记录编号"
    )

    class Meta(RecordModel.Meta):
        verbose_name = "项目验收"
        verbose_name_plural = "项目验收"
        constraints = [
            *RecordModel.Meta.constraints,
            models.CheckConstraint(
                condition=Q(accepted_on__gte=F("completion_date")),
                name="levies_acceptance_after_completion",
                violation_error_message="验收日期不能早于完工日期",
            ),
            models.CheckConstraint(
                condition=Q(final_accounts__gte=0),
                name="levies_acceptance_final_accounts_not_negative",
                violation_error_message="决算金额不能为负数",
            ),
        ]

    class Spec:
        natural_key = ("project",)
        list_display = (
            "project",
            "completion_date",
            "accepted_on",
            "result",
            "final_accounts",
            "disclosure_ref",
            "org",
        )
        list_filter = ("result",)
        search_fields = ("project__name", "project__project_no", "disclosure_ref", "org__name")
        money_fields = ("final_accounts",)
        business_dates = ("completion_date",)
        date_hierarchy = "accepted_on"

    def __str__(self) -> str:
        return f"{self.project} 验收"

    def clean(self) -> None:
        super().clean()
        errors: dict[str, str] = {}
        if self.accepted_on and self.completion_date and self.accepted_on < self.completion_date:
            errors["accepted_on"] = "验收日期不能早于完工日期"
        if self.final_accounts is not None and self.final_accounts < 0:
            errors["final_accounts"] = "决算金额不能为负数"
        errors.update(_project_org_problem(self))
        if errors:
            raise ValidationError(errors)


def _project_org_problem(record: RecordModel) -> dict[str, str]:
    if record.project_id and record.org_id and record.project.org_id != record.org_id:
        return {"project": "所选一事一议项目属于另一个集体经济组织，请选择本组织的项目"}
    return {}
