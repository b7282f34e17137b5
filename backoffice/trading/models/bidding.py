"""Registrations of intended transferees, their bids and the deal (DOMAIN.md §6.4, §6.5)."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q

from backoffice.contracts.validators import validate_id_or_credit_code, validate_phone
from backoffice.core.fields import MoneyField
from backoffice.core.pii import SensitiveField, SensitiveKind

from ..choices import BidderKind, BidPhase, DealMethod, DepositStatus, QualificationStatus
from .listing import Listing, ListingChild


def new_access_code() -> str:
    """The bidder's secret for placing bids without a back-office account (shown once at registration)."""
    return secrets.token_urlsafe(12)


class Registration(ListingChild):
    """意向受让方报名 — an intended transferee registered during the announcement of one round.

    The trading officer reviews the qualification and records the deposit; only qualified
    registrations bid. ``is_collective_member`` marks a member of the transferor collective, who has the
    priority right on equal terms (DOMAIN.md §6.2 T03, §6.3). ID/credit code and phone are encrypted.
    """

    listing = models.ForeignKey(
        Listing, verbose_name="挂牌项目", on_delete=models.CASCADE, related_name="registrations"
    )
    round = models.PositiveSmallIntegerField("挂牌轮次", default=1)
    name = models.CharField("意向受让方名称", max_length=120)
    kind = models.CharField("主体类型", max_length=14, choices=BidderKind.choices, default=BidderKind.PERSON)
    id_no = SensitiveField(
        "证件号",
        kind=SensitiveKind.ID_OR_CREDIT_CODE,
        validators=[validate_id_or_credit_code],
        help_text="个人填18位身份证号，单位填统一社会信用代码",
    )
    phone = SensitiveField("联系电话", kind=SensitiveKind.PHONE, validators=[validate_phone])
    is_collective_member = models.BooleanField(
        "本集体经济组织成员", default=False, help_text="成员在同等条件下享有优先权"
    )
    qualification_status = models.CharField(
        "资格审查",
        max_length=10,
        choices=QualificationStatus.choices,
        default=QualificationStatus.PENDING,
        db_index=True,
        editable=False,
    )
    qualification_note = models.CharField("审查意见", max_length=300, blank=True, default="", editable=False)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="审查人",
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reviewed_at = models.DateTimeField("审查时间", null=True, blank=True, editable=False)
    deposit_amount = MoneyField("保证金金额", editable=False)
    deposit_status = models.CharField(
        "保证金状态",
        max_length=10,
        choices=DepositStatus.choices,
        default=DepositStatus.UNPAID,
        editable=False,
    )
    deposit_paid_on = models.DateField("保证金缴纳日期", null=True, blank=True, editable=False)
    deposit_settled_on = models.DateField("保证金退还/转价款日期", null=True, blank=True, editable=False)
    bidder_no = models.PositiveSmallIntegerField("竞买号", null=True, blank=True, editable=False)
    access_code = models.CharField(
        "报价口令", max_length=32, default=new_access_code, editable=False, unique=True
    )
    registered_at = models.DateTimeField("报名时间", auto_now_add=True)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="登记人",
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = "意向受让方报名"
        verbose_name_plural = "意向受让方报名"
        ordering = ("listing", "round", "registered_at")
        constraints = [
            models.UniqueConstraint(
                fields=["listing", "round", "id_no_hash"], name="trading_registration_once_per_round"
            ),
            models.UniqueConstraint(
                fields=["listing", "round", "bidder_no"],
                condition=Q(bidder_no__isnull=False),
                name="trading_registration_unique_bidder_no",
            ),
        ]

    class Spec:
        natural_key = ("listing", "round", "name")
        list_display = (
            "listing",
            "name",
            "kind",
            "id_no",
            "phone",
            "is_collective_member",
            "qualification_status",
            "deposit_status",
        )
        list_filter = ("qualification_status", "deposit_status", "is_collective_member", "kind")
        search_fields = ("listing__listing_no", "name")
        money_fields = ("deposit_amount",)

    def __str__(self) -> str:
        return f"{self.bidder_no or '-'}号 {self.name}"

    @property
    def is_qualified(self) -> bool:
        return self.qualification_status == QualificationStatus.QUALIFIED


