"""Record types of 财务公开 (Financial disclosure, DOMAIN.md §2.6).

A collective organisation publishes its finances at least quarterly (monthly where transactions are
frequent, immediately for special matters), in eight categories, after review by the democratic finance
group (民主理财小组), through fixed channels; members' feedback is recorded and answered. A plan row
states what is due; alert A5 (§4.2) fires when a due disclosure is not published within the grace period.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models

from backoffice.core.models import RecordModel

from .choices import DisclosureCategory, DisclosureChannel, DisclosurePeriodType
from .validators import EVIDENCE_VALIDATORS, period_problem, unmasked_personal_data


class DisclosurePlan(RecordModel):
    """公开计划: one disclosure an organisation owes for a period.

    [D] ``due_date`` is the last day of the period covered (quarter or month end; the matter's date for a
    special disclosure); the A5 grace (default 15 days, ``disclosures_overdue``) runs from it, so a local
    fixed disclosure day such as the 10th–15th of the next month stays on time.
    """

    period_type = models.CharField(
        "公开类型",
        max_length=10,
        choices=DisclosurePeriodType.choices,
        default=DisclosurePeriodType.QUARTERLY,
    )
    period = models.CharField(
        "公开期间", max_length=40, help_text="季度如 2025Q3，月度如 202509，专项写事项名称"
    )
    due_date = models.DateField("应公开日期", help_text="期末日；超过宽限期（默认15天）未公开即逾期")
    note = models.CharField("备注", max_length=200, blank=True, default="")

    class Meta(RecordModel.Meta):
        verbose_name = "财务公开计划"
        verbose_name_plural = "财务公开计划"
        constraints = [
            *RecordModel.Meta.constraints,
            models.UniqueConstraint(
                fields=["org", "period_type", "period"], name="disclosure_plan_unique_period"
            ),
        ]

    class Spec:
        natural_key = ("org", "period_type", "period")
        list_display = ("org", "period_type", "period", "due_date")
        list_filter = ("period_type",)
        search_fields = ("org__name", "period")
        business_dates = ("due_date",)
        date_hierarchy = "due_date"
        ordering = ("-due_date", "region_code")

    def __str__(self) -> str:
        return f"{self.period}{self.get_period_type_display()}计划"

    def clean(self) -> None:
        super().clean()
        problem = period_problem(self.period_type, self.period)
        if problem:
            raise ValidationError({"period": problem})


class Disclosure(RecordModel):
    """财务公开: one published disclosure (what, when, how, reviewed by whom, with evidence).

    ``categories`` is a list of ``DisclosureCategory`` codes; ``items`` holds the generated tables
    (income, expenditure, balance-sheet summary, contracts, debts, 一事一议, subsidies…) as JSON, and must
    never contain an unmasked ID number or bank account (§8). ``channels`` lists ``DisclosureChannel``
    codes. [D] Publication requires the democratic finance group's review first (DB check).
    """

    plan = models.ForeignKey(
        DisclosurePlan,
        verbose_name="公开计划",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="disclosures",
    )
    period_type = models.CharField(
        "公开类型",
        max_length=10,
        choices=DisclosurePeriodType.choices,
        default=DisclosurePeriodType.QUARTERLY,
    )
    period = models.CharField(
        "公开期间", max_length=40, help_text="季度如 2025Q3，月度如 202509，专项写事项名称"
    )
    categories = models.JSONField(
        "公开类别",
        default=list,
        blank=True,
        help_text="财务计划、各项收入、各项支出、各项资产、各类资源、债权债务、收益分配、其他",
    )
    items = models.JSONField("公开内容（生成的表格）", default=dict, blank=True)
    reviewed_by_finance_group_on = models.DateField("民主理财小组审核日期", null=True, blank=True)
    finance_group_members = models.TextField("民主理财小组审核成员", blank=True, default="")
    channels = models.JSONField(
        "公开渠道",
        default=list,
        blank=True,
        help_text="公开栏、广播、网络、明白纸、会议、触摸屏",
    )
    published_on = models.DateField("公开日期", null=True, blank=True)
    evidence_photo = models.FileField(
        "公开照片",
        upload_to="disclosure/%Y/",
        blank=True,
        validators=EVIDENCE_VALIDATORS,
        help_text="公开栏照片或公开材料扫描件：JPG、PNG 或 PDF，不超过 10 MB",
    )
    feedback_count = models.PositiveIntegerField("群众反馈数", default=0)

    class Meta(RecordModel.Meta):
        verbose_name = "财务公开"
        verbose_name_plural = "财务公开"
        constraints = [
            *RecordModel.Meta.constraints,
            models.UniqueConstraint(fields=["org", "period_type", "period"], name="disclosure_unique_period"),
            models.CheckConstraint(
                condition=models.Q(published_on__isnull=True)
                | models.Q(
                    reviewed_by_finance_group_on__isnull=False,
                    published_on__gte=models.F("reviewed_by_finance_group_on"),
                ),
                name="disclosure_published_after_review",
            ),
        ]

    class Spec:
        natural_key = ("org", "period_type", "period")
        list_display = (
            "org",
            "period_type",
            "period",
            "reviewed_by_finance_group_on",
            "published_on",
            "feedback_count",
        )
        list_filter = ("period_type",)
        search_fields = ("org__name", "period")
        business_dates = ("reviewed_by_finance_group_on", "published_on")
        date_hierarchy = "published_on"
        readonly_fields = ("feedback_count",)
        ordering = ("-published_on", "region_code")

    def __str__(self) -> str:
        return f"{self.period}{self.get_period_type_display()}"

    def clean(self) -> None:
        super().clean()
        errors: dict[str, str] = {}
        problem = period_problem(self.period_type, self.period)
        if problem:
            errors["period"] = problem
        problem = _codes_problem(self.categories, DisclosureCategory, "公开类别")
        if problem:
            errors["categories"] = problem
        elif not self.categories:
            errors["categories"] = "请至少选择一个公开类别"
        problem = _codes_problem(self.channels, DisclosureChannel, "公开渠道")
        if problem:
            errors["channels"] = problem
        elif self.published_on and not self.channels:
            errors["channels"] = "已公开的记录请至少选择一个公开渠道（如公开栏）"
        if not isinstance(self.items, dict):
            errors["items"] = '公开内容应为按表格名称组织的JSON对象，例如 {"收入": [...]}'
        else:
            leaks = unmasked_personal_data(self.items)
            if leaks:
                errors["items"] = (
                    "公开内容含有未脱敏的身份证号或银行账号（" + "、".join(leaks[:5]) + "），"
                    "请按“前6位+****+后4位”脱敏后再公开"
                )
        if self.published_on and not self.reviewed_by_finance_group_on:
            errors["reviewed_by_finance_group_on"] = "公开前须经民主理财小组审核，请填写审核日期"
        elif (
            self.published_on
            and self.reviewed_by_finance_group_on
            and self.published_on < self.reviewed_by_finance_group_on
        ):
            errors["published_on"] = "公开日期不能早于民主理财小组审核日期"
        if self.reviewed_by_finance_group_on and not self.finance_group_members.strip():
            errors["finance_group_members"] = "请填写参加审核的民主理财小组成员"
        if (
            self.plan_id
            and self.plan
            and (
                (self.plan.org_id, self.plan.period_type, self.plan.period)
                != (self.org_id, self.period_type, self.period)
            )
        ):
            errors["plan"] = "所选公开计划的组织、公开类型或期间与本次公开不一致"
        if errors:
            raise ValidationError(errors)


def _codes_problem(value, choices: type[models.TextChoices], label: str) -> str | None:
    if not isinstance(value, list):
        return f'{label}应为代码列表，例如 ["{choices.values[0]}"]'
    unknown = [str(v) for v in value if v not in choices.values]
    if unknown:
        allowed = "、".join(f"{c.value}（{c.label}）" for c in choices)
        return f"{label}中有无效代码：{'、'.join(unknown)}；可选：{allowed}"
    if len(set(value)) != len(value):
        return f"{label}中有重复项，请每项只选一次"
    return None


class DisclosureFeedback(RecordModel):
    """群众反馈: a member's question or objection about a disclosure, and the answer.

    ``raised_by`` blank means anonymous. [D] ``feedback_no`` identifies the item within the organisation;
    a closed item must have a response (DB check).
    """

    disclosure = models.ForeignKey(
        Disclosure,
        verbose_name="财务公开",
        on_delete=models.CASCADE,
        related_name="feedback",
    )
    feedback_no = models.CharField("反馈编号", max_length=30)
    raised_by = models.CharField("反馈人", max_length=40, blank=True, default="", help_text="留空表示匿名")
    raised_on = models.DateField("反馈日期")
    content = models.TextField("反馈内容")
    response = models.TextField("答复内容", blank=True, default="")
    closed_on = models.DateField("办结日期", null=True, blank=True)

    class Meta(RecordModel.Meta):
        verbose_name = "财务公开反馈"
        verbose_name_plural = "财务公开反馈"
        constraints = [
            *RecordModel.Meta.constraints,
            models.UniqueConstraint(fields=["org", "feedback_no"], name="disclosure_feedback_unique_no"),
            models.CheckConstraint(
                condition=models.Q(closed_on__isnull=True)
                | (~models.Q(response="") & models.Q(closed_on__gte=models.F("raised_on"))),
                name="disclosure_feedback_closed_with_response",
            ),
        ]

    class Spec:
        natural_key = ("org", "feedback_no")
        list_display = ("feedback_no", "org", "disclosure", "raised_by", "raised_on", "closed_on")
        search_fields = ("feedback_no", "org__name", "content", "raised_by")
        business_dates = ("raised_on", "closed_on")
        date_hierarchy = "raised_on"
        ordering = ("-raised_on",)

    def __str__(self) -> str:
        return self.feedback_no

    def clean(self) -> None:
        super().clean()
        errors: dict[str, str] = {}
        if self.closed_on and not self.response.strip():
            errors["response"] = "办结前请填写答复内容"
        if self.closed_on and self.raised_on and self.closed_on < self.raised_on:
            errors["closed_on"] = "办结日期不能早于反馈日期"
        if self.disclosure_id and self.org_id and self.disclosure.org_id != self.org_id:
            errors["disclosure"] = "反馈所属的财务公开必须是本组织的公开记录"
        if errors:
            raise ValidationError(errors)
