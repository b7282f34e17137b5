"""Concurrent bids (threads, real transactions): no lost update, never two equal leaders.

Runs on PostgreSQL (row lock) and on the file-based SQLite test database (IMMEDIATE transactions
serialise the writers). Transactional tests flush the database afterwards, so the demo is seeded again."""

from __future__ import annotations

import threading
from decimal import Decimal
from itertools import pairwise

import pytest
from django.core.management import call_command
from django.db import connection

from backoffice.trading import services
from backoffice.trading.models import Bid, Listing
from backoffice.trading.services import TradingError
from tests.conftest import TOWNSHIP_A, demo_village_org
from tests.trading import factories as f

THREADS = 6
ROUNDS = 5


@pytest.fixture
def demo(transactional_db):
    call_command("seed_demo", scale="tiny", seed=1, quiet=True)
    from backoffice.accounts.models import User

    return {u.username: u for u in User.objects.all()}, demo_village_org(TOWNSHIP_A)


def run_threads(target, count: int) -> list:
    """Start ``count`` threads at a barrier; return what each produced (results or exceptions)."""
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def worker(index: int) -> None:
        try:
            barrier.wait()
            results[index] = target(index)
        except Exception as exc:  # collected and asserted by the test
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def test_concurrent_bids_accept_one_of_equal_bids_and_lose_no_update(demo):
    """One test (one flush and reseed of the database): equal simultaneous bids, then raising bids."""
    users, org = demo
    equal, equal_regs = f.in_bidding(org, users, bidders=THREADS)

    def place(index: int):
        return services.bid_place(
            listing=equal, amount=Decimal("100000"), access_code=equal_regs[index].access_code
        )

    results = run_threads(place, THREADS)
    accepted = [r for r in results if isinstance(r, Bid)]
    refused = [r for r in results if isinstance(r, TradingError)]
    assert len(accepted) == 1 and len(refused) == THREADS - 1, results
    assert Bid.objects.filter(listing=equal).count() == 1

    listing, regs = f.in_bidding(org, users, bidders=THREADS)

    def keep_bidding(index: int) -> int:
        placed = 0
        for _ in range(ROUNDS):
            amount = services.minimum_next_bid(Listing.objects.get(pk=listing.pk))
            try:
                services.bid_place(listing=listing, amount=amount, access_code=regs[index].access_code)
                placed += 1
            except TradingError:
                pass
        return placed

    results = run_threads(keep_bidding, THREADS)
    assert all(isinstance(r, int) for r in results), results
    bids = list(Bid.objects.filter(listing=listing).order_by("sequence").values_list("sequence", "amount"))
    assert len(bids) == sum(results) and len(bids) >= 2
    assert [s for s, _ in bids] == list(range(1, len(bids) + 1))
    amounts = [a for _, a in bids]
    assert all(later - earlier >= listing.bid_increment for earlier, later in pairwise(amounts))
    assert services.highest_bid(listing).amount == max(amounts)
