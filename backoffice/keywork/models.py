"""Record types of 重点工作 (Key tasks, DOMAIN.md §2.11).

Province-assigned campaigns that change year to year (消除集体经济薄弱村, 合同清理规范, 三资专项整治…):
a template states the indicator and target, each organisation gets an assignment, reports progress, and
keeps a ledger of problems found and rectified. Alert A12 (§4.2): task or rectification overdue.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from backoffice.core.fields import MoneyField
from backoffice.core.models import RecordModel
from backoffice.disclosure.validators import EVIDENCE_VALIDATORS

from .choices import ProblemSource, ProblemStatus, ProgressStatus


class TaskTemplate(models.Model):
    """重点工作任务 (reference data set by the province/county for a year): one indicator with a target."""

    title = models.CharField("任务名称", max_length=100)
    year = models.PositiveSmallIntegerField("年度")
    description = models.TextField("任务说明", blank=True, default="")
    indicator_name = models.CharField("考核指标", max_length=100)
    target_value = models.DecimalField("目标值", max_digits=14, decimal_places=2)
    unit = models.CharField("计量单位", max_length=20, help_text="如：元、份、%")
    due_date = models.DateField("完成时限")
    evidence_required = models.BooleanField("需上传佐证材料", default=False)

    class Meta:
        verbose_name = "重点工作任务"
        verbose_name_plural = "重点工作任务"
        ordering = ("-year", "title")
        constraints = [
            models.UniqueConstraint(fields=["title", "year"], name="keywork_template_unique_title_year"),
            models.CheckConstraint(condition=Q(target_value__gte=0), name="keywork_template_target_gte_0"),
        ]

    def __str__(self) -> str:
        return f"{self.year}年{self.title}"


class TaskAssignment(RecordModel):
    """任务分解: a template assigned to one organisation with its own target and deadline.

    The deadline may not be later than the template's (the county cannot give a village more time than
    the province gave the county).
    """

    template = models.ForeignKey(
        TaskTemplate, verbose_name="重点工作任务", on_delete=models.PROTECT, related_name="+"
    )
    target_value = models.DecimalField("目标值", max_digits=14, decimal_places=2)
    deadline = models.DateField("完成时限")

    class Meta(RecordModel.Meta):
        verbose_name = "任务分解"
        verbose_name_plural = "任务分解"
        constraints = [
            *RecordModel.Meta.constraints,
            models.UniqueConstraint(fields=["org", "template"], name="keywork_assignment_unique"),
            models.CheckConstraint(condition=Q(target_value__gte=0), name="keywork_assignment_target_gte_0"),
        ]

    class Spec:
        natural_key = ("org", "template")
        list_display = ("org", "template", "target_value", "deadline")
        list_filter = ("template",)
        search_fields = ("org__name", "template__title")
        business_dates = ("deadline",)
        date_hierarchy = "deadline"

    def __str__(self) -> str:
        return f"{self.template.title if self.template_id else ''}（{self.org.name if self.org_id else ''}）"

    def clean(self) -> None:
        super().clean()
        if self.template_id and self.deadline and self.deadline > self.template.due_date:
            raise ValidationError(
                {"deadline": f"完成时限不能晚于任务总时限{self.template.due_date:%Y-%m-%d}"}
            )


class TaskProgress(RecordModel):
    """任务进展: a progress report on an assignment (value reached so far, narrative, evidence).

    ``status`` is the campaign office's acceptance of the reported value, separate from the data review
    (``review_status``). An accepted report names its reviewer (DB check); when the task requires evidence
    a submitted or accepted report carries a file.
    """

    assignment = models.ForeignKey(
        TaskAssignment,
        verbose_name="任务分解",
        on_delete=models.CASCADE,
        related_name="progress",
    )
    report_date = models.DateField("报送日期")
    value = models.DecimalField("完成值", max_digits=14, decimal_places=2)
    narrative = models.TextField("进展情况", blank=True, default="")
    evidence = models.FileField(
        "佐证材料",
        upload_to="keywork/%Y/",
        blank=True,
        validators=EVIDENCE_VALIDATORS,
        help_text="JPG、PNG 或 PDF，不超过 10 MB",
    )
    reviewer = models.CharField("认定人", max_length=40, blank=True, default="")
    status = models.CharField(
        "认定状态", max_length=10, choices=ProgressStatus.choices, default=ProgressStatus.DRAFT
    )

    class Meta(RecordModel.Meta):
        verbose_name = "任务进展"
        verbose_name_plural = "任务进展"
        constraints = [
            *RecordModel.Meta.constraints,
            models.UniqueConstraint(
                fields=["assignment", "report_date"], name="keywork_progress_unique_date"
            ),
            models.CheckConstraint(condition=Q(value__gte=0), name="keywork_progress_value_gte_0"),
            models.CheckConstraint(
                condition=~Q(status=ProgressStatus.ACCEPTED) | ~Q(reviewer=""),
                name="keywork_progress_accepted_has_reviewer",
            ),
        ]

    class Spec:
        natural_key = ("org", "assignment", "report_date")
        list_display = ("org", "assignment", "report_date", "value", "status", "reviewer")
        list_filter = ("status",)
        search_fields = ("org__name", "assignment__template__title", "narrative")
        business_dates = ("report_date",)
        date_hierarchy = "report_date"

    def __str__(self) -> str:
        return f"{self.assignment}进展（{self.report_date}）"

    def clean(self) -> None:
        super().clean()
        errors: dict[str, str] = {}
        if self.status == ProgressStatus.ACCEPTED and not self.reviewer.strip():
            errors["reviewer"] = "认定通过的进展请填写认定人"
        if self.assignment_id:
            if self.org_id and self.assignment.org_id != self.org_id:
                errors["assignment"] = "任务分解属于另一个集体经济组织"
            required = self.assignment.template.evidence_required
            if (
                required
                and self.status in (ProgressStatus.SUBMITTED, ProgressStatus.ACCEPTED)
                and not self.evidence
            ):
                errors["evidence"] = "该任务要求上传佐证材料（照片或PDF），请上传后再报送"
        if errors:
            raise ValidationError(errors)


class ProblemLedger(RecordModel):
    """问题台账: a problem found by inspection, audit or complaint, its rectification and verification.

    A verified problem has a verification date (and only then: DB check); [D] ``found_on`` dates the
    finding, ``deadline`` the rectification.
    """

    problem_no = models.CharField("问题编号", max_length=40)
    source = models.CharField("问题来源", max_length=12, choices=ProblemSource.choices)
    found_on = models.DateField("发现日期")
    description = models.TextField("问题描述")
    amount_involved = MoneyField("涉及金额")
    responsible_person = models.CharField("整改责任人", max_length=40)
    measures = models.TextField("整改措施", blank=True, default="")
    deadline = models.DateField("整改时限")
    status = models.CharField(
        "整改状态", max_length=12, choices=ProblemStatus.choices, default=ProblemStatus.OPEN
    )
    verified_on = models.DateField("验收销号日期", null=True, blank=True)

    class Meta(RecordModel.Meta):
        verbose_name = "问题台账"
        verbose_name_plural = "问题台账"
        constraints = [
            *RecordModel.Meta.constraints,
            models.UniqueConstraint(fields=["org", "problem_no"], name="keywork_problem_unique_no"),
            models.CheckConstraint(condition=Q(amount_involved__gte=0), name="keywork_problem_amount_gte_0"),
            models.CheckConstraint(
                condition=Q(status=ProblemStatus.VERIFIED, verified_on__isnull=False)
                | (~Q(status=ProblemStatus.VERIFIED) & Q(verified_on__isnull=True)),
                name="keywork_problem_verified_iff_date",
            ),
            models.CheckConstraint(
                condition=Q(deadline__gte=models.F("found_on")), name="keywork_problem_deadline"
            ),
        ]

    class Spec:
        natural_key = ("org", "problem_no")
        list_display = ("problem_no", "org", "source", "amount_involved", "deadline", "status", "verified_on")
        list_filter = ("status", "source")
        search_fields = ("problem_no", "org__name", "description", "responsible_person")
        money_fields = ("amount_involved",)
        business_dates = ("found_on", "deadline", "verified_on")
        date_hierarchy = "deadline"

    def __str__(self) -> str:
        return self.problem_no

    def clean(self) -> None:
        super().clean()
        errors: dict[str, str] = {}
        if self.status == ProblemStatus.VERIFIED and not self.verified_on:
            errors["verified_on"] = "已验收销号的问题请填写验收日期"
        if self.status != ProblemStatus.VERIFIED and self.verified_on:
            errors["verified_on"] = "尚未验收销号的问题不应填写验收日期"
        if self.found_on and self.deadline and self.deadline < self.found_on:
            errors["deadline"] = "整改时限不能早于发现日期"
        if self.verified_on and self.found_on and self.verified_on < self.found_on:
            errors["verified_on"] = "验收日期不能早于发现日期"
        if self.status in (ProblemStatus.RECTIFIED, ProblemStatus.VERIFIED) and not self.measures.strip():
            errors["measures"] = "已整改的问题请填写整改措施"
        if errors:
            raise ValidationError(errors)
