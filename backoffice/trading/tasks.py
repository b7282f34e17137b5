"""Jobs of 产权交易: the transitions that the end of a period causes (DOMAIN.md §6.4)."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from .choices import ListingState as S
from .models import Listing
from .services import TradingError, listing_close_announcement, listing_close_bidding, listing_close_publicity


def advance_trading_periods(as_of: datetime | None = None) -> dict[str, int]:
    """Close every announcement, timed-quote period and result publicity that has ended by ``as_of``.

    Idempotent: each listing moves at most once per state, re-running finds nothing left to do, and a
    listing changed meanwhile (suspended, already closed by an officer) is skipped by the state check
    under the row lock. Returns counts per step plus ``errors``."""
    as_of = as_of or timezone.now()
    today = timezone.localdate(as_of)
    steps = (
        (
            "announcements_closed",
            Listing.objects.filter(state=S.ANNOUNCED, announcement_end__lt=today),
            listing_close_announcement,
        ),
        (
            "biddings_closed",
            Listing.objects.filter(state=S.BIDDING, bidding_ends_at__lte=as_of),
            listing_close_bidding,
        ),
        (
            "publicities_closed",
            Listing.objects.filter(state=S.RESULT_PUBLICITY, publicity_end__lt=today),
            listing_close_publicity,
        ),
    )
    counts = {name: 0 for name, _, _ in steps}
    counts["errors"] = 0
    for name, queryset, service in steps:
        for pk in queryset.values_list("pk", flat=True).order_by("pk"):
            try:
                with transaction.atomic():
                    service(listing=Listing.objects.get(pk=pk), user=None, as_of=as_of)
                counts[name] += 1
            except TradingError:
                # moved by someone else between the query and the lock: nothing to do
                counts["errors"] += 1
    return counts
