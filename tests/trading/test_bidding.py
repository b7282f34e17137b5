"""Registration, online bidding, timed-quote extension, priority right and negotiation (DOMAIN.md §6.4,
§6.5)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from backoffice.trading import services
from backoffice.trading.choices import BidPhase, DepositStatus, QualificationStatus
from backoffice.trading.choices import ListingState as S
from backoffice.trading.services import TradingError
from tests.trading import factories as f

pytestmark = pytest.mark.django_db
D = Decimal


def bid(listing, registration, amount, at=None):
    return services.bid_place(listing=listing, amount=D(amount), access_code=registration.access_code, at=at)


# ---- registration ----------------------------------------------------------------------------------------


def test_registration_needs_the_deposit_before_qualification_and_numbers_qualified_bidders(org_a, users):
    officer = users["trading_officer"]
    listing = f.announced(org_a, users)
    reg = services.registration_create(
        listing=listing, user=officer, name="张三", id_no=f.resident_id(11), phone=f.phone(11)
    )
    assert (reg.deposit_status, reg.deposit_amount) == (DepositStatus.UNPAID, D("5000.00"))
    with pytest.raises(TradingError, match=r"尚未缴纳保证金5000.00元"):
        services.registration_review(registration=reg, user=officer, qualified=True)
    services.registration_record_deposit(registration=reg, user=officer)
    reg = services.registration_review(registration=reg, user=officer, qualified=True)
    second = f.qualified_bidder(listing, officer, 12)
    assert (reg.qualification_status, reg.bidder_no, second.bidder_no) == (
        QualificationStatus.QUALIFIED,
        1,
        2,
    )
    assert services.registration_counts(listing) == {"registered": 2, "qualified": 2}


def test_a_rejection_needs_a_note_and_an_id_registers_once_per_round(org_a, users):
    officer = users["trading_officer"]
    listing = f.announced(org_a, users)
    reg = services.registration_create(
        listing=listing, user=officer, name="李四", id_no=f.resident_id(13), phone=f.phone(13)
    )
    with pytest.raises(TradingError, match="必须填写审查意见"):
        services.registration_review(registration=reg, user=officer, qualified=False)
    services.registration_review(registration=reg, user=officer, qualified=False, note="有拖欠租金记录")
    with pytest.raises(TradingError, match="不能重复报名"):
        services.registration_create(
            listing=listing, user=officer, name="李四", id_no=f.resident_id(13), phone=f.phone(13)
        )


def test_registration_refuses_bad_identity_numbers_and_closes_with_the_announcement(org_a, users):
    officer = users["trading_officer"]
    listing = f.announced(org_a, users)
    with pytest.raises(TradingError, match="证件号"):
        services.registration_create(
            listing=listing, user=officer, name="王五", id_no="123", phone=f.phone(1)
        )
    with pytest.raises(TradingError, match="不再接受报名"):
        services.registration_create(
            listing=listing,
            user=officer,
            name="王五",
            id_no=f.resident_id(14),
            phone=f.phone(14),
            at=f.after_announcement(listing),
        )


def test_only_the_county_trading_window_registers_bidders(org_a, users):
    listing = f.announced(org_a, users)
    with pytest.raises(TradingError, match="没有相应的角色"):
        services.registration_create(
            listing=listing,
            user=users["village_bookkeeper"],
            name="赵六",
            id_no=f.resident_id(15),
            phone=f.phone(15),
        )


# ---- eligibility outcome and negotiation -----------------------------------------------------------------


def test_no_qualified_bidder_makes_the_listing_unsold(org_a, users):
    listing = f.drive(org_a, users, S.UNSOLD)
    assert listing.state == S.UNSOLD
    assert "无合格意向受让方" in listing.events.get(action="conclude_eligibility").reason


def test_eligibility_waits_for_every_registration_to_be_reviewed(org_a, users):
    officer = users["trading_officer"]
    listing = f.announced(org_a, users)
    services.registration_create(
        listing=listing, user=officer, name="待审", id_no=f.resident_id(16), phone=f.phone(16)
    )
    services.listing_close_announcement(listing=listing, as_of=f.after_announcement(listing))
    with pytest.raises(TradingError, match="未审查资格"):
        services.listing_conclude_eligibility(listing=listing, user=officer)


def test_one_qualified_bidder_negotiates_and_cannot_deal_below_the_reserve(org_a, users):
    officer = users["trading_officer"]
    listing = f.drive(org_a, users, S.NEGOTIATION)
    with pytest.raises(TradingError, match="低于底价"):
        services.listing_negotiation_deal(listing=listing, user=officer, price=listing.reserve_price - 1)
    deal = services.listing_negotiation_deal(listing=listing, user=officer, price=D("100500"))
    assert listing.state == S.DEAL
    assert (deal.method, deal.price, deal.registration.bidder_no) == ("negotiation", D("100500"), 1)


def test_a_failed_negotiation_is_unsold(org_a, users):
    listing = f.drive(org_a, users, S.NEGOTIATION)
    services.listing_negotiation_fail(
        listing=listing, user=users["trading_officer"], reason="受让方不接受底价"
    )
    assert listing.state == S.UNSOLD


# ---- bidding rules ---------------------------------------------------------------------------------------


def test_the_first_bid_starts_at_the_listing_price_and_later_bids_add_whole_increments(org_a, users):
    listing, (a, b) = f.in_bidding(org_a, users)
    with pytest.raises(TradingError, match=r"不得低于挂牌价100000.00元"):
        bid(listing, a, "99000")
    bid(listing, a, "100000")
    with pytest.raises(TradingError, match=r"应不低于101000.00元"):
        bid(listing, b, "100500")
    with pytest.raises(TradingError, match="整数倍"):
        bid(listing, b, "101500")
    with pytest.raises(TradingError, match="您已是当前最高报价人"):
        bid(listing, a, "102000")
    second = bid(listing, b, "103000")
    assert (second.sequence, second.phase, second.is_priority_match) == (2, BidPhase.FREE, False)
    status = services.bidding_status(listing)
    assert (status.highest_amount, status.highest_bidder_no, status.minimum_next_bid) == (
        D("103000"),
        2,
        D("104000"),
    )


def test_bids_outside_the_bidding_window_or_from_unqualified_parties_are_refused(org_a, users):
    listing, (a, _b) = f.in_bidding(org_a, users)
    with pytest.raises(TradingError, match="竞价尚未开始"):
        bid(listing, a, "100000", at=listing.bidding_starts_at - timedelta(seconds=1))
    with pytest.raises(TradingError, match="竞价已结束"):
        bid(listing, a, "100000", at=listing.bidding_ends_at)
    with pytest.raises(TradingError, match="报价口令不正确"):
        services.bid_place(listing=listing, amount=D("100000"), access_code="guess")
    other = f.announced(org_a, users)
    stranger = f.qualified_bidder(other, users["trading_officer"], 77)
    with pytest.raises(TradingError, match="报价口令不正确"):
        bid(listing, stranger, "100000")


def test_a_trading_officer_may_enter_a_bid_for_a_bidder_at_the_window_but_a_bookkeeper_may_not(org_a, users):
    listing, (a, _b) = f.in_bidding(org_a, users)
    with pytest.raises(TradingError, match="没有相应的角色"):
        services.bid_place(
            listing=listing, amount=D("100000"), registration=a, user=users["village_bookkeeper"]
        )
    placed = services.bid_place(
        listing=listing, amount=D("100000"), registration=a, user=users["trading_officer"]
    )
    assert placed.entered_by == users["trading_officer"]


def test_a_late_bid_in_the_timed_period_extends_the_end_and_an_early_one_does_not(org_a, users):
    listing, (a, b) = f.in_bidding(org_a, users)
    free_end, end = listing.free_quote_ends_at, listing.bidding_ends_at
    assert end - free_end == timedelta(minutes=10)
    early = bid(listing, a, "100000", at=free_end - timedelta(minutes=1))
    assert early.phase == BidPhase.FREE
    timed = bid(listing, b, "101000", at=free_end + timedelta(minutes=1))  # 9 minutes left: no extension
    listing.refresh_from_db()
    assert (timed.phase, listing.bidding_ends_at) == (BidPhase.TIMED, end)
    late_at = end - timedelta(minutes=1)  # 1 minute left < 5-minute extension period
    bid(listing, a, "102000", at=late_at)
    listing.refresh_from_db()
    assert listing.bidding_ends_at == late_at + timedelta(minutes=5)
    # a bid after the original end but before the extended one is still accepted, and extends again
    later = end + timedelta(minutes=3)
    bid(listing, b, "103000", at=later)
    listing.refresh_from_db()
    assert listing.bidding_ends_at == later + timedelta(minutes=5)
    with pytest.raises(TradingError, match="尚未结束"):
        services.listing_close_bidding(listing=listing, as_of=later + timedelta(minutes=4))
    services.listing_close_bidding(listing=listing, as_of=later + timedelta(minutes=5))
    deal = services.current_deal(listing)
    assert (listing.state, deal.price, deal.registration_id) == (S.DEAL, D("103000"), b.pk)


def test_bidding_without_any_bid_is_unsold(org_a, users):
    listing, _ = f.in_bidding(org_a, users)
    services.listing_close_bidding(listing=listing, as_of=listing.bidding_ends_at)
    assert listing.state == S.UNSOLD
    assert "无有效报价" in listing.events.get(action="close_bidding").reason


def test_the_public_bid_log_shows_bidder_numbers_only(org_a, users):
    listing, (a, b) = f.in_bidding(org_a, users)
    bid(listing, a, "100000")
    bid(listing, b, "101000")
    log = services.bid_log_public(listing)
    assert [(row["bidder_no"], row["amount"]) for row in log] == [(1, D("100000")), (2, D("101000"))]
    text = repr(log) + repr(services.bidding_status(listing))
    for reg in (a, b):
        assert reg.name not in text and reg.id_no not in text and reg.phone not in text


# ---- priority right of collective members ----------------------------------------------------------------


@pytest.fixture
def member_id(org_a):
    """The resident ID of an active member of org_a's register (one is added for the test)."""
    from backoffice.reform.choices import Gender, RelationToHead
    from backoffice.reform.models import Household, Member

    household = Household.objects.create(org=org_a, household_no="T-9001", head_name="成员甲")
    id_no = f.resident_id(901)  # 17th digit 1: male
    Member.objects.create(
        org=org_a,
        household=household,
        name="成员甲",
        gender=Gender.values[0],
        id_no=id_no,
        relation_to_head=RelationToHead.values[0],
    )
    return id_no


