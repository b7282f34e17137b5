"""Record types of 承包（租赁）合同 (Contracting and leasing contracts)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q

from backoffice.core.fields import MoneyField
from backoffice.core.models import RecordModel
from backoffice.core.pii import SensitiveField, SensitiveKind
from backoffice.core.validators import resident_id_problem
from backoffice.regions.validators import credit_code_problem

from .choices import ChangeType, ContractStatus, ContractType, PartyKind, PaymentMode, QuantityUnit
from .terms import lease_term_problem
from .validators import validate_id_or_credit_code, validate_phone


class Contract(RecordModel):
    """承包（租赁）合同 — an economic contract of the collective (DOMAIN.md §2.7).

    Party A is the owning organisation (``org``); the subject is at most one resource or one fixed
    asset. The term runs from ``term_start`` to ``term_end`` and is measured as their difference: a
    lease (出租) may not exceed 20 years (民法典 art. 705, checked in ``clean``). Receivables are planned
    in ``ContractReceivablePlan`` rows and collected as ``ContractReceipt`` rows; changes (amend, extend,
    terminate) are recorded as ``ContractChange`` rows by the services.
    [D] choices: ``unit_price`` is per unit and year (元/亩·年 etc.); ``escalation_note`` is free text (the
    schedule is generated flat from the total); party B's ID or credit code and phone are encrypted.
    """

    contract_no = models.CharField("合同编号", max_length=50)
    name = models.CharField("合同名称", max_length=120, blank=True, default="")
    contract_type = models.CharField("合同类型", max_length=16, choices=ContractType.choices)
    subject_resource = models.ForeignKey(
        "assets.Resource",
        verbose_name="标的资源",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="contracts",
    )
    subject_asset = models.ForeignKey(
        "assets.FixedAsset",
        verbose_name="标的资产",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="contracts",
    )
    party_b_name = models.CharField("乙方名称", max_length=120)
    party_b_kind = models.CharField("乙方类型", max_length=20, choices=PartyKind.choices)
    party_b_id = SensitiveField(
        "乙方证件号",
        kind=SensitiveKind.ID_OR_CREDIT_CODE,
        blank=True,
        validators=[validate_id_or_credit_code],
        help_text="个人填18位身份证号，单位填统一社会信用代码",
    )
    party_b_phone = SensitiveField(
        "乙方联系电话", kind=SensitiveKind.PHONE, blank=True, validators=[validate_phone]
    )
    quantity = models.DecimalField("数量", max_digits=14, decimal_places=2, default=0)
    unit = models.CharField("计量单位", max_length=8, choices=QuantityUnit.choices, default=QuantityUnit.MU)
    unit_price = MoneyField("单价", help_text="单位：元/计量单位·年")
    total_amount = MoneyField("合同总金额")
    payment_mode = models.CharField(
        "付款方式", max_length=12, choices=PaymentMode.choices, default=PaymentMode.ANNUAL
    )
    escalation_note = models.CharField("递增条款", max_length=200, blank=True, default="")
    term_start = models.DateField("起始日期")
    term_end = models.DateField("终止日期")
    signed_on = models.DateField("签订日期", null=True, blank=True)
    decision_ref = models.CharField(
        "民主决策记录",
        max_length=200,
        blank=True,
        default="",
        help_text="成员（代表）会议决议或“四议两公开”记录的编号、日期",
    )
    traded_on_platform = models.BooleanField("经产权交易平台", default=False)
    trading_ref = models.CharField("交易项目编号", max_length=60, blank=True, default="")
    certificate_no = models.CharField("交易鉴证书编号", max_length=60, blank=True, default="")
    status = models.CharField(
        "合同状态", max_length=12, choices=ContractStatus.choices, default=ContractStatus.DRAFT
    )
    scan = models.FileField("合同扫描件", upload_to="contracts/%Y/", blank=True, default="")

    class Meta(RecordModel.Meta):
        verbose_name = "承包（租赁）合同"
        verbose_name_plural = "承包（租赁）合同"
        ordering = ("region_code", "-term_start", "contract_no")
        constraints = [
            *RecordModel.Meta.constraints,
            models.UniqueConstraint(fields=["org", "contract_no"], name="contracts_contract_unique_no"),
            models.CheckConstraint(
                condition=Q(subject_resource__isnull=True) | Q(subject_asset__isnull=True),
                name="contracts_contract_one_subject",
            ),
            models.CheckConstraint(
                condition=Q(term_end__gt=F("term_start")), name="contracts_contract_term_order"
            ),
            models.CheckConstraint(
                condition=Q(quantity__gte=0) & Q(unit_price__gte=0) & Q(total_amount__gte=0),
                name="contracts_contract_amounts_not_negative",
            ),
        ]

    class Spec:
        natural_key = ("org", "contract_no")
        list_display = (
            "contract_no",
            "contract_type",
            "party_b_name",
            "party_b_id",
            "party_b_phone",
            "total_amount",
            "term_start",
            "term_end",
            "status",
            "org",
        )
        list_filter = ("contract_type", "status", "payment_mode", "traded_on_platform")
        search_fields = ("contract_no", "name", "party_b_name", "trading_ref", "org__name")
        money_fields = ("unit_price", "total_amount")
        business_dates = ("term_start",)
        date_hierarchy = "term_end"

    def __str__(self) -> str:
        return self.contract_no

    def clean(self) -> None:
        super().clean()
        errors: dict[str, str] = {}
        if self.subject_resource_id and self.subject_asset_id:
            errors["subject_asset"] = "合同标的只能是一项资源或一项资产，请清空其中一项"
        for name in ("subject_resource", "subject_asset"):
            subject = getattr(self, name) if getattr(self, f"{name}_id") else None
            if subject is not None and self.org_id and subject.org_id != self.org_id:
                errors[name] = f"标的“{subject}”不属于本集体经济组织，请选择本组织的资源或资产"
        if self.term_start and self.term_end:
            if self.term_end <= self.term_start:
                errors["term_end"] = f"终止日期应晚于起始日期{self.term_start:%Y-%m-%d}"
            elif self.contract_type == ContractType.LEASE:
                problem = lease_term_problem(self.term_start, self.term_end)
                if problem:
                    errors["term_end"] = problem
        if self.signed_on and self.term_end and self.signed_on > self.term_end:
            errors["signed_on"] = "签订日期不能晚于合同终止日期"
        if self.party_b_id and "party_b_id" not in errors:
            value = self.party_b_id.strip().upper()
            if self.party_b_kind in (PartyKind.INDIVIDUAL, PartyKind.MEMBER_HOUSEHOLD):
                problem = resident_id_problem(value)
                if problem and credit_code_problem(value) is None:
                    problem = "乙方为个人或成员户，请填写身份证号而不是统一社会信用代码"
            else:
                problem = credit_code_problem(value)
                if problem and resident_id_problem(value) is None:
                    problem = "乙方为单位，请填写统一社会信用代码；如乙方是个人，请把乙方类型改为“个人”"
            if problem:
                errors["party_b_id"] = problem
        if self.traded_on_platform and not self.trading_ref:
            errors["trading_ref"] = "已勾选“经产权交易平台”，请填写交易项目编号"
        if errors:
            raise ValidationError(errors)


class ContractChildModel(RecordModel):
    """A row belonging to one contract; ``org`` (and so ``region_code``) are those of the contract."""

    class Meta(RecordModel.Meta):
        abstract = True

    def clean_fields(self, exclude=None) -> None:
        # The owner is the contract's: copied before validation so that inline rows need no org field.
        if self.contract_id and self.org_id != self.contract.org_id:
            self.org_id = self.contract.org_id
        super().clean_fields(exclude=exclude)


class ContractReceivablePlan(ContractChildModel):
    """应收计划 — one instalment due under a contract (DOMAIN.md §2.7).

    Generated from the payment mode, term and total by ``contract_receivable_schedule``; the sum of a
    contract's plan rows is its total amount.
    """

    contract = models.ForeignKey(
        Contract,
        verbose_name="合同",
        on_delete=models.CASCADE,
        related_name="plans",
    )
    due_date = models.DateField("应收日期")
    amount_due = MoneyField("应收金额")

    class Meta(RecordModel.Meta):
        verbose_name = "合同应收计划"
        verbose_name_plural = "合同应收计划"
        ordering = ("contract", "due_date")
        constraints = [
            *RecordModel.Meta.constraints,
            models.UniqueConstraint(fields=["contract", "due_date"], name="contracts_plan_unique_due_date"),
            models.CheckConstraint(condition=Q(amount_due__gt=0), name="contracts_plan_amount_positive"),
        ]

    class Spec:
        natural_key = ("contract", "due_date")
        list_display = ("contract", "due_date", "amount_due", "org")
        search_fields = ("contract__contract_no", "org__name")
        money_fields = ("amount_due",)
        business_dates = ("due_date",)
        date_hierarchy = "due_date"

    def __str__(self) -> str:
        return f"{self.contract_id and self.contract} {self.due_date:%Y-%m-%d}"

    def clean(self) -> None:
        super().clean()
        if self.amount_due is not None and self.amount_due <= 0:
            raise ValidationError({"amount_due": "应收金额应大于0元"})


class ContractReceipt(ContractChildModel):
    """合同收款 — money received under a contract, with its receipt and voucher (DOMAIN.md §2.7).

    Field names ``org, region_code, contract, received_on, amount, voucher_ref, receipt_no`` are read by
    the accounting demo; keep them.
    """

    contract = models.ForeignKey(
        Contract,
        verbose_name="合同",
        on_delete=models.PROTECT,
        related_name="receipts",
    )
    received_on = models.DateField("收款日期")
    amount = MoneyField("收款金额")
    receipt_no = models.CharField("收据号", max_length=40)
    voucher_ref = models.CharField("记账凭证号", max_length=40, blank=True, default="")

    class Meta(RecordModel.Meta):
        verbose_name = "合同收款"
        verbose_name_plural = "合同收款"
        ordering = ("contract", "received_on")
        constraints = [
            *RecordModel.Meta.constraints,
            models.UniqueConstraint(fields=["org", "receipt_no"], name="contracts_receipt_unique_no"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="contracts_receipt_amount_positive"),
        ]

    class Spec:
        natural_key = ("org", "receipt_no")
        list_display = ("receipt_no", "contract", "received_on", "amount", "voucher_ref", "org")
        search_fields = ("receipt_no", "voucher_ref", "contract__contract_no", "org__name")
        money_fields = ("amount",)
        business_dates = ("received_on",)
        date_hierarchy = "received_on"

    def __str__(self) -> str:
        return self.receipt_no

    def clean(self) -> None:
        super().clean()
        if self.amount is not None and self.amount <= 0:
            raise ValidationError({"amount": "收款金额应大于0元"})


class ContractChange(ContractChildModel):
    """合同变更 — an amendment, extension or termination of a contract (DOMAIN.md §2.7).

    Written by ``contract_extend`` / ``contract_terminate``; an extension records the new end date.
    """

    contract = models.ForeignKey(
        Contract,
        verbose_name="合同",
        on_delete=models.CASCADE,
        related_name="changes",
    )
    change_type = models.CharField("变更类型", max_length=10, choices=ChangeType.choices)
    change_date = models.DateField("变更日期")
    reason = models.CharField("变更原因", max_length=300)
    approval_ref = models.CharField(
        "审批/决议记录",
        max_length=200,
        blank=True,
        default="",
        help_text="成员（代表）会议决议或乡镇审核文号",
    )
    new_term_end = models.DateField("新终止日期", null=True, blank=True, help_text="延期或终止时填写")

    class Meta(RecordModel.Meta):
        verbose_name = "合同变更"
        verbose_name_plural = "合同变更"
        ordering = ("contract", "change_date")
        constraints = [
            *RecordModel.Meta.constraints,
            models.UniqueConstraint(
                fields=["contract", "change_type", "change_date"],
                name="contracts_change_unique_per_day",
            ),
            models.CheckConstraint(
                condition=~Q(change_type=ChangeType.EXTEND) | Q(new_term_end__isnull=False),
                name="contracts_change_extend_has_new_end",
            ),
        ]

    class Spec:
        natural_key = ("contract", "change_type", "change_date")
        list_display = ("contract", "change_type", "change_date", "new_term_end", "approval_ref", "org")
        list_filter = ("change_type",)
        search_fields = ("contract__contract_no", "reason", "approval_ref", "org__name")
        business_dates = ("change_date",)
        date_hierarchy = "change_date"

    def __str__(self) -> str:
        return f"{self.get_change_type_display()} {self.change_date:%Y-%m-%d}"

    def clean(self) -> None:
        super().clean()
        if self.change_type == ChangeType.EXTEND and self.new_term_end is None:
            raise ValidationError({"new_term_end": "延期时请填写新的终止日期"})
