"""Record types of 债权债务 (Credits and debts, DOMAIN.md §2.3).

Every receivable and payable of a collective is one ``DebtItem`` against a ``Counterparty``; its balance
only changes through ``DebtMovement`` rows written by ``services.debt_movement_record`` so that
``outstanding`` always equals new + increase − repayment − write-off − offset (never below zero).
"""

from __future__ import annotations

import re
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q, Sum

from backoffice.core.fields import MoneyField
from backoffice.core.models import RecordModel
from backoffice.core.pii import SensitiveField, SensitiveKind
from backoffice.core.validators import resident_id_problem
from backoffice.regions.validators import credit_code_problem

from .choices import (
    PAYABLE_ACCOUNTS,
    RAISING_MOVEMENTS,
    RECEIVABLE_ACCOUNTS,
    CounterpartyKind,
    DebtCause,
    DebtDirection,
    DebtLedgerAccount,
    DebtMovementType,
    DebtPurpose,
)

MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
LANDLINE_RE = re.compile(r"^0\d{9,11}$")
#: kinds identified by a resident ID number; the others by a unified social credit code
PERSON_KINDS = (CounterpartyKind.INDIVIDUAL, CounterpartyKind.MEMBER_HOUSEHOLD)


def phone_problem(value: str) -> str | None:
    """Why ``value`` (normalised, no spaces or dashes) is not a mobile or landline number, or None."""
    if not value or MOBILE_RE.match(value) or LANDLINE_RE.match(value):
        return None
    return f"电话号码“{value}”格式不正确：手机号为1开头的11位数字，固话为区号加号码（如0351-1234567）"


class Counterparty(RecordModel):
    """往来单位/个人 — who owes the collective or is owed by it (DOMAIN.md §2.3).

    Persons (individual, member household) are identified by a resident ID number, units and government
    bodies by a unified social credit code; both live in one encrypted column [D]. Name is unique within
    the organisation (homonyms get a distinguishing suffix such as “张伟（二组）”) [D].
    """

    kind = models.CharField("类型", max_length=20, choices=CounterpartyKind.choices)
    name = models.CharField("名称/姓名", max_length=120)
    id_or_code = SensitiveField(
        "身份证号/统一社会信用代码",
        kind=SensitiveKind.ID_OR_CREDIT_CODE,
        blank=True,
        help_text="个人、成员户填写身份证号；单位、政府部门填写统一社会信用代码",
    )
    phone = SensitiveField("联系电话", kind=SensitiveKind.PHONE, blank=True)
    address = models.CharField("地址", max_length=200, blank=True, default="")

    class Meta(RecordModel.Meta):
        verbose_name = "往来单位/个人"
        verbose_name_plural = "往来单位/个人"
        constraints = [
            *RecordModel.Meta.constraints,
            models.UniqueConstraint(
                fields=["org", "name"],
                name="debts_counterparty_unique_name",
                violation_error_message="本组织已有同名往来单位/个人，请核对或在名称后加区分（如组别）",
            ),
        ]

    class Spec:
        natural_key = ("org", "name")
        list_display = ("name", "kind", "id_or_code", "phone", "org")
        list_filter = ("kind",)
        search_fields = ("name", "address", "org__name")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        errors: dict[str, str] = {}
        if self.id_or_code:
            if self.kind in PERSON_KINDS:
                problem = resident_id_problem(self.id_or_code)
            else:
                problem = credit_code_problem(self.id_or_code)
            if problem:
                errors["id_or_code"] = problem
        problem = phone_problem(self.phone)
        if problem:
            errors["phone"] = problem
        if errors:
            raise ValidationError(errors)


