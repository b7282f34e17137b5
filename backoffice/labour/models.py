"""Record types of 集体用工 (Collective labour, DOMAIN.md §2.4).

Who the collective pays for labour (``Worker``), on what (``LabourEngagement``), for which days
(``Timesheet``) and what was paid (``LabourPayment``), so that labour pay is transparent and neither
duplicated nor inflated.
"""

from __future__ import annotations

import re
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F, Q

from backoffice.core.fields import MoneyField
from backoffice.core.models import RecordModel
from backoffice.core.pii import SensitiveField, SensitiveKind, pii_hash
from backoffice.core.validators import DATA_SCOPE_START, resident_id_problem

from .choices import EngagementType, Gender, LabourLedgerAccount, PayMethod, RateUnit

#: most labour-days one person may be credited with on one engagement in one day (overtime included) [D]
MAX_DAYS_PER_DATE = Decimal("1.5")
PERIOD_RE = re.compile(r"^\d{4}(0[1-9]|1[0-2])$")
BANK_CARD_RE = re.compile(r"^\d{12,19}$")
validate_period = RegexValidator(PERIOD_RE, "期间应为6位年月，如202403", code="invalid_period")


class LabourEngagement(RecordModel):
    """用工项目 — a task or project the collective hires labour for, with its pay rate (DOMAIN.md §2.4).

    ``planned_days`` is the planned total labour-days of the engagement [D].
    """

    engagement_no = models.CharField("用工编号", max_length=40)
    name = models.CharField("项目/任务名称", max_length=120)
    work_type = models.CharField("工种", max_length=40)
    engagement_type = models.CharField("用工类型", max_length=12, choices=EngagementType.choices)
    start_date = models.DateField("开始日期")
    end_date = models.DateField("结束日期", null=True, blank=True, help_text="长期用工可不填")
    rate = MoneyField("报酬标准")
    rate_unit = models.CharField(
        "计酬单位", max_length=10, choices=RateUnit.choices, default=RateUnit.PER_DAY
    )
    planned_days = models.DecimalField(
        "计划工日",
        max_digits=10,
        decimal_places=1,
        default=Decimal("0"),
        help_text="单位：标准工日",
    )

    class Meta(RecordModel.Meta):
        verbose_name = "用工项目"
        verbose_name_plural = "用工项目"
        constraints = [
            *RecordModel.Meta.constraints,
            models.UniqueConstraint(
                fields=["org", "engagement_no"],
                name="labour_engagement_unique_no",
                violation_error_message="本组织已有相同编号的用工项目",
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="labour_engagement_end_not_before_start",
                violation_error_message="结束日期不能早于开始日期",
            ),
            models.CheckConstraint(
                condition=Q(rate__gt=0),
                name="labour_engagement_rate_positive",
                violation_error_message="报酬标准必须大于0",
            ),
            models.CheckConstraint(
                condition=Q(planned_days__gte=0),
                name="labour_engagement_planned_days_not_negative",
                violation_error_message="计划工日不能为负数",
            ),
        ]

    class Spec:
        natural_key = ("org", "engagement_no")
        list_display = (
            "engagement_no",
            "name",
            "work_type",
            "engagement_type",
            "rate",
            "rate_unit",
            "start_date",
            "end_date",
            "org",
        )
        list_filter = ("engagement_type", "rate_unit")
        search_fields = ("engagement_no", "name", "work_type", "org__name")
        money_fields = ("rate",)
        business_dates = ("start_date",)
        date_hierarchy = "start_date"

    def __str__(self) -> str:
        return f"{self.engagement_no} {self.name}"

    def clean(self) -> None:
        super().clean()
        errors: dict[str, str] = {}
        if self.end_date and self.start_date and self.end_date < self.start_date:
            errors["end_date"] = "结束日期不能早于开始日期"
        if self.rate is not None and self.rate <= 0:
            errors["rate"] = "报酬标准必须大于0元"
        if self.planned_days is not None and self.planned_days < 0:
            errors["planned_days"] = "计划工日不能为负数"
        if errors:
            raise ValidationError(errors)


