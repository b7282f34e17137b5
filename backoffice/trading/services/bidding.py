"""Eligibility, online bidding and negotiation (DOMAIN.md §6.4 ELIGIBILITY … DEAL/UNSOLD, §6.5).

Bidding rules implemented [D on the §6.5 practice]:

- Bidding opens at ``bidding_starts_at``; the free-quote period (自由报价期) runs ``free_quote_minutes``, then
  the timed-quote period (限时报价期) ``timed_quote_minutes``. A bid in the timed period with less than
  ``extension_minutes`` left moves the end to bid time + ``extension_minutes`` (延时), so nobody wins by
  sniping the last second.
- The first bid is at least the listing price (挂牌价, the opening price); every further bid raises the
  highest bid by a whole multiple of the fixed increment (加价幅度). The highest bidder cannot outbid
  themself.
- Priority right on equal terms (同等条件优先, DOMAIN.md §6.2 T03, §6.3): while bidding runs, a qualified
  member of the transferor collective may *match* the current highest bid of a non-member (same amount,
  ``is_priority_match``) and so becomes the highest bidder; others must then raise by the increment. A
  member cannot match another member (no priority among equals), and one amount can be matched once.
- At the end the highest bid (latest among equal amounts) wins if it reaches the reserve price (底价);
  otherwise the listing is unsold (流拍). With one qualified party the listing goes to negotiation
  (协议成交) at a price not below the reserve; with none it is unsold.

Concurrency: every bid locks the listing row (``select_for_update`` on PostgreSQL; on SQLite the
IMMEDIATE transaction serialises writers) and re-reads the highest bid under the lock; the unique
constraints on (listing, round, sequence) and (listing, round, amount, is_priority_match) make a lost
update or two equal winners impossible even without the lock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from ..choices import BidPhase, DealMethod, QualificationStatus
from ..choices import ListingState as S
from ..models import Bid, Deal, Listing, Registration
from .access import Actor, TradingError, authorise
from .machine import _begin, _sync, apply_transition, lock_listing, qualified_registrations


def _now(at: datetime | None) -> datetime:
    return at or timezone.now()


# ---- eligibility ----------------------------------------------------------------------------------


@transaction.atomic
def listing_conclude_eligibility(
    *, listing: Listing, user: Any, bidding_starts_at: datetime | None = None, at: datetime | None = None
) -> Listing:
    """资格确认中 → 流拍 (no qualified party), 协议成交 (one), 网络竞价中 (two or more).

    Every registration of the round must have been reviewed. Bidding starts at ``bidding_starts_at``
    (default: now)."""
    locked, transition = _begin(listing, "conclude_eligibility", user)
    pending = locked.registrations.filter(
        round=locked.round, qualification_status=QualificationStatus.PENDING
    )
    if pending.exists():
        names = "、".join(pending.values_list("name", flat=True)[:5])
        raise TradingError(f"还有{pending.count()}个报名未审查资格（{names}），请先审查。")
    count = qualified_registrations(locked).count()
    at = _now(at)
    if count == 0:
        apply_transition(locked, transition, user=user, reason="无合格意向受让方", to_state=S.UNSOLD, at=at)
    elif count == 1:
        apply_transition(
            locked,
            transition,
            user=user,
            reason="仅1个合格意向受让方，转协议成交",
            to_state=S.NEGOTIATION,
            at=at,
        )
    else:
        start = bidding_starts_at or at
        locked.bidding_starts_at = start
        locked.free_quote_ends_at = start + timedelta(minutes=locked.free_quote_minutes)
        locked.bidding_ends_at = locked.free_quote_ends_at + timedelta(minutes=locked.timed_quote_minutes)
        apply_transition(
            locked,
            transition,
            user=user,
            reason=f"{count}个合格意向受让方，组织网络竞价",
            to_state=S.BIDDING,
            at=at,
            extra_fields=("bidding_starts_at", "free_quote_ends_at", "bidding_ends_at"),
        )
    return _sync(listing, locked)


# ---- negotiation ----------------------------------------------------------------------------------


@transaction.atomic
def listing_negotiation_deal(
    *,
    listing: Listing,
    user: Any,
    price: Decimal,
    term_start: date | None = None,
    term_end: date | None = None,
    reason: str = "",
) -> Deal:
    """协议成交 → 成交确认 with the single qualified party, at a price not below the reserve."""
    locked, transition = _begin(listing, "negotiation_deal", user, reason)
    price = Decimal(price)
    if price < locked.reserve_price or price <= 0:
        raise TradingError(f"协议成交价{price}元低于底价，不能成交；如协商不成，请选择“协议未成交（流拍）”。")
    winner = qualified_registrations(locked).get()
    deal = _make_deal(locked, winner, price, DealMethod.NEGOTIATION, user, term_start, term_end)
    apply_transition(locked, transition, user=user, reason=reason or f"协议成交价{price}元")
    _sync(listing, locked)
    return deal


@transaction.atomic
def listing_negotiation_fail(*, listing: Listing, user: Any, reason: str) -> Listing:
    """协议成交 → 流拍 when the parties do not agree at or above the reserve."""
    locked, transition = _begin(listing, "negotiation_fail", user, reason)
    apply_transition(locked, transition, user=user, reason=reason)
    return _sync(listing, locked)


def _make_deal(
    locked: Listing,
    winner: Registration,
    price: Decimal,
    method: str,
    user: Any,
    term_start: date | None = None,
    term_end: date | None = None,
    at: datetime | None = None,
) -> Deal:
    return Deal.objects.create(
        listing=locked,
        region_code=locked.region_code,
        round=locked.round,
        registration=winner,
        method=method,
        price=price,
        term_start=term_start or locked.term_start,
        term_end=term_end or locked.term_end,
        decided_at=_now(at),
        decided_by=user,
    )


# ---- bidding --------------------------------------------------------------------------------------


def highest_bid(listing: Listing) -> Bid | None:
    """The leading bid of the listing's current round (highest amount, latest among equals)."""
    return listing.bids.filter(round=listing.round).order_by("-amount", "-sequence").first()


