"""Demo credits and debts: ~15 counterparties and ~12 items per village, with their movements.

Deliberately contains what alert A4 and the ageing statistics look for: new items of 10,000 元 or more
in the 30 days before ``ctx.as_of`` (in one village of eight, every village at tiny), new borrowing
(201/221), lending to individuals, guarantees, some without a meeting resolution, and items older than
one and three years.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from backoffice.core.choices import ReviewStatus
from backoffice.core.demo import DEMO_SOURCE, DemoContext
from backoffice.core.validators import DATA_SCOPE_START, resident_id_check_char
from backoffice.regions.validators import CREDIT_CODE_ALPHABET, credit_code_check_char

from .choices import CounterpartyKind as K
from .choices import DebtCause, DebtDirection, DebtMovementType, DebtPurpose
from .models import Counterparty, DebtItem, DebtMovement
from .services import years_before

DEMO_ORDER = 45
BATCH = 2000
SURNAMES = (
    "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎"
)
GIVEN = "建国志强海军红梅秀英永刚丽娟俊杰晓东春生玉兰国庆文华金凤宝山新民彩霞润田满仓"
COMPANIES = (
    "建筑工程有限公司",
    "农资经营部",
    "农业开发有限公司",
    "水利工程有限公司",
    "物流有限公司",
    "商贸有限公司",
    "种植专业合作社",
    "养殖专业合作社",
    "砖厂",
    "机械修理部",
)
PLACES = "清源徐沟东于孟封集义柳杜马峪高白西谷王答北营"
GOVERNMENT = ("镇人民政府", "县财政局", "县水利局", "县农业农村局", "县交通运输局")
BANKS = ("清徐县农村信用合作联社", "山西清徐农村商业银行", "中国农业银行清徐支行")
# (weight, direction, account, cause, counterparty kinds, purpose, flags)
SCENARIOS = (
    (
        30,
        "receivable",
        "112",
        DebtCause.UNPAID_FEES,
        (K.MEMBER_HOUSEHOLD, K.UNIT),
        DebtPurpose.PRODUCTIVE,
        "",
    ),
    (10, "receivable", "113", DebtCause.ADVANCE, (K.MEMBER_HOUSEHOLD,), DebtPurpose.OTHER, ""),
    (6, "receivable", "112", DebtCause.LOAN, (K.INDIVIDUAL,), DebtPurpose.OTHER, "lending"),
    (3, "receivable", "112", DebtCause.LOAN, (K.UNIT,), DebtPurpose.PRODUCTIVE, "lending"),
    (22, "payable", "211", DebtCause.WORKS_ARREARS, (K.UNIT,), DebtPurpose.PUBLIC_WELFARE, ""),
    (6, "payable", "201", DebtCause.LOAN, ("bank",), DebtPurpose.PRODUCTIVE, "borrowing"),
    (5, "payable", "221", DebtCause.LOAN, ("bank", K.INDIVIDUAL), DebtPurpose.PUBLIC_WELFARE, "borrowing"),
    (8, "payable", "241", DebtCause.COMPENSATION, (K.GOVERNMENT,), DebtPurpose.PUBLIC_WELFARE, ""),
    (6, "payable", "113", DebtCause.OTHER, (K.MEMBER_HOUSEHOLD,), DebtPurpose.OTHER, ""),
    (4, "payable", "211", DebtCause.OTHER, (K.UNIT,), DebtPurpose.OTHER, "guarantee"),
)


def seed(ctx: DemoContext) -> dict[str, int]:
    rng = ctx.rng_for("debts")
    per_village_parties = max(6, round(15 * ctx.volume))
    per_village_items = max(3, round(12 * ctx.volume))
    parties: list[Counterparty] = []
    for org_id, code in ctx.village_orgs:
        parties.extend(_counterparties(rng, org_id, code, per_village_parties))
    Counterparty.objects.bulk_create(parties, batch_size=BATCH)
    by_org: dict[int, list[Counterparty]] = {}
    for party in parties:
        by_org.setdefault(party.org_id, []).append(party)

    items: list[DebtItem] = []
    plans: list[list[tuple[int, date, str, Decimal, str]]] = []
    for index, (org_id, code) in enumerate(ctx.village_orgs):
        recent_large = ctx.scale == "tiny" or index % 8 == 0
        for number in range(per_village_items):
            # the cases alert A4 escalates: recent borrowing, recent lending to an individual
            force = {1: "borrowing", 2: "lending"}.get(number) if index % 12 == number else None
            recent = (recent_large and number == 0) or force is not None
            item, plan = _item(rng, ctx.as_of, org_id, code, by_org[org_id], number, recent, force)
            items.append(item)
            plans.append(plan)
    DebtItem.objects.bulk_create(items, batch_size=BATCH)
    movements = []
    for item, plan in zip(items, plans, strict=True):
        for line_no, when, kind, amount, voucher in plan:
            movements.append(
                DebtMovement(
                    org_id=item.org_id,
                    region_code=item.region_code,
                    item=item,
                    line_no=line_no,
                    movement_date=when,
                    movement_type=kind,
                    amount=amount,
                    voucher_ref=voucher,
                    note=DebtMovementType(kind).label,
                    is_history=item.is_history,
                    source_system=DEMO_SOURCE,
                    review_status=item.review_status,
                    submitted_at=item.submitted_at,
                    reviewed_at=item.reviewed_at,
                )
            )
    DebtMovement.objects.bulk_create(movements, batch_size=BATCH)
    return {"debt_counterparties": len(parties), "debt_items": len(items), "debt_movements": len(movements)}


def _review(rng, recent: bool = False) -> dict:
    roll = rng.random()
    now = timezone.now()
    if (recent and roll < 0.5) or roll < 0.10:
        return {"review_status": ReviewStatus.SUBMITTED, "submitted_at": now}
    if roll < 0.14:
        return {
            "review_status": ReviewStatus.RETURNED,
            "submitted_at": now,
            "reviewed_at": now,
            "review_reason": "请补充决议文号和借据复印件",
        }
    if roll < 0.17:
        return {"review_status": ReviewStatus.DRAFT}
    return {"review_status": ReviewStatus.APPROVED, "submitted_at": now, "reviewed_at": now}


def person_name(rng) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def resident_id(rng, region6: str = "140121", male: bool | None = None) -> str:
    born = date(1950, 1, 1) + timedelta(days=rng.randrange(0, 50 * 365))
    seq = rng.randrange(0, 100) * 10 + rng.randrange(0, 10)
    if male is not None and (seq % 2 == 1) != male:
        seq = seq + 1 if seq < 999 else seq - 1
    first17 = f"{region6}{born:%Y%m%d}{seq:03d}"
    return first17 + resident_id_check_char(first17)


def credit_code(rng, prefix: str, region6: str = "140121") -> str:
    first17 = prefix + region6 + "".join(rng.choice(CREDIT_CODE_ALPHABET) for _ in range(9))
    return first17 + credit_code_check_char(first17)


def mobile(rng) -> str:
    return rng.choice(("139", "135", "137", "150", "152", "186", "188")) + f"{rng.randrange(10**8):08d}"


def _counterparties(rng, org_id: int, code: str, count: int) -> list[Counterparty]:
    # interleaved so that even the six counterparties of a tiny village cover every kind
    kinds = [
        K.MEMBER_HOUSEHOLD,
        K.INDIVIDUAL,
        K.UNIT,
        "bank",
        K.GOVERNMENT,
        K.MEMBER_HOUSEHOLD,
        K.INDIVIDUAL,
        K.UNIT,
        K.MEMBER_HOUSEHOLD,
        K.UNIT,
        K.INDIVIDUAL,
        K.MEMBER_HOUSEHOLD,
        K.UNIT,
        K.MEMBER_HOUSEHOLD,
        K.MEMBER_HOUSEHOLD,
    ]
    names: set[str] = set()
    rows = []
    for number in range(count):
        kind = kinds[number % len(kinds)]
        if kind == "bank":
            name, ident, phone = rng.choice(BANKS), credit_code(rng, "91"), ""
            kind = K.UNIT
        elif kind == K.GOVERNMENT:
            name, ident, phone = (
                "清徐县" + rng.choice(GOVERNMENT).removeprefix("县"),
                credit_code(rng, "11"),
                "",
            )
        elif kind == K.UNIT:
            name = "清徐县" + rng.choice(PLACES) + rng.choice(PLACES) + rng.choice(COMPANIES)
            ident, phone = credit_code(rng, "91"), ("0351" + f"{rng.randrange(10**7):07d}")
        else:
            name, ident, phone = person_name(rng), resident_id(rng), mobile(rng)
        while name in names:
            name += "（二组）" if "（" not in name else "甲"
        names.add(name)
        rows.append(
            Counterparty(
                org_id=org_id,
                region_code=code,
                kind=kind,
                name=name,
                id_or_code=ident if rng.random() < 0.9 else "",
                phone=phone,
                address=f"清徐县{rng.choice(PLACES)}{rng.choice(PLACES)}村" if kind != K.UNIT else "",
                source_system=DEMO_SOURCE,
                **_review(rng),
            )
        )
    return rows


def _origin(rng, as_of: date, recent_large: bool) -> tuple[date, bool]:
    """An origin date: recent, 1–3 years or over 3 years old; before 2022 only as history."""
    if recent_large:
        return as_of - timedelta(days=rng.randrange(1, 29)), False
    band = rng.choices(("lt1", "1to3", "gt3"), weights=(35, 40, 25))[0]
    one, three = years_before(as_of, 1), years_before(as_of, 3)
    if band == "lt1":
        return one + timedelta(days=rng.randrange(1, (as_of - one).days)), False
    if band == "1to3":
        return three + timedelta(days=rng.randrange(1, (one - three).days)), False
    start = DATA_SCOPE_START if three > DATA_SCOPE_START + timedelta(days=30) else date(2019, 1, 1)
    when = start + timedelta(days=rng.randrange(0, (three - start).days))
    return when, when < DATA_SCOPE_START


def _item(
    rng,
    as_of: date,
    org_id: int,
    code: str,
    parties: list[Counterparty],
    number: int,
    recent_large: bool,
    force: str | None = None,
):
    scenarios = [s for s in SCENARIOS if force is None or (s[6] == force and K.INDIVIDUAL in s[4])]
    weights = [s[0] for s in scenarios]
    _, direction, account, cause, kinds, purpose, flag = rng.choices(scenarios, weights=weights)[0]
    wanted = {K.UNIT if k == "bank" else k for k in kinds}
    banks = [p for p in parties if any(b in p.name for b in BANKS)]
    pool = banks if kinds == ("bank",) else [p for p in parties if p.kind in wanted] or parties
    party = rng.choice(pool)
    origin, is_history = _origin(rng, as_of, recent_large)
    amount = (
        Decimal(rng.choice((rng.randrange(20, 200), rng.randrange(100, 1500), rng.randrange(500, 3000))))
        * 100
    )
    if recent_large:
        amount = max(amount, Decimal(rng.randrange(100, 800) * 100))
    resolved = rng.random() < 0.7
    item = DebtItem(
        org_id=org_id,
        region_code=code,
        item_no=f"ZQZW-{origin:%Y}-{number + 1:04d}",
        direction=direction,
        ledger_account_code=account,
        counterparty=party,
        cause=cause,
        purpose=purpose,
        is_borrowing=flag == "borrowing",
        is_lending=flag == "lending",
        is_guarantee=flag == "guarantee",
        origin_date=origin,
        due_date=origin + timedelta(days=365 * rng.choice((1, 2, 3))) if rng.random() < 0.7 else None,
        original_amount=amount,
        interest_terms="年利率" + rng.choice(("3.45%", "4.35%", "4.75%"))
        if flag in ("borrowing", "lending")
        else "",
        approval_ref=f"{origin:%Y}年第{rng.randrange(1, 12)}次成员代表会议决议"
        if flag == "" or resolved
        else "",
        handler=person_name(rng),
        plan_note="按季度清收" if direction == DebtDirection.RECEIVABLE else "按合同约定偿还",
        is_history=is_history,
        source_system=DEMO_SOURCE,
        **_review(rng, recent=recent_large),
    )
    plan = [(1, origin, DebtMovementType.NEW, amount, f"记-{rng.randrange(1, 300):04d}")]
    balance = amount
    when = origin
    for _ in range(rng.choice((0, 1, 1, 2, 3))):
        span = (as_of - when).days
        if span < 20 or balance <= 0:
            break
        when = when + timedelta(days=rng.randrange(10, min(span, 400)))
        roll = rng.random()
        if roll < 0.12:
            kind, delta = (
                DebtMovementType.INCREASE,
                (amount * Decimal(rng.choice(("0.1", "0.2", "0.3")))).quantize(Decimal("1")),
            )
        elif roll < 0.17:
            kind, delta = DebtMovementType.WRITE_OFF, balance
        elif roll < 0.22:
            kind, delta = DebtMovementType.OFFSET, (balance / 2).quantize(Decimal("0.01"))
        else:
            share = Decimal(rng.choice(("0.2", "0.3", "0.5", "1")))
            kind, delta = DebtMovementType.REPAYMENT, (balance * share).quantize(Decimal("0.01"))
        if delta <= 0:
            continue
        balance += delta if kind == DebtMovementType.INCREASE else -delta
        plan.append((len(plan) + 1, when, kind, delta, f"记-{rng.randrange(1, 300):04d}"))
    item.outstanding = balance
    if when < DATA_SCOPE_START:
        item.is_history = True
    return item, plan
