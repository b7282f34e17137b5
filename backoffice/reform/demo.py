"""Demo data of 产权制度改革成果: per village two annual asset-clearing updates, ~40 households (15 at city
scale) with ~120 members (valid GB 11643 IDs, shared with the subsidy rosters), population shares for
every member from confirmation (closed when membership ended), household labour-years shares in about a
third of the villages, inheritance and withdrawal changes, and one dividend per year for the last two
complete years with a payment per shareholder.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from backoffice.core.choices import ReviewStatus
from backoffice.core.demo import DEMO_SOURCE, DemoContext
from backoffice.disclosure.demo import demo_review_status

from .choices import MemberCategory, MemberStatus, RelationToHead, ShareChangeType, ShareType
from .demo_people import demo_households
from .models import (
    AssetVerification,
    Dividend,
    DividendPayment,
    Household,
    Member,
    ShareChange,
    ShareHolding,
)

DEMO_ORDER = 75
BATCH = 2000
FLUSH_EVERY = 20_000
CENT = Decimal("0.01")
REFORM_CONFIRMED = date(2020, 6, 30)
INACTIVE = (
    (MemberStatus.DECEASED, 0.03, "病故"),
    (MemberStatus.MOVED_OUT, 0.02, "户口迁出并在迁入地取得成员身份"),
    (MemberStatus.LOST, 0.01, "自愿放弃成员身份"),
    (MemberStatus.SUSPENDED, 0.005, "外嫁女成员身份存在争议，待调解"),
)


def seed(ctx: DemoContext) -> dict[str, int]:
    rng = ctx.rng_for("reform")
    people = demo_households(ctx)
    last_year = ctx.as_of.year - 1
    verifications: list[AssetVerification] = []
    households: list[Household] = []
    for org_id, code in ctx.village_orgs:
        for year in (last_year - 1, last_year):
            verifications.append(_verification(rng, org_id, code, year, ctx.as_of))
        for household in people[code]:
            households.append(
                Household(
                    org_id=org_id,
                    region_code=code,
                    household_no=household.household_no,
                    head_name=household.head.name,
                    address=household.address,
                    member_count=len(household.members),
                    review_status=demo_review_status(rng),
                    source_system=DEMO_SOURCE,
                    source_id=f"household:{code}:{household.household_no}",
                )
            )
    AssetVerification.objects.bulk_create(verifications, batch_size=BATCH)
    Household.objects.bulk_create(households, batch_size=BATCH)
    household_pk = {(h.region_code, h.household_no): h.pk for h in households}

    members: list[Member] = []
    accounts: dict[int, str] = {}  # member index → household account, for dividend payments
    forced = _forced_changes(ctx, people)
    for org_id, code in ctx.village_orgs:
        for household in people[code]:
            for position, person in enumerate(household.members):
                category = (
                    MemberCategory.NEWLY_ADDED if person.birth > REFORM_CONFIRMED else MemberCategory.ORIGINAL
                )
                if rng.random() < 0.02:
                    category = MemberCategory.OTHER
                confirmed = max(REFORM_CONFIRMED, person.birth + timedelta(days=90))
                if confirmed > ctx.as_of:
                    confirmed = ctx.as_of
                status, reason, loss_date = MemberStatus.ACTIVE, "", None
                if (code, household.household_no, position) in forced:
                    status = forced[(code, household.household_no, position)]
                    reason = next(why for candidate, _, why in INACTIVE if candidate == status)
                    loss_date = ctx.as_of - timedelta(days=200)
                elif person.relation != "head":
                    roll = rng.random()
                    for candidate, share, why in INACTIVE:
                        if roll < share:
                            status, reason = candidate, why
                            loss_date = _between(rng, max(confirmed, date(2022, 1, 1)), ctx.as_of)
                            break
                        roll -= share
                accounts[len(members)] = household.account
                members.append(
                    Member(
                        org_id=org_id,
                        region_code=code,
                        name=person.name,
                        gender=person.gender,
                        id_no=person.id_no,
                        household_id=household_pk[(code, household.household_no)],
                        relation_to_head=RelationToHead(person.relation),
                        category=category,
                        confirmed_on=confirmed,
                        status=status,
                        loss_reason=reason,
                        loss_date=loss_date,
                        review_status=ReviewStatus.APPROVED
                        if rng.random() < 0.9
                        else demo_review_status(rng),
                        source_system=DEMO_SOURCE,
                        source_id=f"member:{code}:{household.household_no}:{position}",
                    )
                )
    Member.objects.bulk_create(members, batch_size=BATCH)

    holdings: list[ShareHolding] = []
    by_household: dict[int, list[Member]] = {}
    household_no = {h.pk: h.household_no for h in households}
    member_by_pk = {m.pk: m for m in members}
    for member in members:
        by_household.setdefault(member.household_id, []).append(member)
        certificate = f"{member.region_code[6:]}-{household_no[member.household_id]}"
        ended = (
            member.loss_date if member.status not in (MemberStatus.ACTIVE, MemberStatus.SUSPENDED) else None
        )
        holdings.append(
            ShareHolding(
                org_id=member.org_id,
                region_code=member.region_code,
                member_id=member.pk,
                share_type=ShareType.POPULATION,
                units=Decimal("1.00"),
                certificate_no=certificate,
                effective_from=member.confirmed_on,
                effective_to=ended,
                review_status=ReviewStatus.APPROVED,
                source_system=DEMO_SOURCE,
                source_id=f"holding:{member.pk}:population",
            )
        )
    labour_villages = {code for index, (_, code) in enumerate(ctx.village_orgs) if index % 3 == 0}
    for household in households:
        if household.region_code in labour_villages:
            holdings.append(
                ShareHolding(
                    org_id=household.org_id,
                    region_code=household.region_code,
                    household_id=household.pk,
                    share_type=ShareType.LABOUR_YEARS,
                    units=Decimal(rng.randint(2, 12)) / 2,
                    certificate_no=f"{household.region_code[6:]}-{household.household_no}",
                    effective_from=REFORM_CONFIRMED,
                    review_status=ReviewStatus.APPROVED,
                    source_system=DEMO_SOURCE,
                    source_id=f"holding:household:{household.pk}:labour",
                )
            )
    ShareHolding.objects.bulk_create(holdings, batch_size=BATCH)

    # inheritance of a deceased member's share by a household member; withdrawal for members moving out
    changes: list[ShareChange] = []
    inherited: list[ShareHolding] = []
    for holding in holdings:
        if holding.member_id is None or holding.effective_to is None:
            continue
        member = member_by_pk[holding.member_id]
        change_date = holding.effective_to + timedelta(days=rng.randint(10, 60))
        if change_date > ctx.as_of:
            continue
        heirs = [m for m in by_household[member.household_id] if m.status == MemberStatus.ACTIVE]
        if member.status == MemberStatus.DECEASED and heirs:
            heir = heirs[0]
            change_type, receiver = ShareChangeType.INHERITANCE, heir
            inherited.append(
                ShareHolding(
                    org_id=heir.org_id,
                    region_code=heir.region_code,
                    member_id=heir.pk,
                    share_type=ShareType.POPULATION,
                    units=holding.units,
                    certificate_no=holding.certificate_no,
                    voting_weight=Decimal(0),
                    effective_from=change_date,
                    review_status=ReviewStatus.APPROVED,
                    source_system=DEMO_SOURCE,
                    source_id=f"holding:{heir.pk}:inherited:{holding.pk}",
                )
            )
        elif member.status == MemberStatus.MOVED_OUT:
            change_type, receiver = ShareChangeType.WITHDRAWAL, None
        else:
            continue
        changes.append(
            ShareChange(
                org_id=holding.org_id,
                region_code=holding.region_code,
                holding_id=holding.pk,
                change_type=change_type,
                change_date=change_date,
                units=holding.units,
                to_member=receiver,
                approval_ref=f"成员代表会议决议〔{change_date.year}〕{rng.randint(1, 12)}号",
                review_status=demo_review_status(rng),
                source_system=DEMO_SOURCE,
                source_id=f"change:{holding.pk}",
            )
        )
    ShareHolding.objects.bulk_create(inherited, batch_size=BATCH)
    ShareChange.objects.bulk_create(changes, batch_size=BATCH)

    dividends, payments = _dividends(
        ctx, rng, members, [*holdings, *inherited], households, accounts, last_year
    )
    return {
        "asset_verifications": len(verifications),
        "households": len(households),
        "members": len(members),
        "share_holdings": len(holdings) + len(inherited),
        "share_changes": len(changes),
        "dividends": dividends,
        "dividend_payments": payments,
    }


def _forced_changes(ctx: DemoContext, people) -> dict[tuple[str, str, int], str]:
    """In the first village of each township, one death (→ inheritance) and one move-out (→ withdrawal),
    so every township has share changes to show."""
    forced: dict[tuple[str, str, int], str] = {}
    seen: set[str] = set()
    for _, code in ctx.village_orgs:
        if code[:9] in seen:
            continue
        seen.add(code[:9])
        pairs = [h for h in people[code] if len(h.members) >= 2][:2]
        for household, status in zip(pairs, (MemberStatus.DECEASED, MemberStatus.MOVED_OUT), strict=False):
            forced[(code, household.household_no, 1)] = status
    return forced


def _between(rng, start: date, end: date) -> date:
    if end <= start:
        return start
    return start + timedelta(days=rng.randint(0, (end - start).days))


def _verification(rng, org_id: int, code: str, year: int, as_of: date) -> AssetVerification:
    def pair(low: int, high: int) -> tuple[Decimal, Decimal]:
        book = Decimal(rng.randint(low, high) * 100)
        return book, (book * Decimal(rng.randint(90, 115)) / 100).quantize(CENT)

    operating, non_operating, resource = pair(2_000, 30_000), pair(5_000, 60_000), pair(1_000, 40_000)
    base = date(year, 12, 31)
    start = date(year + 1, 1, rng.randint(10, 25))
    end = start + timedelta(days=7)
    confirmed = end + timedelta(days=rng.randint(5, 40))
    published = end <= as_of
    return AssetVerification(
        org_id=org_id,
        region_code=code,
        base_date=base,
        operating_book_value=operating[0],
        operating_verified_value=operating[1],
        non_operating_book_value=non_operating[0],
        non_operating_verified_value=non_operating[1],
        resource_book_value=resource[0],
        resource_verified_value=resource[1],
        resource_area=Decimal(rng.randint(50_000, 600_000)) / 100,
        verified_by=rng.choice(("村清产核资工作小组", "乡镇农经站指导的清产核资小组", "山西某会计师事务所")),
        publicity_start=start if published else None,
        publicity_end=end if published else None,
        confirmed_on=confirmed if published and confirmed <= as_of else None,
        review_status=demo_review_status(rng),
        source_system=DEMO_SOURCE,
        source_id=f"verification:{code}:{year}",
    )


def _dividends(ctx, rng, members, holdings, households, accounts, last_year) -> tuple[int, int]:
    member_index = {m.pk: i for i, m in enumerate(members)}
    head_of = {}
    for member in members:
        if member.relation_to_head == RelationToHead.HEAD:
            head_of[member.household_id] = member
    first_village = {}
    for org_id, code in ctx.village_orgs:
        first_village.setdefault(code[:9], org_id)
    paying = {
        org_id for org_id, _ in ctx.village_orgs if org_id in first_village.values() or rng.random() < 0.8
    }
    dividends: list[Dividend] = []
    for year in (last_year - 1, last_year):
        for org_id, code in ctx.village_orgs:
            if org_id not in paying:
                continue
            approved = date(year + 1, 1, rng.randint(10, 28))
            dividends.append(
                Dividend(
                    org_id=org_id,
                    region_code=code,
                    year=year,
                    approved_on=approved,
                    per_share_amount=Decimal(rng.choice((80, 120, 150, 200, 300))),
                    total_amount=Decimal(0),
                    plan_note="按公积公益金、福利费、成员分红5:2:3提取，成员分红按股平均分配",
                    review_status=demo_review_status(rng),
                    source_system=DEMO_SOURCE,
                    source_id=f"dividend:{code}:{year}",
                )
            )
    Dividend.objects.bulk_create(dividends, batch_size=BATCH)
    payments: list[DividendPayment] = []
    created = 0
    holdings_by_org: dict[int, list[ShareHolding]] = {}
    for holding in holdings:
        holdings_by_org.setdefault(holding.org_id, []).append(holding)
    members_by_pk = {m.pk: m for m in members}
    for dividend in dividends:
        year_end = date(dividend.year, 12, 31)
        units: dict[int, Decimal] = {}
        for holding in holdings_by_org.get(dividend.org_id, ()):
            if not (
                holding.effective_from <= year_end
                and (holding.effective_to is None or holding.effective_to >= year_end)
            ):
                continue
            holder = (
                members_by_pk[holding.member_id] if holding.member_id else head_of.get(holding.household_id)
            )
            if holder is None or not _active_on(holder, year_end):
                continue
            units[holder.pk] = units.get(holder.pk, Decimal(0)) + holding.units
        paid_on = dividend.approved_on + timedelta(days=rng.randint(3, 20))
        for member_pk, held in sorted(units.items()):
            amount = (dividend.per_share_amount * held).quantize(CENT, rounding=ROUND_HALF_UP)
            dividend.total_amount += amount
            if len(payments) >= FLUSH_EVERY:  # bounded memory at city scale
                created += len(DividendPayment.objects.bulk_create(payments, batch_size=BATCH))
                payments = []
            payments.append(
                DividendPayment(
                    org_id=dividend.org_id,
                    region_code=dividend.region_code,
                    dividend_id=dividend.pk,
                    member_id=member_pk,
                    amount=amount,
                    paid_on=paid_on if paid_on <= ctx.as_of else None,
                    account=accounts[member_index[member_pk]],
                    review_status=ReviewStatus.APPROVED,
                    source_system=DEMO_SOURCE,
                    source_id=f"payment:{dividend.pk}:{member_pk}",
                )
            )
    created += len(DividendPayment.objects.bulk_create(payments, batch_size=BATCH))
    Dividend.objects.bulk_update(dividends, ["total_amount"], batch_size=BATCH)
    return len(dividends), created


def _active_on(member: Member, day: date) -> bool:
    if member.status == MemberStatus.SUSPENDED:
        return False  # dividends of a disputed membership are withheld until it is settled
    return member.status == MemberStatus.ACTIVE or (member.loss_date is not None and member.loss_date > day)