class Bid(ListingChild):
    """报价 — one accepted bid; rejected attempts are never stored.

    ``sequence`` numbers the bids of a listing round (1, 2, …) and breaks ties: the winner is the highest
    amount, and among equal amounts the later bid (only a collective member's priority match may equal
    the highest bid). The unique constraints make two equal leaders impossible even if a lock failed.
    """

    listing = models.ForeignKey(
        Listing, verbose_name="挂牌项目", on_delete=models.CASCADE, related_name="bids"
    )
    registration = models.ForeignKey(
        Registration, verbose_name="报价人", on_delete=models.PROTECT, related_name="bids"
    )
    round = models.PositiveSmallIntegerField("挂牌轮次", default=1)
    sequence = models.PositiveIntegerField("报价序号")
    amount = MoneyField("报价金额")
    at = models.DateTimeField("报价时间")
    phase = models.CharField("报价阶段", max_length=12, choices=BidPhase.choices)
    is_priority_match = models.BooleanField(
        "优先权应价", default=False, help_text="本集体成员以当前最高报价应价（同等条件优先）"
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="代录人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="交易专员在窗口代为录入时填写；竞买人凭报价口令报价时为空",
    )

    class Meta:
        verbose_name = "报价记录"
        verbose_name_plural = "报价记录"
        ordering = ("listing", "round", "sequence")
        constraints = [
            models.UniqueConstraint(
                fields=["listing", "round", "sequence"], name="trading_bid_unique_sequence"
            ),
            models.UniqueConstraint(
                fields=["listing", "round", "amount", "is_priority_match"], name="trading_bid_unique_amount"
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="trading_bid_amount_positive"),
        ]

    class Spec:
        natural_key = ("listing", "round", "sequence")
        list_display = ("listing", "sequence", "registration", "amount", "phase", "is_priority_match", "at")
        list_filter = ("phase", "is_priority_match")
        search_fields = ("listing__listing_no",)
        money_fields = ("amount",)
        date_hierarchy = "at"

    def __str__(self) -> str:
        return f"#{self.sequence} {self.amount}元"


class Deal(ListingChild):
    """成交 — the winner, price and term fixed for one listing round (DOMAIN.md §6.4 DEAL onwards).

    Filled further as the listing moves on: contract number and signing date at 签约, paid amount and
    settlement date at 价款结算; ``contract`` is the monitoring-side contract created from the attested
    deal (the closure loop, DOMAIN.md §6.4 integration rule).
    """

    listing = models.ForeignKey(
        Listing, verbose_name="挂牌项目", on_delete=models.PROTECT, related_name="deals"
    )
    round = models.PositiveSmallIntegerField("挂牌轮次", default=1)
    registration = models.ForeignKey(
        Registration, verbose_name="受让方", on_delete=models.PROTECT, related_name="deals"
    )
    method = models.CharField("成交方式", max_length=12, choices=DealMethod.choices)
    price = MoneyField("成交价", help_text="单位：元（流转期内总价）")
    term_start = models.DateField("流转起始日期", null=True, blank=True)
    term_end = models.DateField("流转终止日期", null=True, blank=True)
    decided_at = models.DateTimeField("成交时间")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="确认人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    contract_no = models.CharField("合同编号", max_length=50, blank=True, default="")
    contract_signed_on = models.DateField("合同签订日期", null=True, blank=True)
    paid_amount = MoneyField("已结算价款")
    settled_on = models.DateField("价款结算日期", null=True, blank=True)
    contract = models.ForeignKey(
        "contracts.Contract",
        verbose_name="监测合同",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="trading_deals",
    )
    is_void = models.BooleanField("已作废", default=False, help_text="结果公示期异议成立或交易终结后作废")

    class Meta:
        verbose_name = "成交记录"
        verbose_name_plural = "成交记录"
        ordering = ("-decided_at",)
        constraints = [
            models.UniqueConstraint(
                fields=["listing", "round"], condition=Q(is_void=False), name="trading_deal_one_per_round"
            ),
            models.CheckConstraint(condition=Q(price__gt=0), name="trading_deal_price_positive"),
        ]

    class Spec:
        natural_key = ("listing", "round")
        list_display = ("listing", "registration", "method", "price", "decided_at", "contract_no")
        list_filter = ("method",)
        search_fields = ("listing__listing_no", "registration__name", "contract_no")
        money_fields = ("price", "paid_amount")
        date_hierarchy = "decided_at"

    def __str__(self) -> str:
        return f"{self.listing_id and self.listing.listing_no} 成交 {self.price}元"