def test_membership_is_read_from_the_member_register_and_cannot_be_claimed(org_a, users, member_id):
    officer = users["trading_officer"]
    listing = f.announced(org_a, users)
    member = services.registration_create(
        listing=listing, user=officer, name="成员甲", id_no=member_id, phone=f.phone(901)
    )
    assert member.is_collective_member
    with pytest.raises(TradingError, match="成员名册中没有找到"):
        services.registration_create(
            listing=listing,
            user=officer,
            name="外来户",
            id_no=f.resident_id(902),
            phone=f.phone(902),
            is_collective_member=True,
        )


def test_a_member_may_match_the_highest_bid_of_a_non_member_and_wins_on_equal_terms(org_a, users, member_id):
    officer = users["trading_officer"]
    listing = f.announced(org_a, users)
    outsider = f.qualified_bidder(listing, officer, 300, name="外来企业主")
    other = f.qualified_bidder(listing, officer, 301, name="外来户乙")
    member = f.qualified_bidder(listing, officer, 0, name="成员甲", id_no=member_id)
    assert member.is_collective_member and not outsider.is_collective_member
    services.listing_close_announcement(listing=listing, as_of=f.after_announcement(listing))
    services.listing_conclude_eligibility(listing=listing, user=officer)
    bid(listing, outsider, "100000")
    match = bid(listing, member, "100000")
    assert match.is_priority_match
    # the outsider cannot match back: only members hold the priority right
    with pytest.raises(TradingError, match=r"应不低于101000.00元"):
        bid(listing, outsider, "100000")
    with pytest.raises(TradingError, match="您已是当前最高报价人"):
        bid(listing, member, "100000")
    bid(listing, other, "101000")
    bid(listing, member, "101000")  # matches again
    services.listing_close_bidding(listing=listing, as_of=listing.bidding_ends_at + timedelta(minutes=10))
    deal = services.current_deal(listing)
    assert (deal.registration_id, deal.price) == (member.pk, D("101000"))
    assert "以101000.00元竞得" in listing.events.get(action="close_bidding").reason


