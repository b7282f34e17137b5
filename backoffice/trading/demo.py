"""Demo listings of the trading platform, driven through the real services (so every listing has its
process record): in the demo village bookkeeper's village one listing each as a draft, in township
review, announced with two registrations, in online bidding, unsold, in result publicity and attested
(with its certificate, one logged print and the monitoring contract with its receivable plan); a
farmer's own asset announced in a neighbouring village. The first expiring contract and the first idle
resource of the village are left for the user to turn into listings (应进必进).

Runs at every scale but stays a handful of rows: it is the walkthrough, not volume.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from django.utils import timezone

from backoffice.core.demo import DemoContext
from backoffice.core.validators import resident_id_check_char

from . import services
from .certificate import certificate_print
from .choices import AttachmentKind, BidderKind, ListingState, PropertyType, TransferMode, TransferorKind
from .closure import contract_from_deal
from .models import Certificate, Listing, ListingAttachment

DEMO_ORDER = 85
QUALIFICATIONS = "具有完全民事行为能力的自然人或依法设立的农业经营主体；无拖欠集体款项"
SURNAMES = "王李张刘陈杨赵黄周吴"
GIVEN = ("建国", "秀英", "志强", "桂兰", "海燕", "国庆", "晓东", "春梅")
TITLES = (
    ("东坡机动地", "东至村道；西至水渠", Decimal("48.50")),
    ("南沟四荒地", "南至山脊；北至沟底", Decimal("120.00")),
    ("北滩坑塘水面", "四周至堤坝外沿", Decimal("15.00")),
    ("西梁果园", "东至生产路；西至林带", Decimal("32.00")),
    ("村集体闲置仓库", "东至村委会院墙", None),
    ("前街沿街门面房", "临前街", None),
    ("后坪耕地", "南至后坪路", Decimal("60.00")),
)


def resident_id(serial: int, region: str = "140121") -> str:
    body = f"{region}19{70 + serial % 25:02d}0{1 + serial % 9}1{serial % 9}{serial % 1000:03d}"
    return body + resident_id_check_char(body)


def seed(ctx: DemoContext) -> dict[str, int]:
    from backoffice.accounts.models import User
    from backoffice.regions.models import CollectiveOrg, Region

    users = {u.username: u for u in User.objects.filter(username__in=ctx.users.values())}
    village, officer = users["village_bookkeeper"], users["trading_officer"]
    org = CollectiveOrg.objects.filter(region_code=village.scope_region_id).order_by("pk").first()
    if org is None:
        return {"trading listings": 0}
    neighbour = (
        CollectiveOrg.objects.filter(region_code__startswith=village.scope_region_id[:9])
        .exclude(pk=org.pk)
        .exclude(region_code__endswith="000")
        .order_by("region_code")
        .first()
    )
    county_name = Region.objects.get(code=org.region_code[:6].ljust(12, "0")).name
    rng = ctx.rng_for("trading")
    today = timezone.localdate()
    serial = iter(range(1, 10_000))
    made: list[Listing] = []

    def draft(index: int, listing_org=org, **extra) -> Listing:
        name, boundary, area = TITLES[index % len(TITLES)]
        price = Decimal(rng.randrange(40, 200) * 1000)
        fields = {
            "org": listing_org,
            "title": f"{name}{'出租' if area else '整体出租'}",
            "property_type": PropertyType.T10 if area else PropertyType.T04,
            "location": f"{listing_org.name}{name}",
            "boundary_east": boundary,
            "area": area,
            "quantity": area or Decimal("1"),
            "current_use": "闲置" if index % 2 else "原承包期满",
            "encumbrances": "无",
            "transferor_name": listing_org.name,
            "transferor_id": listing_org.credit_code or "",
            "transferor_legal_rep": listing_org.legal_rep_name,
            "transferor_contact": "村委会",
            "transferor_phone": f"1390351{next(serial):04d}",
            "transferor_bank_account": f"6228480{rng.randrange(10**11, 10**12)}",
            "decision_ref": f"{today.year}年第{index + 1}次村民代表会议决议",
            "transfer_mode": TransferMode.LEASE,
            "term_years": 5,
            "term_start": today + timedelta(days=90),
            "term_end": today + timedelta(days=90 + 5 * 365),
            "listing_price": price,
            "reserve_price": price,
            "unit_price": (price / 5 / area).quantize(Decimal("0.01")) if area else Decimal("0"),
            "deposit_amount": (price / 10).quantize(Decimal("1")),
            "bid_increment": Decimal("500"),
            "transferee_qualifications": QUALIFICATIONS,
            "use_restrictions": "不得改变土地农业用途，不得破坏耕作层",
            "site_visit": "公告期内每周三上午，联系村委会",
            "institution_contact": f"{county_name}农村产权交易中心 0351-5722000",
            **extra,
        }
        listing = services.listing_create(user=village if listing_org == org else officer, **fields)
        ListingAttachment.objects.create(
            listing=listing,
            kind=AttachmentKind.RESOLUTION,
            title="村民代表会议决议",
            file="trading/demo/resolution.pdf",
            uploaded_by=village,
        )
        made.append(listing)
        return listing

    def announce(listing: Listing, days_ago: int, clerk=None, reviewer=None) -> Listing:
        reviewer = reviewer or users["township_reviewer"]
        actor = clerk or (village if listing.org_id == org.pk else reviewer)
        services.listing_submit(listing=listing, user=actor)
        services.listing_town_approve(listing=listing, user=reviewer, reason="材料齐全，同意")
        return services.listing_county_approve(
            listing=listing, user=officer, reason="受理", start=today - timedelta(days=days_ago)
        )

    def register(listing: Listing, count: int) -> list:
        # registered on the first day of the announcement, so that an announcement already over works too
        first = listing.announcement_start
        at = timezone.make_aware(datetime(first.year, first.month, first.day, 10, 0))
        rows = []
        for _ in range(count):
            n = next(serial)
            name = SURNAMES[n % len(SURNAMES)] + GIVEN[n % len(GIVEN)]
            rows.append(
                services.registration_create(
                    listing=listing,
                    user=officer,
                    name=name,
                    id_no=resident_id(n),
                    phone=f"1350351{n:04d}",
                    kind=BidderKind.PERSON,
                    at=at,
                )
            )
        return rows

    def qualify(rows: list) -> list:
        done = []
        for row in rows:
            if row.deposit_status == "unpaid":
                services.registration_record_deposit(registration=row, user=officer)
            done.append(services.registration_review(registration=row, user=officer, qualified=True))
        return done

    def after(listing: Listing) -> datetime:
        day = listing.announcement_end + timedelta(days=1)
        return timezone.make_aware(datetime(day.year, day.month, day.day, 9, 0))

    def to_bidding(listing: Listing, start: datetime) -> list:
        regs = qualify(register(listing, 2))
        services.listing_close_announcement(listing=listing, as_of=after(listing))
        services.listing_conclude_eligibility(listing=listing, user=officer, bidding_starts_at=start)
        return regs

    def bid(listing: Listing, regs: list, start: datetime, rounds: int) -> None:
        amount = listing.listing_price
        for k in range(rounds):
            services.bid_place(
                listing=listing,
                amount=amount,
                access_code=regs[k % 2].access_code,
                at=start + timedelta(minutes=1 + k),
            )
            amount += listing.bid_increment

    # 0 draft, 1 township review
    draft(0)
    services.listing_submit(listing=draft(1), user=village)
    # 2 announced (still running), two registrations
    register(announce(draft(2), days_ago=1), 2)
    # 3 online bidding running now
    live = announce(draft(3), days_ago=40)
    start = timezone.now() - timedelta(minutes=5)
    bid(live, to_bidding(live, start), start, 2)
    # 4 unsold (nobody registered)
    unsold = announce(draft(4), days_ago=40)
    services.listing_close_announcement(listing=unsold, as_of=after(unsold))
    services.listing_conclude_eligibility(listing=unsold, user=officer)

    def publish(listing: Listing) -> Listing:
        start = timezone.now() - timedelta(hours=4)
        bid(listing, to_bidding(listing, start), start, 3)
        services.listing_close_bidding(listing=listing, as_of=timezone.now())
        services.listing_publish_result(listing=listing, user=officer, start=today - timedelta(days=2))
        return listing

    def attest(listing: Listing) -> None:
        services.listing_close_publicity(listing=listing, as_of=timezone.now() + timedelta(days=30))
        services.listing_sign_contract(
            listing=listing, user=officer, contract_no=f"{listing.listing_no}-HT", signed_on=today
        )
        deal = services.current_deal(listing)
        services.listing_record_settlement(
            listing=listing, user=officer, paid_amount=deal.price, settled_on=today
        )
        certificate = services.listing_attest(listing=listing, user=officer, reason="价款已结清")
        contract_from_deal(deal=certificate.deal, user=officer)
        certificate_print(certificate=certificate, user=officer, reason="交付受让方")

    # 5 result publicity, 6 attested: a finished bidding
    publish(announce(draft(5), days_ago=60))
    attest(publish(announce(draft(6), days_ago=60)))
    # one attested listing in another township, so that every trading table has demo rows in both
    # demo townships (the scope tests compare neighbours); the demo has no clerks there, so the
    # superuser takes the village and township steps and the county officer the rest
    elsewhere = (
        CollectiveOrg.objects.filter(region_code__startswith=village.scope_region_id[:6])
        .exclude(region_code__startswith=village.scope_region_id[:9])
        .exclude(region_code__endswith="000")
        .order_by("region_code")
        .first()
    )
    admin_user = users.get(ctx.users.get("超级管理员", ""))
    if elsewhere is not None and admin_user is not None:
        attest(publish(announce(draft(6, listing_org=elsewhere), 60, clerk=admin_user, reviewer=admin_user)))
    # a farmer's own asset, on request (T11), announced in the neighbouring village
    if neighbour is not None:
        n = next(serial)
        farmer = draft(
            0,
            listing_org=neighbour,
            title="农户闲置农机（拖拉机一台）转让",
            property_type=PropertyType.T11,
            transferor_kind=TransferorKind.FARMER,
            transferor_name=SURNAMES[n % 10] + GIVEN[n % 8],
            transferor_id=resident_id(n),
            transferor_legal_rep="",
            area=None,
            quantity=Decimal("1"),
            unit="set",
            transfer_mode=TransferMode.TRANSFER,
            decision_ref="",
        )
        announce(farmer, days_ago=2)
    return {
        "trading listings": len(made),
        "trading certificates": Certificate.objects.count(),
        "trading listings public": Listing.objects.exclude(
            state__in=(ListingState.DRAFT, ListingState.TOWN_REVIEW, ListingState.COUNTY_REVIEW)
        ).count(),
    }