class Worker(RecordModel):
    """劳务人员 — a person the collective pays for labour (DOMAIN.md §2.4).

    Identified within the organisation by the keyed hash of the resident ID number. ``is_cadre_relative``
    (村干部近亲属) is a [D] field for the conflict-of-interest review; ``village_group`` is free text.
    """

    name = models.CharField("姓名", max_length=40)
    id_no = SensitiveField("身份证号", kind=SensitiveKind.RESIDENT_ID)
    gender = models.CharField("性别", max_length=6, choices=Gender.choices)
    village_group = models.CharField("所在村组", max_length=60, blank=True, default="")
    is_member = models.BooleanField("本集体成员", default=True)
    is_cadre_relative = models.BooleanField("村干部近亲属", default=False)
    bank_card = SensitiveField("银行卡号", kind=SensitiveKind.BANK_ACCOUNT, blank=True)

    class Meta(RecordModel.Meta):
        verbose_name = "劳务人员"
        verbose_name_plural = "劳务人员"
        constraints = [
            *RecordModel.Meta.constraints,
            models.UniqueConstraint(
                fields=["org", "id_no_hash"],
                name="labour_worker_unique_person",
                violation_error_message="本组织已登记该身份证号的劳务人员",
            ),
        ]

    class Spec:
        natural_key = ("org", "id_no_hash")
        list_display = (
            "name",
            "id_no",
            "gender",
            "village_group",
            "is_member",
            "is_cadre_relative",
            "bank_card",
            "org",
        )
        list_filter = ("gender", "is_member", "is_cadre_relative")
        search_fields = ("name", "village_group", "org__name")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        errors: dict[str, str] = {}
        # The hash is normally filled on save; fill it now so the unique check sees the person.
        self.id_no_hash = pii_hash(self.id_no, SensitiveKind.RESIDENT_ID)
        if self.id_no and not resident_id_problem(self.id_no) and self.gender:
            expected = Gender.MALE if int(self.id_no[16]) % 2 else Gender.FEMALE
            if self.gender != expected:
                errors["gender"] = f"性别与身份证号不符：第17位为{self.id_no[16]}，应为{expected.label}"
        if self.bank_card and not BANK_CARD_RE.match(self.bank_card):
            errors["bank_card"] = "银行卡号应为12至19位数字，请核对"
        if errors:
            raise ValidationError(errors)


class Timesheet(RecordModel):
    """考勤记录 — labour-days one worker did on one engagement on one date (DOMAIN.md §2.4).

    At most 1.5 labour-days per worker, engagement and date (a day plus half a day's overtime) [D].
    """

    worker = models.ForeignKey(
        Worker, verbose_name="劳务人员", on_delete=models.PROTECT, related_name="timesheets"
    )
    engagement = models.ForeignKey(
        LabourEngagement,
        verbose_name="用工项目",
        on_delete=models.PROTECT,
        related_name="timesheets",
    )
    work_date = models.DateField("出工日期")
    labour_days = models.DecimalField(
        "工日", max_digits=4, decimal_places=2, help_text="单位：标准工日，0–1.5"
    )
    verified_by = models.CharField("核实人", max_length=40, blank=True, default="")

    class Meta(RecordModel.Meta):
        verbose_name = "考勤记录"
        verbose_name_plural = "考勤记录"
        constraints = [
            *RecordModel.Meta.constraints,
            models.UniqueConstraint(
                fields=["worker", "engagement", "work_date"],
                name="labour_timesheet_unique_day",
                violation_error_message="该人员在该项目当天已有考勤记录",
            ),
            models.CheckConstraint(
                condition=Q(labour_days__gt=0, labour_days__lte=MAX_DAYS_PER_DATE),
                name="labour_timesheet_days_in_range",
                violation_error_message="每天工日应大于0且不超过1.5",
            ),
        ]

    class Spec:
        natural_key = ("worker", "engagement", "work_date")
        list_display = ("work_date", "worker", "engagement", "labour_days", "verified_by", "org")
        search_fields = ("worker__name", "engagement__name", "engagement__engagement_no", "org__name")
        business_dates = ("work_date",)
        date_hierarchy = "work_date"

    def __str__(self) -> str:
        return f"{self.worker} {self.work_date:%Y-%m-%d}"

    def clean(self) -> None:
        super().clean()
        errors: dict[str, str] = {}
        if self.labour_days is not None and not (0 < self.labour_days <= MAX_DAYS_PER_DATE):
            errors["labour_days"] = f"每天工日应大于0且不超过{MAX_DAYS_PER_DATE}（含加班），请核对考勤"
        errors.update(_same_org_problems(self, ("worker", "engagement")))
        if self.engagement_id and self.work_date:
            engagement = self.engagement
            if self.work_date < engagement.start_date or (
                engagement.end_date and self.work_date > engagement.end_date
            ):
                errors["work_date"] = (
                    f"出工日期不在用工项目期间（{engagement.start_date:%Y-%m-%d}至"
                    f"{engagement.end_date or '今'}）内"
                )
        if errors:
            raise ValidationError(errors)