class DebtItem(RecordModel):
    """债权债务明细 — one receivable (债权) or payable (债务) of the collective (DOMAIN.md §2.3, §4.1 A4).

    The ledger account fixes the direction: 112 receivable, 113 either, 201/211/221/241 payable [M chart].
    ``is_borrowing`` / ``is_lending`` / ``is_guarantee`` flag what alert A4 escalates (borrowing is a
    payable, lending a receivable) [D]. ``outstanding`` is maintained by the movement service.
    """

    item_no = models.CharField("债权债务编号", max_length=40)
    direction = models.CharField("方向", max_length=12, choices=DebtDirection.choices)
    ledger_account_code = models.CharField("会计科目", max_length=3, choices=DebtLedgerAccount.choices)
    counterparty = models.ForeignKey(
        Counterparty,
        verbose_name="往来单位/个人",
        on_delete=models.PROTECT,
        related_name="debt_items",
    )
    cause = models.CharField("形成原因", max_length=20, choices=DebtCause.choices)
    purpose = models.CharField(
        "用途分类", max_length=20, choices=DebtPurpose.choices, default=DebtPurpose.OTHER
    )
    is_borrowing = models.BooleanField(
        "借入款项", default=False, help_text="向银行、企业或个人借款（201/221）"
    )
    is_lending = models.BooleanField("出借款项", default=False, help_text="集体资金出借给单位或个人")
    is_guarantee = models.BooleanField(
        "对外担保", default=False, help_text="集体为他人提供担保形成的债权债务"
    )
    origin_date = models.DateField("发生日期")
    due_date = models.DateField("到期日期", null=True, blank=True)
    original_amount = MoneyField("原始金额")
    outstanding = MoneyField("余额", help_text="单位：元；由增减变动自动计算")
    interest_terms = models.CharField("利息约定", max_length=200, blank=True, default="")
    approval_ref = models.CharField(
        "决议文号",
        max_length=120,
        blank=True,
        default="",
        help_text="成员（代表）大会或村两委决议编号",
    )
    handler = models.CharField("经办人", max_length=40, blank=True, default="")
    plan_note = models.TextField("清收/偿还计划", blank=True, default="")

    class Meta(RecordModel.Meta):
        verbose_name = "债权债务"
        verbose_name_plural = "债权债务"
        constraints = [
            *RecordModel.Meta.constraints,
            models.UniqueConstraint(
                fields=["org", "item_no"],
                name="debts_debtitem_unique_item_no",
                violation_error_message="本组织已有相同编号的债权债务，请换一个编号",
            ),
            models.CheckConstraint(
                condition=Q(ledger_account_code__in=RECEIVABLE_ACCOUNTS, direction=DebtDirection.RECEIVABLE)
                | Q(ledger_account_code__in=PAYABLE_ACCOUNTS, direction=DebtDirection.PAYABLE),
                name="debts_debtitem_account_matches_direction",
                violation_error_message="会计科目与方向不符：112应收款为债权，201/211/221/241为债务，113两者皆可",
            ),
            models.CheckConstraint(
                condition=Q(due_date__isnull=True) | Q(due_date__gte=F("origin_date")),
                name="debts_debtitem_due_not_before_origin",
                violation_error_message="到期日期不能早于发生日期",
            ),
            models.CheckConstraint(
                condition=Q(original_amount__gt=0),
                name="debts_debtitem_original_positive",
                violation_error_message="原始金额必须大于0",
            ),
            models.CheckConstraint(
                condition=Q(outstanding__gte=0),
                name="debts_debtitem_outstanding_not_negative",
                violation_error_message="余额不能为负数",
            ),
            models.CheckConstraint(
                condition=Q(is_borrowing=False) | Q(direction=DebtDirection.PAYABLE),
                name="debts_debtitem_borrowing_is_payable",
                violation_error_message="借入款项只能是债务（应付）",
            ),
            models.CheckConstraint(
                condition=Q(is_lending=False) | Q(direction=DebtDirection.RECEIVABLE),
                name="debts_debtitem_lending_is_receivable",
                violation_error_message="出借款项只能是债权（应收）",
            ),
        ]

    class Spec:
        natural_key = ("org", "item_no")
        list_display = (
            "item_no",
            "direction",
            "ledger_account_code",
            "counterparty",
            "original_amount",
            "outstanding",
            "origin_date",
            "due_date",
            "org",
        )
        list_filter = (
            "direction",
            "ledger_account_code",
            "cause",
            "purpose",
            "is_borrowing",
            "is_lending",
            "is_guarantee",
        )
        search_fields = ("item_no", "counterparty__name", "approval_ref", "handler", "org__name")
        money_fields = ("original_amount", "outstanding")
        business_dates = ("origin_date",)
        readonly_fields = ("outstanding",)
        date_hierarchy = "origin_date"

    def __str__(self) -> str:
        return f"{self.item_no} {self.get_direction_display()}"

    def clean(self) -> None:
        super().clean()
        errors: dict[str, str] = {}
        code, direction = self.ledger_account_code, self.direction
        if code and direction:
            allowed = RECEIVABLE_ACCOUNTS if direction == DebtDirection.RECEIVABLE else PAYABLE_ACCOUNTS
            if code not in allowed:
                errors["ledger_account_code"] = (
                    f"科目{code}不能记{self.get_direction_display()}：债权用112应收款或113内部往来，"
                    "债务用113/201/211/221/241"
                )
        if self.due_date and self.origin_date and self.due_date < self.origin_date:
            errors["due_date"] = "到期日期不能早于发生日期，请核对合同或借据"
        if self.original_amount is not None and self.original_amount <= 0:
            errors["original_amount"] = "原始金额必须大于0元"
        if self.is_borrowing and direction != DebtDirection.PAYABLE:
            errors["is_borrowing"] = "借入款项是集体的债务，请把方向改为“债务（应付）”"
        if self.is_lending and direction != DebtDirection.RECEIVABLE:
            errors["is_lending"] = "出借款项是集体的债权，请把方向改为“债权（应收）”"
        if self.counterparty_id and self.org_id and self.counterparty.org_id != self.org_id:
            errors["counterparty"] = "往来单位/个人属于另一个集体经济组织，请选择本组织的往来单位/个人"
        if errors:
            raise ValidationError(errors)


