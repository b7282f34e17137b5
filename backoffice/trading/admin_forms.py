"""Forms of the trading admin's process buttons: one per transition that asks for more than a reason.

Each form's ``run(listing, user)`` calls the trading service and returns a Chinese success message;
services raise ``TradingError`` (shown on the form) when the step is not allowed now.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone

from . import services
from .choices import QualificationStatus
from .closure import listing_attest_and_close
from .models import Listing, Registration

#: HTML date inputs need ISO values whatever the locale's display format is
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ReasonForm(forms.Form):
    """Any transition: an optional opinion, required where the state machine says so."""

    reason = forms.CharField(
        label="意见/原因", max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, listing: Listing, transition: services.Transition, **kwargs: Any) -> None:
        self.listing, self.transition = listing, transition
        super().__init__(*args, **kwargs)
        if transition.needs_reason:
            self.fields["reason"].required = True
            self.fields["reason"].help_text = "必填，将记入交易过程记录"

    def run(self, user) -> str:
        result = services.listing_transition(
            listing=self.listing, to_state=self._target(), user=user, reason=self.cleaned_data["reason"]
        )
        return f"{self.transition.label}：项目“{result.listing_no}”现为“{result.get_state_display()}”。"

    def _target(self) -> str:
        if self.transition.target:
            return self.transition.target
        return _data_target(self.listing, self.transition.action)


def _data_target(listing: Listing, action: str) -> str:
    """The outcome state of a transition whose target the data decides (for ``listing_transition``)."""
    from .choices import ListingState as S

    if action == "resume":
        return listing.suspended_from
    if action == "conclude_eligibility":
        count = services.listing.qualified_registrations(listing).count()
        return S.UNSOLD if count == 0 else S.NEGOTIATION if count == 1 else S.BIDDING
    if action == "close_bidding":
        top = services.highest_bid(listing)
        return S.DEAL if top is not None and top.amount >= listing.reserve_price else S.UNSOLD
    raise services.TradingError("无法确定目标状态。")


class CountyApproveForm(ReasonForm):
    start = forms.DateField(label="公告开始日期", required=False, widget=DATE, help_text="留空为今天")

    def run(self, user) -> str:
        listing = services.listing_county_approve(
            listing=self.listing,
            user=user,
            reason=self.cleaned_data["reason"],
            start=self.cleaned_data["start"],
        )
        return (
            f"已受理并发布挂牌公告：公告期{listing.announcement_start:%Y-%m-%d}至"
            f"{listing.announcement_end:%Y-%m-%d}（{listing.announcement_days}个工作日）。"
        )


class ConcludeEligibilityForm(ReasonForm):
    bidding_starts_at = forms.DateTimeField(
        label="竞价开始时间",
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text="有2个及以上合格竞买人时组织网络竞价；留空为立即开始",
    )

    def run(self, user) -> str:
        listing = services.listing_conclude_eligibility(
            listing=self.listing, user=user, bidding_starts_at=self.cleaned_data["bidding_starts_at"]
        )
        return f"资格确认完成：项目“{listing.listing_no}”现为“{listing.get_state_display()}”。"


class NegotiationDealForm(ReasonForm):
    price = forms.DecimalField(label="协议成交价（元）", max_digits=18, decimal_places=2, min_value=0)
    term_start = forms.DateField(label="流转起始日期", required=False, widget=DATE)
    term_end = forms.DateField(label="流转终止日期", required=False, widget=DATE)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["price"].initial = self.listing.listing_price
        self.fields["term_start"].initial = self.listing.term_start
        self.fields["term_end"].initial = self.listing.term_end

    def run(self, user) -> str:
        deal = services.listing_negotiation_deal(
            listing=self.listing,
            user=user,
            price=self.cleaned_data["price"],
            term_start=self.cleaned_data["term_start"],
            term_end=self.cleaned_data["term_end"],
            reason=self.cleaned_data["reason"],
        )
        return f"协议成交：成交价{deal.price}元。"


class RelistForm(ReasonForm):
    listing_price = forms.DecimalField(
        label="新挂牌价（元）", max_digits=18, decimal_places=2, required=False
    )
    reserve_price = forms.DecimalField(label="新底价（元）", max_digits=18, decimal_places=2, required=False)

    def run(self, user) -> str:
        listing = services.listing_relist(
            listing=self.listing,
            user=user,
            reason=self.cleaned_data["reason"],
            listing_price=self.cleaned_data["listing_price"],
            reserve_price=self.cleaned_data["reserve_price"],
        )
        return f"已重新挂牌（第{listing.round}轮），公告截止{listing.announcement_end:%Y-%m-%d}。"


class SignContractForm(ReasonForm):
    contract_no = forms.CharField(label="合同编号", max_length=50)
    signed_on = forms.DateField(label="签订日期", widget=DATE, initial=timezone.localdate)

    def run(self, user) -> str:
        deal = services.listing_sign_contract(
            listing=self.listing,
            user=user,
            contract_no=self.cleaned_data["contract_no"],
            signed_on=self.cleaned_data["signed_on"],
            reason=self.cleaned_data["reason"],
        )
        return f"已登记合同{deal.contract_no}（{deal.contract_signed_on:%Y-%m-%d}签订），进入价款结算。"


class SettlementForm(ReasonForm):
    paid_amount = forms.DecimalField(label="已结算价款（元）", max_digits=18, decimal_places=2)
    settled_on = forms.DateField(label="结清日期", widget=DATE, initial=timezone.localdate)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        deal = services.current_deal(self.listing)
        if deal is not None:
            self.fields["paid_amount"].initial = deal.price

    def run(self, user) -> str:
        deal = services.listing_record_settlement(
            listing=self.listing,
            user=user,
            paid_amount=self.cleaned_data["paid_amount"],
            settled_on=self.cleaned_data["settled_on"],
        )
        return f"已登记价款结清{deal.paid_amount}元；中标人保证金转为价款，其他保证金已退还。"


class AttestForm(ReasonForm):
    institution = forms.CharField(
        label="出具机构", max_length=120, required=False, help_text="留空为挂牌时的交易机构"
    )

    def run(self, user) -> str:
        certificate, contract = listing_attest_and_close(
            listing=self.listing,
            user=user,
            reason=self.cleaned_data["reason"],
            institution=self.cleaned_data["institution"],
        )
        made = f"，已生成监测合同{contract.contract_no}及应收计划" if contract is not None else ""
        return f"已出具交易鉴证书{certificate.number}（验证码{certificate.verification_code}）{made}。"


class BidForm(forms.Form):
    """A bid entered at the county window for a qualified bidder (代录报价)."""

    registration = forms.ModelChoiceField(label="竞买人", queryset=Registration.objects.none())
    amount = forms.DecimalField(label="报价（元）", max_digits=18, decimal_places=2, min_value=0)

    def __init__(self, *args: Any, listing: Listing, transition=None, **kwargs: Any) -> None:
        self.listing = listing
        super().__init__(*args, **kwargs)
        self.fields["registration"].queryset = listing.registrations.filter(
            round=listing.round, qualification_status=QualificationStatus.QUALIFIED
        ).order_by("bidder_no")
        self.fields["registration"].label_from_instance = lambda r: f"{r.bidder_no}号竞买人"
        self.fields["amount"].initial = services.minimum_next_bid(listing)
        self.fields["amount"].help_text = f"当前最低有效报价{services.minimum_next_bid(listing)}元"

    def run(self, user) -> str:
        bid = services.bid_place(
            listing=self.listing,
            registration=self.cleaned_data["registration"],
            amount=self.cleaned_data["amount"],
            user=user,
        )
        return f"已录入第{bid.sequence}次报价：{bid.registration.bidder_no}号竞买人{bid.amount}元。"


class ChangeAnnouncementForm(ReasonForm):
    """变更挂牌公告: the changed conditions (blank = unchanged); the announcement period restarts today."""

    FIELDS = (
        "listing_price",
        "reserve_price",
        "deposit_amount",
        "announcement_days",
        "site_visit",
        "special_matters",
    )

    listing_price = forms.DecimalField(
        label="新挂牌价（元）", max_digits=18, decimal_places=2, required=False
    )
    reserve_price = forms.DecimalField(label="新底价（元）", max_digits=18, decimal_places=2, required=False)
    deposit_amount = forms.DecimalField(
        label="新保证金（元）", max_digits=18, decimal_places=2, required=False
    )
    announcement_days = forms.IntegerField(label="新公告期（工作日）", min_value=1, required=False)
    site_visit = forms.CharField(label="踏勘安排", max_length=300, required=False)
    special_matters = forms.CharField(
        label="特别事项", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def run(self, user) -> str:
        changes = {k: self.cleaned_data[k] for k in self.FIELDS if self.cleaned_data.get(k) not in (None, "")}
        listing = services.listing_change_announcement(
            listing=self.listing, user=user, reason=self.cleaned_data["reason"], **changes
        )
        return f"已变更挂牌公告，公告期重新计算至{listing.announcement_end:%Y-%m-%d}。"


class PrintForm(forms.Form):
    reason = forms.CharField(
        label="打印原因", max_length=200, initial="交付受让方", help_text="将记入打印记录"
    )


#: the form of each transition (others use ``ReasonForm``)
TRANSITION_FORMS: dict[str, type[forms.Form]] = {
    "county_approve": CountyApproveForm,
    "conclude_eligibility": ConcludeEligibilityForm,
    "negotiation_deal": NegotiationDealForm,
    "relist": RelistForm,
    "change": ChangeAnnouncementForm,
    "sign_contract": SignContractForm,
    "attest": AttestForm,
}
