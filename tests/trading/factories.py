"""Builders for trading tests: listings driven through the real services, valid identity numbers."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from backoffice.core.validators import resident_id_check_char
from backoffice.trading import services
from backoffice.trading.choices import AttachmentKind, PropertyType, TransferMode
from backoffice.trading.models import Listing, ListingAttachment


def resident_id(serial: int, region: str = "140121", birth: str = "19850101") -> str:
    """A valid 18-digit resident ID (GB 11643 check character) for test parties."""
    body = f"{region}{birth}{serial % 1000:03d}"
    return body + resident_id_check_char(body)


def phone(serial: int) -> str:
    return f"139{serial:08d}"


def listing_fields(org, **overrides) -> dict:
    values = {
        "org": org,
        "title": "村东机动地50亩出租",
        "property_type": PropertyType.T10,
        "location": "村东",
        "area": Decimal("50.00"),
        "quantity": Decimal("50.00"),
        "transferor_name": org.name,
        "transfer_mode": TransferMode.LEASE,
        "term_years": 5,
        "term_start": date(2026, 1, 1),
        "term_end": date(2031, 1, 1),
        "listing_price": Decimal("100000.00"),
        "reserve_price": Decimal("100000.00"),
        "deposit_amount": Decimal("5000.00"),
        "bid_increment": Decimal("1000.00"),
    }
    values.update(overrides)
    return values


def draft(org, user, **overrides) -> Listing:
    listing = services.listing_create(user=user, **listing_fields(org, **overrides))
    ListingAttachment.objects.create(
        listing=listing,
        kind=AttachmentKind.RESOLUTION,
        title="村民代表会议决议",
        file=SimpleUploadedFile("resolution.pdf", b"%PDF-1.4 test"),
    )
    return listing


def announced(org, users, start: date | None = None, **overrides) -> Listing:
    """A listing taken through village submission, township and county approval."""
    listing = draft(org, users["village_bookkeeper"], **overrides)
    services.listing_submit(listing=listing, user=users["village_bookkeeper"])
    services.listing_town_approve(listing=listing, user=users["township_reviewer"], reason="同意")
    services.listing_county_approve(listing=listing, user=users["trading_officer"], start=start)
    return listing


def qualified_bidder(listing: Listing, officer, serial: int, *, name: str = "", id_no: str = "", **kw):
    registration = services.registration_create(
        listing=listing,
        user=officer,
        name=name or f"竞买人{serial}",
        id_no=id_no or resident_id(serial),
        phone=phone(serial),
        **kw,
    )
    if registration.deposit_status == "unpaid":
        services.registration_record_deposit(registration=registration, user=officer)
    return services.registration_review(registration=registration, user=officer, qualified=True)


def after_announcement(listing: Listing) -> datetime:
    """A moment on the day after the announcement's last working day."""
    day = listing.announcement_end + timedelta(days=1)
    return timezone.make_aware(datetime(day.year, day.month, day.day, 9, 0))


def in_bidding(org, users, bidders: int = 2, **overrides) -> tuple[Listing, list]:
    """A listing in online bidding with ``bidders`` qualified registrations, bidding started now."""
    listing = announced(org, users, **overrides)
    officer = users["trading_officer"]
    regs = [qualified_bidder(listing, officer, 100 + i) for i in range(bidders)]
    services.listing_close_announcement(listing=listing, as_of=after_announcement(listing))
    services.listing_conclude_eligibility(listing=listing, user=officer, bidding_starts_at=timezone.now())
    return listing, regs


FAR_FUTURE = timezone.make_aware(datetime(2099, 1, 1, 9, 0))


def drive(org, users, state: str) -> Listing:
    """A fresh listing brought into ``state`` through the real services (the happy path and its forks)."""
    from backoffice.trading.choices import ListingState as S

    officer = users["trading_officer"]
    if state == S.DRAFT:
        return draft(org, users["village_bookkeeper"])
    if state == S.TOWN_REVIEW:
        listing = draft(org, users["village_bookkeeper"])
        return services.listing_submit(listing=listing, user=users["village_bookkeeper"])
    if state == S.COUNTY_REVIEW:
        listing = drive(org, users, S.TOWN_REVIEW)
        return services.listing_town_approve(listing=listing, user=users["township_reviewer"])
    if state == S.ANNOUNCED:
        return announced(org, users)
    if state in (S.SUSPENDED, S.TERMINATED):
        listing = announced(org, users)
        service = services.listing_suspend if state == S.SUSPENDED else services.listing_terminate
        return service(listing=listing, user=officer, reason="出让方申请")
    bidders = {S.UNSOLD: 0, S.NEGOTIATION: 1}.get(state, 2)
    listing = announced(org, users)
    regs = [qualified_bidder(listing, officer, 200 + i) for i in range(bidders)]
    services.listing_close_announcement(listing=listing, as_of=after_announcement(listing))
    if state == S.ELIGIBILITY:
        return listing
    start = timezone.now() - timedelta(hours=3)
    services.listing_conclude_eligibility(listing=listing, user=officer, bidding_starts_at=start)
    if state in (S.UNSOLD, S.NEGOTIATION, S.BIDDING):
        return listing
    services.bid_place(
        listing=listing,
        amount=listing.listing_price,
        access_code=regs[0].access_code,
        at=start + timedelta(minutes=1),
    )
    services.listing_close_bidding(listing=listing, as_of=timezone.now())
    if state == S.DEAL:
        return listing
    services.listing_publish_result(listing=listing, user=officer)
    if state == S.RESULT_PUBLICITY:
        return listing
    services.listing_close_publicity(listing=listing, as_of=FAR_FUTURE)
    if state == S.CONTRACT:
        return listing
    services.listing_sign_contract(
        listing=listing, user=officer, contract_no="JY-HT-001", signed_on=timezone.localdate()
    )
    if state == S.SETTLEMENT:
        return listing
    services.listing_record_settlement(listing=listing, user=officer, paid_amount=listing.listing_price)
    services.listing_attest(listing=listing, user=officer)
    if state == S.ATTESTED:
        return listing
    return services.listing_archive(listing=listing, user=officer)
