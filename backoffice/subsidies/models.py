"""Record types of 惠农政策落实 (Implementation of farmer-benefit policies, DOMAIN.md §2.9).

Shows that subsidies reached the right people (mostly through the 惠民惠农财政补贴资金“一卡通”), with
publicity before payment, and tracks subsidy money the collective itself received. Alerts A11 (§4.2):
failed payment, the same ID twice in a programme, amount ≠ standard × quantity, no publicity.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import models

from backoffice.core.fields import MoneyField
from backoffice.core.models import RecordModel
from backoffice.core.pii import SensitiveField, SensitiveKind
from backoffice.disclosure.validators import EVIDENCE_VALIDATORS

from .choices import FundingLevel, PaymentStatus, StandardUnit, SubsidyLedgerAccount

CENT = Decimal("0.01")


class SubsidyProgram(models.Model):
    """补贴项目 (reference data, not owned by an organisation): one programme for one year with its
    per-unit standard. [D] ``standard_amount`` keeps 2 decimals (元 per 亩/人/户)."""

    name = models.CharField("项目名称", max_length=100)
    year = models.PositiveSmallIntegerField("年度")
    basis_document = models.CharField("政策依据文件", max_length=200, blank=True, default="")
    funding_level = models.CharField("资金来源层级", max_length=10, choices=FundingLevel.choices)
    standard_amount = MoneyField("补贴标准", help_text="单位：元/亩、元/人或元/户，见“标准单位”")
    standard_unit = models.CharField("标准单位", max_length=14, choices=StandardUnit.choices)
    competent_department = models.CharField("主管部门", max_length=60, blank=True, default="")

    class Meta:
        verbose_name = "补贴项目"
        verbose_name_plural = "补贴项目"
        ordering = ("-year", "name")
        constraints = [
            models.UniqueConstraint(fields=["name", "year"], name="subsidies_program_unique_name_year"),
            models.CheckConstraint(
                condition=models.Q(standard_amount__gt=0), name="subsidies_program_standard_gt_0"
            ),
            models.CheckConstraint(
                condition=models.Q(year__gte=2000, year__lte=2100), name="subsidies_program_year"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year}年{self.name}"

    def expected_amount(self, quantity: Decimal) -> Decimal:
        """Standard × quantity, rounded half-up to the fen."""
        return (self.standard_amount * quantity).quantize(CENT, rounding=ROUND_HALF_UP)


class SubsidyPublicity(RecordModel):
    """补贴公示: the publicity of one programme's roster in one organisation before payment.

    The end date may not precede the start date (DB check). [D] ``objections`` counts objections raised.
    """

    program = models.ForeignKey(
        SubsidyProgram, verbose_name="补贴项目", on_delete=models.PROTECT, related_name="+"
    )
    start_date = models.DateField("公示开始日期")
    end_date = models.DateField("公示结束日期")
    place = models.CharField("公示地点", max_length=100, default="村务公开栏")
    photo = models.FileField(
        "公示照片",
        upload_to="subsidies/%Y/",
        blank=True,
        validators=EVIDENCE_VALIDATORS,
        help_text="JPG、PNG 或 PDF，不超过 10 MB",
    )
    objections = models.PositiveIntegerField("异议数", default=0)

    class Meta(RecordModel.Meta):
        verbose_name = "补贴公示"
        verbose_name_plural = "补贴公示"
        constraints = [
            *RecordModel.Meta.constraints,
            models.UniqueConstraint(
                fields=["org", "program", "start_date"], name="subsidies_publicity_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(end_date__gte=models.F("start_date")),
                name="subsidies_publicity_dates",
            ),
        ]

    class Spec:
        natural_key = ("org", "program", "start_date")
        list_display = ("org", "program", "start_date", "end_date", "place", "objections")
        list_filter = ("program",)
        search_fields = ("org__name", "program__name", "place")
        business_dates = ("start_date", "end_date")
        date_hierarchy = "start_date"

    def __str__(self) -> str:
        return f"{self.program.name if self.program_id else ''}公示（{self.start_date}）"

    def clean(self) -> None:
        super().clean()
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": "公示结束日期不能早于开始日期"})


class SubsidyRoster(RecordModel):
    """补贴发放清册: one beneficiary's line in a programme (one per person per programme per organisation).

    [D] The same ID may legitimately appear once per organisation; across organisations it is an alert
    (``roster_duplicate_ids``), not a constraint. A paid line needs the paid date (DB check).
    """

    program = models.ForeignKey(
        SubsidyProgram, verbose_name="补贴项目", on_delete=models.PROTECT, related_name="+"
    )
    beneficiary_name = models.CharField("补贴对象姓名", max_length=40)
    beneficiary_id = SensitiveField("身份证号", kind=SensitiveKind.RESIDENT_ID)
    basis_quantity = models.DecimalField(
        "计补数量",
        max_digits=14,
        decimal_places=2,
        help_text="按标准单位：亩、人或户",
    )
    amount = MoneyField("补贴金额")
    one_card_account = SensitiveField("一卡通账号", kind=SensitiveKind.BANK_ACCOUNT)
    bank_name = models.CharField("开户银行", max_length=60, blank=True, default="")
    paid_on = models.DateField("发放日期", null=True, blank=True)
    status = models.CharField(
        "发放状态", max_length=10, choices=PaymentStatus.choices, default=PaymentStatus.PENDING
    )
    failure_reason = models.CharField("失败或退回原因", max_length=200, blank=True, default="")
    publicity = models.ForeignKey(
        SubsidyPublicity,
        verbose_name="公示批次",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="roster_lines",
    )

    class Meta(RecordModel.Meta):
        verbose_name = "补贴发放清册"
        verbose_name_plural = "补贴发放清册"
        constraints = [
            *RecordModel.Meta.constraints,
            models.UniqueConstraint(
                fields=["program", "org", "beneficiary_id_hash"],
                name="subsidies_roster_unique_person",
            ),
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="subsidies_roster_amount_gte_0"),
            models.CheckConstraint(
                condition=models.Q(basis_quantity__gt=0), name="subsidies_roster_quantity_gt_0"
            ),
            models.CheckConstraint(
                condition=~models.Q(status=PaymentStatus.PAID) | models.Q(paid_on__isnull=False),
                name="subsidies_roster_paid_has_date",
            ),
        ]

    class Spec:
        natural_key = ("program", "org", "beneficiary_id_hash")
        list_display = (
            "beneficiary_name",
            "beneficiary_id",
            "org",
            "program",
            "basis_quantity",
            "amount",
            "one_card_account",
            "status",
            "paid_on",
        )
        list_filter = ("status", "program")
        search_fields = ("beneficiary_name", "org__name", "program__name")
        money_fields = ("amount",)
        business_dates = ("paid_on",)
        date_hierarchy = "paid_on"

    def __str__(self) -> str:
        return f"{self.beneficiary_name}（{self.program.name if self.program_id else ''}）"

    def clean(self) -> None:
        super().clean()
        errors: dict[str, str] = {}
        if self.status == PaymentStatus.PAID and not self.paid_on:
            errors["paid_on"] = "已发放的记录请填写发放日期"
        if self.status in (PaymentStatus.FAILED, PaymentStatus.RETURNED) and not self.failure_reason.strip():
            errors["failure_reason"] = "发放失败或资金退回时请填写原因（如账户已销户、户名不符）"
        if self.publicity_id and self.publicity:
            if self.publicity.program_id != self.program_id:
                errors["publicity"] = "公示批次属于另一个补贴项目，请选择本项目的公示"
            elif self.org_id and self.publicity.org_id != self.org_id:
                errors["publicity"] = "公示批次属于另一个集体经济组织，请选择本组织的公示"
        if errors:
            raise ValidationError(errors)


class CollectiveSubsidy(RecordModel):
    """集体补助资金: a subsidy or transfer fund received by the collective itself.

    Booked to 503 补助收入 (general use) or 241 专项应付款 (earmarked); the used amount can never exceed
    the amount received (DB check), the balance is ``amount - used_amount``.
    """

    source = models.CharField("资金来源", max_length=100, help_text="拨款单位及资金名称")
    purpose = models.CharField("资金用途", max_length=200)
    amount = MoneyField("到账金额")
    ledger_account = models.CharField("入账科目", max_length=3, choices=SubsidyLedgerAccount.choices)
    received_on = models.DateField("到账日期")
    used_amount = MoneyField("已使用金额")

    class Meta(RecordModel.Meta):
        verbose_name = "集体补助资金"
        verbose_name_plural = "集体补助资金"
        constraints = [
            *RecordModel.Meta.constraints,
            models.UniqueConstraint(
                fields=["org", "received_on", "source"], name="subsidies_collective_unique"
            ),
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="subsidies_collective_amount_gt_0"),
            models.CheckConstraint(
                condition=models.Q(used_amount__gte=0, used_amount__lte=models.F("amount")),
                name="subsidies_collective_used_within_amount",
            ),
        ]

    class Spec:
        natural_key = ("org", "received_on", "source")
        list_display = ("org", "source", "ledger_account", "amount", "used_amount", "received_on")
        list_filter = ("ledger_account",)
        search_fields = ("org__name", "source", "purpose")
        money_fields = ("amount", "used_amount")
        business_dates = ("received_on",)
        date_hierarchy = "received_on"

    def __str__(self) -> str:
        return f"{self.source}（{self.received_on}）"

    @property
    def balance(self) -> Decimal:
        return (self.amount or Decimal(0)) - (self.used_amount or Decimal(0))

    def clean(self) -> None:
        super().clean()
        if self.amount is not None and self.used_amount is not None and self.used_amount > self.amount:
            raise ValidationError(
                {"used_amount": f"已使用金额{self.used_amount}元超过到账金额{self.amount}元，请核对"}
            )
        if self.used_amount is not None and self.used_amount < 0:
            raise ValidationError({"used_amount": "已使用金额不能为负数"})