class DebtMovement(RecordModel):
    """债权债务增减变动 — one change of a debt item's balance (DOMAIN.md §2.3).

    ``line_no`` numbers the movements of an item (1 is the ``new`` movement); at most one ``new`` per item.
    """

    item = models.ForeignKey(
        DebtItem, verbose_name="债权债务", on_delete=models.CASCADE, related_name="movements"
    )
    line_no = models.PositiveIntegerField("序号")
    movement_date = models.DateField("变动日期")
    movement_type = models.CharField("变动类型", max_length=12, choices=DebtMovementType.choices)
    amount = MoneyField("金额")
    voucher_ref = models.CharField("凭证号", max_length=40, blank=True, default="")
    note = models.CharField("摘要", max_length=200, blank=True, default="")

    class Meta(RecordModel.Meta):
        verbose_name = "债权债务变动"
        verbose_name_plural = "债权债务变动"
        constraints = [
            *RecordModel.Meta.constraints,
            models.UniqueConstraint(
                fields=["item", "line_no"],
                name="debts_debtmovement_unique_line",
                violation_error_message="该债权债务已有相同序号的变动",
            ),
            models.UniqueConstraint(
                fields=["item"],
                condition=Q(movement_type=DebtMovementType.NEW),
                name="debts_debtmovement_one_new_per_item",
                violation_error_message="每笔债权债务只能有一条“新增”变动；再次借入请记“增加”",
            ),
            models.CheckConstraint(
                condition=Q(amount__gt=0),
                name="debts_debtmovement_amount_positive",
                violation_error_message="变动金额必须大于0",
            ),
        ]

    class Spec:
        natural_key = ("item", "line_no")
        list_display = ("item", "line_no", "movement_date", "movement_type", "amount", "voucher_ref", "org")
        list_filter = ("movement_type",)
        search_fields = ("item__item_no", "voucher_ref", "note", "org__name")
        money_fields = ("amount",)
        business_dates = ("movement_date",)
        date_hierarchy = "movement_date"

    def __str__(self) -> str:
        return f"{self.item.item_no}#{self.line_no} {self.get_movement_type_display()}"

    def clean(self) -> None:
        super().clean()
        errors: dict[str, str] = {}
        if self.amount is not None and self.amount <= 0:
            errors["amount"] = "变动金额必须大于0元；减少余额请选择“偿还/收回”“核销”或“抵销”"
        if self.item_id:
            item = self.item
            if self.org_id and item.org_id != self.org_id:
                errors["org"] = "变动必须记在债权债务所属的集体经济组织下"
            if self.movement_date and item.origin_date and self.movement_date < item.origin_date:
                errors["movement_date"] = f"变动日期不能早于债权债务发生日期{item.origin_date:%Y-%m-%d}"
            if self.amount and self.amount > 0 and self.movement_type:
                balance = outstanding_after(item=item, movement=self)
                if balance < 0:
                    errors["amount"] = (
                        f"该笔变动后余额将为{balance}元（不能小于0）：当前余额"
                        f"{outstanding_after(item=item, movement=None, exclude_pk=self.pk)}元，请核对金额"
                    )
        if errors:
            raise ValidationError(errors)


def signed_amount(movement_type: str, amount: Decimal) -> Decimal:
    """+amount for new/increase, −amount for repayment/write-off/offset."""
    return amount if movement_type in RAISING_MOVEMENTS else -amount


def outstanding_after(
    *, item: DebtItem, movement: DebtMovement | None, exclude_pk: int | None = None
) -> Decimal:
    """The item's balance from its stored movements (without ``exclude_pk``), plus ``movement`` if given."""
    rows = DebtMovement.objects.filter(item=item)
    pk = exclude_pk if exclude_pk is not None else (movement.pk if movement is not None else None)
    if pk is not None:
        rows = rows.exclude(pk=pk)
    totals = rows.aggregate(
        up=Sum("amount", filter=Q(movement_type__in=RAISING_MOVEMENTS)),
        down=Sum("amount", filter=~Q(movement_type__in=RAISING_MOVEMENTS)),
    )
    balance = (totals["up"] or Decimal("0")) - (totals["down"] or Decimal("0"))
    if movement is not None:
        balance += signed_amount(movement.movement_type, movement.amount)
    return balance
