"""The scheduled job that makes the transitions a period end causes: correct, idempotent, as-of aware."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from backoffice.core.schedules import all_schedules
from backoffice.trading import services
from backoffice.trading.choices import ListingState as S
from backoffice.trading.tasks import advance_trading_periods
from tests.trading import factories as f

pytestmark = pytest.mark.django_db


def test_the_job_is_scheduled_every_minute():
    spec = next(s for s in all_schedules() if s.name == "trading.advance_periods")
    assert spec.func == "backoffice.trading.tasks.advance_trading_periods"
    assert spec.cron == "* * * * *"


def test_the_job_closes_an_ended_announcement_once_and_leaves_a_running_one(org_a, users):
    ended = f.announced(org_a, users)
    running = f.announced(org_a, users)
    services.listing_change_announcement(
        listing=running, user=users["trading_officer"], reason="延长", announcement_days=20
    )
    as_of = f.after_announcement(ended)
    first = advance_trading_periods(as_of=as_of)
    assert first["announcements_closed"] >= 1 and first["errors"] == 0
    ended.refresh_from_db()
    running.refresh_from_db()
    assert (ended.state, running.state) == (S.ELIGIBILITY, S.ANNOUNCED)
    second = advance_trading_periods(as_of=as_of)
    assert second == {"announcements_closed": 0, "biddings_closed": 0, "publicities_closed": 0, "errors": 0}
    assert ended.events.filter(action="close_announcement", actor=None).count() == 1


def test_the_job_ends_a_bidding_with_a_deal_or_unsold_by_its_as_of(org_a, users):
    sold, (a, _b) = f.in_bidding(org_a, users)
    unsold, _ = f.in_bidding(org_a, users)
    services.bid_place(listing=sold, amount=Decimal("100000"), access_code=a.access_code)
    before_end = sold.bidding_ends_at - timedelta(seconds=1)
    advance_trading_periods(as_of=before_end)
    sold.refresh_from_db()
    assert sold.state == S.BIDDING
    as_of = max(sold.bidding_ends_at, unsold.bidding_ends_at)
    result = advance_trading_periods(as_of=as_of)
    assert result["biddings_closed"] >= 2
    sold.refresh_from_db()
    unsold.refresh_from_db()
    assert (sold.state, unsold.state) == (S.DEAL, S.UNSOLD)
    assert services.current_deal(sold).registration_id == a.pk
    assert advance_trading_periods(as_of=as_of)["biddings_closed"] == 0
    assert sold.deals.count() == 1


def test_the_job_moves_an_ended_publicity_to_contract_and_skips_a_suspended_listing(org_a, users):
    listing = f.drive(org_a, users, S.RESULT_PUBLICITY)
    other = f.drive(org_a, users, S.RESULT_PUBLICITY)
    services.listing_suspend(listing=other, user=users["trading_officer"], reason="异议成立，中止")
    as_of = f.FAR_FUTURE
    advance_trading_periods(as_of=as_of)
    listing.refresh_from_db()
    other.refresh_from_db()
    assert (listing.state, other.state) == (S.CONTRACT, S.SUSPENDED)
    assert listing.events.get(action="close_publicity").actor is None
