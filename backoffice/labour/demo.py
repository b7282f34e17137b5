"""Demo collective labour: ~3 engagements and ~10 workers per village, timesheets for the last six months
(three at the city preset, to keep it fast) and the monthly payments computed from them.

Deliberately contains what the labour alerts look for: a few cash payments above 2,000 元 (workers
without a bank card, one in every tenth village plus ~3% at random are paid in cash), and in one village
of five a worker paid on two engagements in the same months.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone

from backoffice.core.choices import ReviewStatus
from backoffice.core.demo import DEMO_SOURCE, DemoContext
from backoffice.core.validators import resident_id_check_char

from .choices import EngagementType, Gender, LabourLedgerAccount, PayMethod, RateUnit
from .models import LabourEngagement, LabourPayment, Timesheet, Worker

DEMO_ORDER = 50
BATCH = 2000
SURNAMES = (
    "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎"
)
GIVEN = "建国志强海军红梅秀英永刚丽娟俊杰晓东春生玉兰国庆文华金凤宝山新民彩霞润田满仓"
# (engagement type, name, work type, rate unit, rate range 元, workers, days a month)
ENGAGEMENTS = (
    (EngagementType.LONG_TERM, "村内环境保洁", "保洁员", RateUnit.PER_MONTH, (1800, 2600), (1, 2), 22),
    (EngagementType.TEMPORARY, "村内道路维修", "普工", RateUnit.PER_DAY, (120, 180), (3, 5), 8),
    (EngagementType.PROJECT, "高标准农田建设配套工程", "普工", RateUnit.PER_DAY, (140, 200), (3, 5), 12),
)
CENT = Decimal("0.01")


def seed(ctx: DemoContext) -> dict[str, int]:
    rng = ctx.rng_for("labour")
    months = _months(ctx.as_of, 3 if ctx.scale == "city" else 6)
    window_start = date(int(months[0][:4]), int(months[0][4:]), 1)
    n_workers = max(4, round(10 * ctx.volume))
    engagements, workers = [], []
    for index, (org_id, code) in enumerate(ctx.village_orgs):
        for number, spec in enumerate(ENGAGEMENTS):
            engagements.append(_engagement(rng, ctx, org_id, code, number, spec, window_start))
        ids: set[str] = set()
        for _ in range(n_workers):
            workers.append(_worker(rng, org_id, code, index, ids))
    LabourEngagement.objects.bulk_create(engagements, batch_size=BATCH)
    Worker.objects.bulk_create(workers, batch_size=BATCH)

    timesheets, payments = [], []
    by_org_engagements: dict[int, list[LabourEngagement]] = {}
    by_org_workers: dict[int, list[Worker]] = {}
    for engagement in engagements:
        by_org_engagements.setdefault(engagement.org_id, []).append(engagement)
    for worker in workers:
        by_org_workers.setdefault(worker.org_id, []).append(worker)
    for index, (org_id, _code) in enumerate(ctx.village_orgs):
        village_workers = list(by_org_workers[org_id])
        rng.shuffle(village_workers)
        assignment: list[tuple[Worker, LabourEngagement]] = []
        start = 0
        for engagement, spec in zip(by_org_engagements[org_id], ENGAGEMENTS, strict=True):
            count = rng.randint(*spec[5])
            assignment += [(w, engagement) for w in village_workers[start : start + count]]
            start += count
        if index % 5 == 0:  # the double-paid case: the road worker also on the farmland project
            road_worker = next(w for w, e in assignment if e.engagement_type == EngagementType.TEMPORARY)
            assignment.append((road_worker, by_org_engagements[org_id][2]))
        for worker, engagement in assignment:
            spec = ENGAGEMENTS[
                [e.engagement_type for e in by_org_engagements[org_id]].index(engagement.engagement_type)
            ]
            for period in months:
                days = _work_days(rng, period, engagement, ctx.as_of, spec[6])
                if not days:
                    continue
                total = Decimal("0")
                verifier = _name(rng)
                for day, amount in days:
                    total += amount
                    timesheets.append(
                        Timesheet(
                            org_id=org_id,
                            region_code=worker.region_code,
                            worker=worker,
                            engagement=engagement,
                            work_date=day,
                            labour_days=amount,
                            verified_by=verifier,
                            source_system=DEMO_SOURCE,
                            review_status=ReviewStatus.APPROVED,
                        )
                    )
                payments.append(_payment(rng, ctx.as_of, worker, engagement, period, total))
    Timesheet.objects.bulk_create(timesheets, batch_size=BATCH)
    LabourPayment.objects.bulk_create(payments, batch_size=BATCH)
    return {
        "labour_engagements": len(engagements),
        "labour_workers": len(workers),
        "labour_timesheets": len(timesheets),
        "labour_payments": len(payments),
    }


def _review(rng) -> dict:
    roll, now = rng.random(), timezone.now()
    if roll < 0.10:
        return {"review_status": ReviewStatus.SUBMITTED, "submitted_at": now}
    if roll < 0.13:
        return {
            "review_status": ReviewStatus.RETURNED,
            "submitted_at": now,
            "reviewed_at": now,
            "review_reason": "请补充考勤核实人签字",
        }
    if roll < 0.16:
        return {"review_status": ReviewStatus.DRAFT}
    return {"review_status": ReviewStatus.APPROVED, "submitted_at": now, "reviewed_at": now}


def _months(as_of: date, count: int) -> list[str]:
    year, month, out = as_of.year, as_of.month, []
    for _ in range(count):
        out.append(f"{year:04d}{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return out[::-1]


def _name(rng) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def _engagement(rng, ctx, org_id, code, number, spec, window_start: date) -> LabourEngagement:
    kind, name, work_type, unit, (low, high), _, per_month = spec
    if kind == EngagementType.LONG_TERM:
        start, end = date(2022, 1, 1) + timedelta(days=rng.randrange(0, 365)), None
    else:
        start = window_start + timedelta(days=rng.randrange(0, 40))
        end = min(ctx.as_of, start + timedelta(days=rng.randrange(60, 150)))
    rate = Decimal(rng.randrange(low, high + 1, 10 if unit == RateUnit.PER_DAY else 100))
    return LabourEngagement(
        org_id=org_id,
        region_code=code,
        engagement_no=f"YG-{start:%Y}-{number + 1:03d}",
        name=name,
        work_type=work_type,
        engagement_type=kind,
        start_date=start,
        end_date=end,
        rate=rate,
        rate_unit=unit,
        planned_days=Decimal(per_month * 6 * (2 if kind != EngagementType.LONG_TERM else 1)),
        source_system=DEMO_SOURCE,
        **_review(rng),
    )


def _worker(rng, org_id, code, index, ids: set[str]) -> Worker:
    male = rng.random() < 0.6
    while True:
        born = date(1960, 1, 1) + timedelta(days=rng.randrange(0, 40 * 365))
        seq = rng.randrange(0, 500) * 2 + (1 if male else 0)
        first17 = f"{code[:6]}{born:%Y%m%d}{seq:03d}"
        id_no = first17 + resident_id_check_char(first17)
        if id_no not in ids:
            ids.add(id_no)
            break
    has_card = rng.random() < 0.97 and not (index % 10 == 0 and len(ids) == 1)
    return Worker(
        org_id=org_id,
        region_code=code,
        name=_name(rng),
        id_no=id_no,
        gender=Gender.MALE if male else Gender.FEMALE,
        village_group=f"第{rng.randint(1, 6)}村民小组",
        is_member=rng.random() < 0.85,
        is_cadre_relative=rng.random() < 0.08,
        bank_card=("6217" + "".join(str(rng.randrange(10)) for _ in range(15))) if has_card else "",
        source_system=DEMO_SOURCE,
        **_review(rng),
    )


def _work_days(rng, period: str, engagement: LabourEngagement, as_of: date, per_month: int):
    year, month = int(period[:4]), int(period[4:])
    day = date(year, month, 1)
    dates = []
    while day.month == month:
        ends = engagement.end_date or as_of
        if engagement.start_date <= day <= min(ends, as_of):
            dates.append(day)
        day += timedelta(days=1)
    if not dates:
        return []
    picked = sorted(rng.sample(dates, min(len(dates), per_month + rng.randint(-3, 2))))
    return [
        (d, rng.choice((Decimal("1"), Decimal("1"), Decimal("1"), Decimal("0.5"), Decimal("1.5"))))
        for d in picked
    ]


def _payment(rng, as_of: date, worker: Worker, engagement: LabourEngagement, period: str, days: Decimal):
    if engagement.rate_unit == RateUnit.PER_MONTH:
        payable = engagement.rate
    else:
        payable = (days * engagement.rate).quantize(CENT, rounding=ROUND_HALF_UP)
    year, month = int(period[:4]), int(period[4:])
    pay_day = date(year + month // 12, month % 12 + 1, rng.randint(5, 15))
    paid_on = pay_day if pay_day <= as_of else None
    # Workers without a bank card are paid in cash: the few > 2,000 元 cash payments the alerts look for.
    cash = not worker.bank_card
    return LabourPayment(
        org_id=worker.org_id,
        region_code=worker.region_code,
        worker=worker,
        engagement=engagement,
        period=period,
        payable=payable,
        paid=payable if paid_on else Decimal("0.00"),
        paid_on=paid_on,
        pay_method=PayMethod.CASH if cash else PayMethod.BANK,
        voucher_ref=f"记-{rng.randrange(1, 300):04d}" if paid_on else "",
        ledger_account_code=(
            LabourLedgerAccount.WAGES
            if engagement.engagement_type == EngagementType.LONG_TERM
            else LabourLedgerAccount.LABOUR_FEES
        ),
        source_system=DEMO_SOURCE,
        **_review(rng),
    )
