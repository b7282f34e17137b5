"""The public read path of the trading platform (DOMAIN.md §6.8): which listings the portal shows and
the non-personal facts it may show about them.

The public has no region scope; what limits it is the state (drafts and listings under review never
appear) and the facts: never an ID, phone or bank account number, never the reserve price, never the
identity of a registered party; the names of natural persons (a farmer transferor, an individual
winner) are masked to their first character.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal

from django.db.models import Count, F, Max, Q, QuerySet
from django.utils import timezone

from ..choices import PUBLIC_STATES, RESULT_STATES, BidderKind, ListingState, TransferorKind
from ..models import Certificate, Deal, Listing

#: states listed as current (still open to the public's participation or running)
CURRENT_STATES = frozenset(
    {
        ListingState.ANNOUNCED,
        ListingState.ELIGIBILITY,
        ListingState.NEGOTIATION,
        ListingState.BIDDING,
        ListingState.SUSPENDED,
    }
)
#: filter numbers at or beyond this are ignored (the amount columns hold 16 integer digits)
MAX_FILTER_NUMBER = Decimal("1e15")
#: public milestones of the process, in order, with the event actions that reach them
MILESTONES = (
    ("挂牌公告", ("county_approve", "relist", "change")),
    ("报名与资格确认", ("close_announcement",)),
    ("交易组织（竞价/协议）", ("conclude_eligibility",)),
    ("成交确认", ("close_bidding", "negotiation_deal")),
    ("结果公示", ("publish_result",)),
    ("合同签订", ("close_publicity", "sign_contract")),
    ("出具鉴证书", ("attest",)),
)


def public_listings() -> QuerySet[Listing]:
    """Every listing the public may see (the one public read path)."""
    return Listing.objects.filter(state__in=PUBLIC_STATES)


def mask_name(name: str) -> str:
    """A natural person's name as published: first character kept (张三 → 张*, 欧阳修 → 欧**)."""
    name = (name or "").strip()
    if not name:
        return ""
    return name[0] + "*" * max(len(name) - 1, 1)


def transferor_display(listing: Listing) -> str:
    if listing.transferor_kind == TransferorKind.FARMER:
        return f"{mask_name(listing.transferor_name)}（农户）"
    return listing.transferor_name


def winner_display(deal: Deal) -> str:
    registration = deal.registration
    if registration.kind == BidderKind.PERSON:
        return mask_name(registration.name)
    return registration.name


def filter_listings(queryset: QuerySet[Listing], params) -> tuple[QuerySet[Listing], list[str]]:
    """Apply the portal filters (region, type, area, price, status) from GET ``params``; a malformed
    number is ignored and reported, never an error page."""
    problems: list[str] = []
    region = (params.get("region") or "").strip()
    if region.isdigit():
        from backoffice.core.scope import prefix_of_code

        queryset = queryset.filter(region_code__startswith=prefix_of_code(region.ljust(12, "0")[:12]))
    if params.get("type"):
        queryset = queryset.filter(property_type=params["type"])
    for name, lookup, label in (
        ("area_min", "area__gte", "最小面积"),
        ("area_max", "area__lte", "最大面积"),
        ("price_min", "listing_price__gte", "最低挂牌价"),
        ("price_max", "listing_price__lte", "最高挂牌价"),
    ):
        raw = (params.get(name) or "").strip().replace(",", "").replace("，", "")
        if not raw:
            continue
        try:
            value = Decimal(raw)
        except ArithmeticError:
            problems.append(f"{label}“{raw}”不是数字，已忽略该条件")
            continue
        if not value.is_finite() or abs(value) >= MAX_FILTER_NUMBER:
            problems.append(f"{label}“{raw}”超出范围，已忽略该条件")
            continue
        queryset = queryset.filter(**{lookup: value})
    status = params.get("status") or "current"
    if status == "current":
        queryset = queryset.filter(state__in=CURRENT_STATES)
    elif status == "done":
        queryset = queryset.filter(state__in=RESULT_STATES)
    return queryset, problems


def listing_cards(queryset: QuerySet[Listing]) -> QuerySet[Listing]:
    """The list page's rows with the registration count of the current round (no identities)."""
    return queryset.select_related("org").annotate(
        registration_count=Count("registrations", filter=Q(registrations__round=F("round")), distinct=True)
    )


def announcement_deadline(listing: Listing) -> datetime | None:
    """The end of the announcement: the end of its last working day, local time."""
    if not listing.announcement_end:
        return None
    return timezone.make_aware(datetime.combine(listing.announcement_end, time(23, 59, 59)))


@dataclass(frozen=True)
class Progress:
    """The public process facts of one listing round."""

    registrations: int
    qualified: int
    bids: int
    highest_bid: Decimal | None
    milestones: list[tuple[str, date | None]]


def listing_progress(listing: Listing) -> Progress:
    """Counts only: registrations and qualified bidders of the current round, bids, highest bid."""
    registrations = listing.registrations.filter(round=listing.round)
    bids = listing.bids.filter(round=listing.round)
    stats = bids.aggregate(count=Count("pk"), highest=Max("amount"))
    reached: dict[str, date] = {}
    for action, at in listing.events.filter(round=listing.round).values_list("action", "at"):
        reached[action] = timezone.localdate(at)
    milestones = []
    for label, actions in MILESTONES:
        days = [reached[a] for a in actions if a in reached]
        milestones.append((label, min(days) if days else None))
    return Progress(
        registrations=registrations.count(),
        qualified=registrations.filter(qualification_status="qualified").count(),
        bids=stats["count"] or 0,
        highest_bid=stats["highest"],
        milestones=milestones,
    )


def public_bid_log(listing: Listing) -> list[dict]:
    """The bidding log after bidding has closed: bidder numbers, amounts and times, never names."""
    if listing.state in (ListingState.ANNOUNCED, ListingState.ELIGIBILITY, ListingState.BIDDING):
        return []
    from ..services import bid_log_public

    return bid_log_public(listing)


def current_deal(listing: Listing) -> Deal | None:
    """The valid deal of the current round, published once the result is (结果公示 onwards)."""
    if listing.state not in RESULT_STATES:
        return None
    return listing.deals.filter(is_void=False, round=listing.round).select_related("registration").first()


def public_results() -> QuerySet[Deal]:
    """Deals whose result is published, newest first."""
    return (
        Deal.objects.filter(is_void=False, listing__state__in=RESULT_STATES)
        .select_related("listing", "registration")
        .order_by("-decided_at", "-pk")
    )


def certificate_lookup(number: str) -> Certificate | None:
    number = (number or "").strip()
    if not number:
        return None
    return (
        Certificate.objects.filter(number__iexact=number, listing__state__in=PUBLIC_STATES)
        .select_related("listing", "deal", "deal__registration")
        .first()
    )