class LabourPayment(RecordModel):
    """劳务报酬发放 — what a worker is owed and was paid for one engagement in one month (DOMAIN.md §2.4).

    ``payable`` is normally ``services.labour_payment_compute``; staff wages go through 212, outside
    labour through 213 [M].
    """

    worker = models.ForeignKey(
        Worker, verbose_name="劳务人员", on_delete=models.PROTECT, related_name="payments"
    )
    engagement = models.ForeignKey(
        LabourEngagement,
        verbose_name="用工项目",
        on_delete=models.PROTECT,
        related_name="payments",
    )
    period = models.CharField(
        "所属期间", max_length=6, validators=[validate_period], help_text="YYYYMM，如202403"
    )
    payable = MoneyField("应发金额")
    paid = MoneyField("实发金额")
    pay_method = models.CharField("发放方式", max_length=6, choices=PayMethod.choices, default=PayMethod.BANK)
    paid_on = models.DateField("发放日期", null=True, blank=True)
    voucher_ref = models.CharField("凭证号", max_length=40, blank=True, default="")
    ledger_account_code = models.CharField(
        "会计科目",
        max_length=3,
        choices=LabourLedgerAccount.choices,
        default=LabourLedgerAccount.LABOUR_FEES,
    )

    class Meta(RecordModel.Meta):
        verbose_name = "劳务报酬发放"
        verbose_name_plural = "劳务报酬发放"
        constraints = [
            *RecordModel.Meta.constraints,
            models.UniqueConstraint(
                fields=["worker", "engagement", "period"],
                name="labour_payment_unique_period",
                violation_error_message="该人员在该项目该期间已有发放记录",
            ),
            models.CheckConstraint(
                condition=Q(payable__gte=0),
                name="labour_payment_payable_not_negative",
                violation_error_message="应发金额不能为负数",
            ),
            models.CheckConstraint(
                condition=Q(paid__gte=0, paid__lte=F("payable")),
                name="labour_payment_paid_within_payable",
                violation_error_message="实发金额应在0与应发金额之间",
            ),
            models.CheckConstraint(
                condition=Q(ledger_account_code__in=LabourLedgerAccount.values),
                name="labour_payment_ledger_account_valid",
                violation_error_message="会计科目只能是212或213",
            ),
        ]

    class Spec:
        natural_key = ("worker", "engagement", "period")
        list_display = ("period", "worker", "engagement", "payable", "paid", "pay_method", "paid_on", "org")
        list_filter = ("pay_method", "ledger_account_code", "period")
        search_fields = ("worker__name", "engagement__name", "voucher_ref", "=period", "org__name")
        money_fields = ("payable", "paid")
        business_dates = ("paid_on",)
        date_hierarchy = "paid_on"

    def __str__(self) -> str:
        return f"{self.worker} {self.period}"

    def clean(self) -> None:
        super().clean()
        errors: dict[str, str] = {}
        if self.payable is not None and self.payable < 0:
            errors["payable"] = "应发金额不能为负数"
        if self.paid is not None and self.payable is not None and not (0 <= self.paid <= self.payable):
            errors["paid"] = f"实发金额{self.paid}元应在0至应发金额{self.payable}元之间"
        scope_start = f"{DATA_SCOPE_START:%Y%m}"
        before_scope = self.period and PERIOD_RE.match(self.period) and self.period < scope_start
        if before_scope and not self.is_history:
            errors["period"] = "所属期间早于2022年1月（统计口径起点）；如为历史数据请勾选“历史数据”"
        if self.paid and self.paid > 0 and not self.paid_on:
            errors["paid_on"] = "已发放的请填写发放日期"
        errors.update(_same_org_problems(self, ("worker", "engagement")))
        if errors:
            raise ValidationError(errors)


def _same_org_problems(record: RecordModel, relations: tuple[str, ...]) -> dict[str, str]:
    """A child row may only point at people and engagements of its own organisation."""
    problems = {}
    for name in relations:
        if getattr(record, f"{name}_id") and record.org_id and getattr(record, name).org_id != record.org_id:
            label = record._meta.get_field(name).verbose_name
            problems[name] = f"所选{label}属于另一个集体经济组织，请选择本组织的{label}"
    return problems