def minimum_next_bid(listing: Listing, top: Bid | None = None) -> Decimal:
    """The lowest amount a new (non-matching) bid may have now."""
    top = top if top is not None else highest_bid(listing)
    return listing.listing_price if top is None else top.amount + listing.bid_increment


@transaction.atomic
def bid_place(
    *,
    listing: Listing,
    amount: Decimal,
    registration: Registration | None = None,
    access_code: str = "",
    user: Any = None,
    at: datetime | None = None,
) -> Bid:
    """Place one bid: by the bidder with their ``access_code``, or entered at the window by a county
    trading officer (``user``) for ``registration``. Returns the accepted bid; refusals raise
    ``TradingError`` saying what the lowest valid amount is."""
    locked = lock_listing(listing)
    if access_code:
        registration = Registration.objects.filter(listing=locked, access_code=access_code).first()
        if registration is None:
            raise TradingError("报价口令不正确，请核对报名时领取的报价口令。")
    elif registration is None or registration.listing_id != locked.pk:
        raise TradingError("请选择本项目的竞买人。")
    else:
        authorise(
            user, Actor.COUNTY, region_code=locked.region_code, what="代录报价", subject=locked.listing_no
        )
    registration = Registration.objects.get(pk=registration.pk)
    at = _now(at)
    if locked.state != S.BIDDING:
        raise TradingError(f"项目“{locked.listing_no}”当前状态为“{locked.get_state_display()}”，不在竞价中。")
    if at < locked.bidding_starts_at:
        raise TradingError(
            f"竞价尚未开始，开始时间为{timezone.localtime(locked.bidding_starts_at):%Y-%m-%d %H:%M}。"
        )
    if at >= locked.bidding_ends_at:
        raise TradingError("竞价已结束，不再接受报价。")
    if (
        registration.round != locked.round
        or registration.qualification_status != QualificationStatus.QUALIFIED
    ):
        raise TradingError(f"{registration.name}未取得本轮竞买资格，不能报价。")
    try:
        amount = Decimal(str(amount)).quantize(Decimal("0.01"))
    except ArithmeticError as exc:
        raise TradingError(f"报价“{amount}”不是有效金额，请填写数字（单位：元）。") from exc
    top = highest_bid(locked)
    priority_match = False
    if top is None:
        if amount < locked.listing_price:
            raise TradingError(f"首次报价不得低于挂牌价{locked.listing_price}元。")
        base = locked.listing_price
    else:
        if top.registration_id == registration.pk:
            raise TradingError(f"您已是当前最高报价人（{top.amount}元），无需再次报价。")
        if amount == top.amount and _may_match(locked, registration, top):
            priority_match = True
        elif amount < top.amount + locked.bid_increment:
            raise TradingError(
                f"当前最高报价为{top.amount}元，加价幅度为{locked.bid_increment}元，"
                f"您的报价应不低于{top.amount + locked.bid_increment}元。"
            )
        base = top.amount
    if not priority_match and (amount - base) % locked.bid_increment != 0:
        raise TradingError(f"加价应为加价幅度{locked.bid_increment}元的整数倍（在{base}元基础上）。")
    phase = BidPhase.FREE if at < locked.free_quote_ends_at else BidPhase.TIMED
    sequence = (locked.bids.filter(round=locked.round).aggregate(n=Max("sequence"))["n"] or 0) + 1
    bid = Bid(
        listing=locked,
        region_code=locked.region_code,
        registration=registration,
        round=locked.round,
        sequence=sequence,
        amount=amount,
        at=at,
        phase=phase,
        is_priority_match=priority_match,
        entered_by=user if not access_code else None,
    )
    try:
        with transaction.atomic():
            bid.save()
    except IntegrityError as exc:
        raise TradingError("报价时有人同时报出了相同或更高的价格，请刷新后按最新最高价重新报价。") from exc
    if phase == BidPhase.TIMED:
        extension = timedelta(minutes=locked.extension_minutes)
        if locked.bidding_ends_at - at < extension:
            locked.bidding_ends_at = at + extension
            locked.save(update_fields=["bidding_ends_at", "updated_at"])
    if listing is not locked:
        listing.bidding_ends_at = locked.bidding_ends_at
    return bid


