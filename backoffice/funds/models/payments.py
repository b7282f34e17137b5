"""The payment approval chain: 支出审批单 and its approval steps (村两委 → 民主理财小组 → 乡镇审核)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models

from backoffice.core.fields import MoneyField
from backoffice.core.models import RecordModel
from backoffice.core.pii import SensitiveField, SensitiveKind

from ..choices import ApprovalStep, Decision, PayeeKind, PaymentStatus
from ..constants import MEETING_REQUIRED_FROM


class PaymentRequest(RecordModel):
    """支出审批单 — a request to pay money out of the collective's accounts (DOMAIN.md §2.1).

    ``status`` is the business approval chain (draft → pending → approved/rejected → paid), driven by the
    services in ``services.py``; it is separate from the platform's data review (``review_status``). A
    request of at least ``constants.MEETING_REQUIRED_FROM`` (50,000 元 [D]) needs the reference of the
    decision meeting (村民/成员代表会议决议) before it is submitted. A rejected request is final: raise a
    new one [D]. ``pay_account`` and ``paid_on`` record the outgoing payment; the bank transaction links
    back through ``BankTransaction.payment_request``.
    """

    request_no = models.CharField("审批单号", max_length=40)
    request_date = models.DateField("申请日期")
    requester = models.CharField("经办人", max_length=40)
    purpose = models.CharField("支出事由", max_length=200)
    amount = MoneyField("金额")
    payee_name = models.CharField("收款人", max_length=120)
    payee_account = SensitiveField("收款账号", kind=SensitiveKind.BANK_ACCOUNT, blank=True)
    payee_kind = models.CharField(
        "收款人类型", max_length=12, choices=PayeeKind.choices, default=PayeeKind.ORGANISATION
    )
    budget_line = models.CharField("预算项目", max_length=80, blank=True, default="")
    meeting_ref = models.CharField(
        "决策会议记录",
        max_length=80,
        blank=True,
        default="",
        help_text=f"金额达到{MEETING_REQUIRED_FROM:,.0f}元的支出必须填写民主决策会议记录或决议编号",
    )
    pay_account = models.ForeignKey(
        "funds.BankAccount",
        verbose_name="付款账户",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="payment_requests",
    )
    status = models.CharField(
        "审批状态", max_length=10, choices=PaymentStatus.choices, default=PaymentStatus.DRAFT
    )
    paid_on = models.DateField("支付日期", null=True, blank=True)

    class Meta(RecordModel.Meta):
        verbose_name = "支出审批单"
        verbose_name_plural = "支出审批单"
        # the admin list's order (Spec.ordering, then the key): a city-wide list page reads 50 index entries
        # instead of sorting every row of the city (load test, README)
        indexes = [
            models.Index(fields=["-request_date", "-request_no", "-id"], name="funds_payreq_list_order")
        ]
        constraints = [
            *RecordModel.Meta.constraints,
            models.UniqueConstraint(fields=["org", "request_no"], name="funds_paymentrequest_unique_no"),
            models.CheckConstraint(
                condition=models.Q(amount__gt=0), name="funds_paymentrequest_amount_positive"
            ),
            models.CheckConstraint(
                condition=~models.Q(status=PaymentStatus.PAID) | models.Q(paid_on__isnull=False),
                name="funds_paymentrequest_paid_has_date",
            ),
        ]

    class Spec:
        natural_key = ("org", "request_no")
        list_display = (
            "request_no",
            "request_date",
            "org",
            "purpose",
            "amount",
            "payee_name",
            "payee_kind",
            "status",
        )
        list_filter = ("status", "payee_kind")
        search_fields = ("request_no", "purpose", "payee_name", "requester", "meeting_ref", "org__name")
        money_fields = ("amount",)
        business_dates = ("request_date",)
        date_hierarchy = "request_date"
        readonly_fields = ("status",)
        ordering = ("-request_date", "-request_no")

    def __str__(self) -> str:
        return f"{self.request_no} {self.purpose}"

    def next_step(self) -> ApprovalStep | None:
        """The first step of the chain without a decision yet (None when all are decided)."""
        done = set(self.approvals.values_list("step", flat=True)) if self.pk else set()
        return next((s for s in ApprovalStep.ordered() if s not in done), None)

    @property
    def needs_meeting(self) -> bool:
        return self.amount is not None and self.amount >= MEETING_REQUIRED_FROM

    def meeting_problem(self) -> str | None:
        """Why the meeting reference is missing, or None."""
        if self.needs_meeting and not (self.meeting_ref or "").strip():
            return (
                f"支出金额{self.amount:,.2f}元达到{MEETING_REQUIRED_FROM:,.0f}元，属于大额支出，"
                "必须先经民主决策并填写决策会议记录（决议编号）"
            )
        return None

    def clean(self) -> None:
        super().clean()
        errors = {}
        if self.amount is not None and self.amount <= 0:
            errors["amount"] = "支出金额必须大于0元"
        if self.status != PaymentStatus.DRAFT and self.meeting_problem():
            errors["meeting_ref"] = self.meeting_problem()
        if self.status == PaymentStatus.PAID and not self.paid_on:
            errors["paid_on"] = "已支付的审批单必须填写支付日期"
        if self.pay_account_id and self.org_id and self.pay_account.org_id != self.org_id:
            errors["pay_account"] = "付款账户不属于本集体经济组织"
        if errors:
            raise ValidationError(errors)


class PaymentApproval(RecordModel):
    """One decision in a payment request's approval chain: 村两委 → 民主理财小组 → 乡镇审核, in that
    order, one decision per step (created by ``services.payment_request_approve/reject``).

    A child row: ``org``/``region_code`` are the request's, so every read path stays scoped.
    """

    request = models.ForeignKey(
        PaymentRequest,
        verbose_name="支出审批单",
        on_delete=models.CASCADE,
        related_name="approvals",
    )
    step = models.CharField("审批环节", max_length=20, choices=ApprovalStep.choices)
    step_order = models.PositiveSmallIntegerField("环节顺序", editable=False, default=1)
    decision = models.CharField("审批意见", max_length=8, choices=Decision.choices)
    approver = models.CharField("审批人", max_length=40)
    decided_at = models.DateTimeField("审批时间")
    note = models.CharField("备注", max_length=300, blank=True, default="")

    class Meta(RecordModel.Meta):
        verbose_name = "支出审批记录"
        verbose_name_plural = "支出审批记录"
        ordering = ("request", "step_order")
        constraints = [
            *RecordModel.Meta.constraints,
            models.UniqueConstraint(fields=["request", "step"], name="funds_paymentapproval_unique_step"),
            models.CheckConstraint(
                condition=models.Q(step_order__gte=1, step_order__lte=len(ApprovalStep.ordered())),
                name="funds_paymentapproval_step_order_range",
            ),
        ]

    class Spec:
        natural_key = ("request", "step")
        list_display = ("request", "step", "decision", "approver", "decided_at", "org")
        list_filter = ("step", "decision")
        search_fields = ("request__request_no", "approver", "note", "org__name")
        date_hierarchy = "decided_at"

    def __str__(self) -> str:
        return f"{self.request.request_no} {self.get_step_display()}：{self.get_decision_display()}"

    def clean(self) -> None:
        """A new decision must be the next step of a pending request (also when typed in the admin)."""
        super().clean()
        if self.step:
            self.step_order = ApprovalStep(self.step).order
        if not self.request_id:
            return
        if self.org_id and self.request.org_id != self.org_id:
            raise ValidationError({"request": "审批记录必须与支出审批单属于同一集体经济组织"})
        if self.decision == Decision.REJECT and not (self.note or "").strip():
            raise ValidationError({"note": "不同意时必须在备注中说明理由"})
        if not self._state.adding or not self.step:
            return
        request = self.request
        if request.status != PaymentStatus.PENDING:
            raise ValidationError(
                {
                    "request": f"审批单{request.request_no}当前为“{request.get_status_display()}”，"
                    "只有审批中的单据可以审批"
                }
            )
        expected = request.next_step()
        if self.step != expected:
            done = set(request.approvals.values_list("step", flat=True))
            step = ApprovalStep(self.step)
            if step in done:
                raise ValidationError(
                    {"step": f"审批单{request.request_no}的“{step.label}”环节已审批，不能重复审批"}
                )
            raise ValidationError(
                {
                    "step": (
                        f"审批顺序为村两委审议 → 民主理财小组审核 → 乡镇审核；审批单{request.request_no}"
                        f"下一步应为“{expected.label}”，不能先进行“{step.label}”"
                    )
                }
            )