def test_a_member_cannot_match_another_member_nor_match_when_the_listing_waives_the_right(
    org_a, users, member_id
):
    officer = users["trading_officer"]
    listing = f.announced(org_a, users, priority_right=False)
    outsider = f.qualified_bidder(listing, officer, 310)
    member = f.qualified_bidder(listing, officer, 0, name="成员甲", id_no=member_id)
    services.listing_close_announcement(listing=listing, as_of=f.after_announcement(listing))
    services.listing_conclude_eligibility(listing=listing, user=officer)
    bid(listing, outsider, "100000")
    with pytest.raises(TradingError, match=r"应不低于101000.00元"):
        bid(listing, member, "100000")
    bid(listing, member, "101000")
    listing.priority_right = True
    listing.save(update_fields=["priority_right"])
    # the leader is a member now: an outsider must raise, and no one matches a member
    with pytest.raises(TradingError, match=r"应不低于102000.00元"):
        bid(listing, outsider, "101000")


def test_relisting_starts_a_fresh_round_where_old_registrations_cannot_bid(org_a, users):
    listing, (a, _b) = f.in_bidding(org_a, users)
    services.listing_close_bidding(listing=listing, as_of=listing.bidding_ends_at)
    services.listing_relist(listing=listing, user=users["trading_officer"], reason="重新挂牌")
    assert listing.round == 2 and listing.bidding_ends_at is None
    with pytest.raises(TradingError, match="不在竞价中"):
        bid(listing, a, "100000")
    again = f.qualified_bidder(listing, users["trading_officer"], 100)
    assert (again.round, again.bidder_no) == (2, 1)