def _may_match(listing: Listing, registration: Registration, top: Bid) -> bool:
    """A member of the collective may match a non-member's highest bid (priority on equal terms)."""
    return bool(
        listing.priority_right
        and registration.is_collective_member
        and not top.registration.is_collective_member
    )


@transaction.atomic
def listing_close_bidding(*, listing: Listing, user: Any = None, as_of: datetime | None = None) -> Listing:
    """网络竞价中 → 成交确认 (highest bid ≥ reserve) or 流拍, once the timed-quote period has ended."""
    locked, transition = _begin(listing, "close_bidding", user)
    as_of = _now(as_of)
    if as_of < locked.bidding_ends_at:
        raise TradingError(
            f"竞价截止时间为{timezone.localtime(locked.bidding_ends_at):%Y-%m-%d %H:%M:%S}，尚未结束。"
        )
    top = highest_bid(locked)
    if top is None or top.amount < locked.reserve_price:
        reason = "无有效报价，流拍" if top is None else f"最高报价{top.amount}元未达到底价，流拍"
        apply_transition(locked, transition, user=user, reason=reason, to_state=S.UNSOLD, at=as_of)
    else:
        _make_deal(locked, top.registration, top.amount, DealMethod.BIDDING, user, at=as_of)
        apply_transition(
            locked,
            transition,
            user=user,
            reason=f"{top.registration.bidder_no}号竞买人以{top.amount}元竞得",
            to_state=S.DEAL,
            at=as_of,
        )
    return _sync(listing, locked)


# ---- selectors ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BiddingStatus:
    """What a bidding page shows: no identities, bidder numbers only."""

    state: str
    highest_amount: Decimal | None
    highest_bidder_no: int | None
    bid_count: int
    minimum_next_bid: Decimal
    phase: str
    starts_at: datetime | None
    free_quote_ends_at: datetime | None
    ends_at: datetime | None


def bidding_status(listing: Listing, as_of: datetime | None = None) -> BiddingStatus:
    as_of = _now(as_of)
    top = highest_bid(listing)
    if listing.state != S.BIDDING or not listing.bidding_starts_at:
        phase = ""
    elif as_of < listing.bidding_starts_at:
        phase = "not_started"
    elif as_of < listing.free_quote_ends_at:
        phase = BidPhase.FREE
    elif as_of < listing.bidding_ends_at:
        phase = BidPhase.TIMED
    else:
        phase = "ended"
    return BiddingStatus(
        state=listing.state,
        highest_amount=top.amount if top else None,
        highest_bidder_no=top.registration.bidder_no if top else None,
        bid_count=listing.bids.filter(round=listing.round).count(),
        minimum_next_bid=minimum_next_bid(listing, top),
        phase=phase,
        starts_at=listing.bidding_starts_at,
        free_quote_ends_at=listing.free_quote_ends_at,
        ends_at=listing.bidding_ends_at,
    )


def bid_log_public(listing: Listing) -> list[dict[str, Any]]:
    """The bidding log of the current round for the public portal after close: bidder numbers only."""
    return [
        {
            "sequence": b.sequence,
            "bidder_no": b.registration.bidder_no,
            "amount": b.amount,
            "at": b.at,
            "phase": b.get_phase_display(),
            "is_priority_match": b.is_priority_match,
        }
        for b in listing.bids.filter(round=listing.round).select_related("registration").order_by("sequence")
    ]
