"""Demo data of 惠农政策落实: four programmes of the latest paid year, roster lines for the demo households
(beneficiaries are the reform demo's household heads), publicity before payment for most villages, and
the A11 cases on purpose: failed/returned payments, one ID listed in two villages of different townships
in the same programme, a few amounts ≠ standard × quantity, and a few villages paid without publicity.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from backoffice.core.demo import DEMO_SOURCE, DemoContext
from backoffice.disclosure.demo import demo_evidence_file, demo_review_status
from backoffice.reform.demo_people import DemoHousehold, DemoPerson, demo_households

from .choices import FundingLevel, PaymentStatus, StandardUnit, SubsidyLedgerAccount
from .models import CollectiveSubsidy, SubsidyProgram, SubsidyPublicity, SubsidyRoster

DEMO_ORDER = 70
BATCH = 2000
#: name, level, standard, unit, department, basis document, pay month/day, share of households
PROGRAMS = (
    (
        "耕地地力保护补贴",
        FundingLevel.CENTRAL,
        "62.50",
        StandardUnit.PER_MU,
        "县农业农村局",
        "财政部 农业农村部关于下达耕地地力保护补贴资金预算的通知",
        (5, 20),
        1.0,
    ),
    (
        "实际种粮农民一次性补贴",
        FundingLevel.CENTRAL,
        "12.10",
        StandardUnit.PER_MU,
        "县农业农村局",
        "关于下达实际种粮农民一次性补贴资金的通知",
        (6, 10),
        0.7,
    ),
    (
        "生态公益林补偿",
        FundingLevel.PROVINCE,
        "15.00",
        StandardUnit.PER_MU,
        "县林业局",
        "山西省森林生态效益补偿基金管理办法",
        (6, 25),
        0.2,
    ),
    (
        "农村部分计划生育家庭奖励扶助",
        FundingLevel.CENTRAL,
        "960.00",
        StandardUnit.PER_PERSON,
        "县卫生健康局",
        "农村部分计划生育家庭奖励扶助制度管理规范",
        (4, 15),
        0.12,
    ),
)
COLLECTIVE_FUNDS = (
    (
        "县财政局 村级组织运转经费",
        "村级组织办公、村干部报酬",
        SubsidyLedgerAccount.SUBSIDY_INCOME,
        (60_000, 150_000),
    ),
    (
        "扶持壮大村级集体经济项目资金",
        "建设光伏电站、冷库等经营性项目",
        SubsidyLedgerAccount.SPECIAL_PAYABLE,
        (300_000, 1_000_000),
    ),
    (
        "高标准农田建设补助",
        "田间道路及灌溉设施建设",
        SubsidyLedgerAccount.SPECIAL_PAYABLE,
        (100_000, 500_000),
    ),
)


def program_year(as_of: date) -> int:
    """The latest year whose spring/summer payments are done by ``as_of``."""
    return as_of.year if as_of >= date(as_of.year, 7, 1) else as_of.year - 1


def seed(ctx: DemoContext) -> dict[str, int]:
    rng = ctx.rng_for("subsidies")
    year = program_year(ctx.as_of)
    households = demo_households(ctx)
    photo = demo_evidence_file("png")
    programs = SubsidyProgram.objects.bulk_create(
        [
            SubsidyProgram(
                name=name,
                year=year,
                funding_level=level,
                standard_amount=Decimal(standard),
                standard_unit=unit,
                competent_department=dept,
                basis_document=basis,
            )
            for name, level, standard, unit, dept, basis, _, _ in PROGRAMS
        ]
    )

    publicities: list[SubsidyPublicity] = []
    plan: list[tuple[SubsidyProgram, date, float, int, str]] = []  # program, pay day, share, org, code
    for program, spec in zip(programs, PROGRAMS, strict=True):
        pay_day = date(year, *spec[6])
        for org_id, code in ctx.village_orgs:
            plan.append((program, pay_day, spec[7], org_id, code))
            if rng.random() < 0.04:
                continue  # paid without publicity (A11 case)
            start = pay_day - timedelta(days=rng.randint(15, 25))
            publicities.append(
                SubsidyPublicity(
                    org_id=org_id,
                    region_code=code,
                    program=program,
                    start_date=start,
                    end_date=start + timedelta(days=7),
                    place=rng.choice(("村务公开栏", "村委会大院公示栏", "村民小组公示牌")),
                    photo=photo if rng.random() < 0.9 else "",
                    objections=1 if rng.random() < 0.05 else 0,
                    review_status=demo_review_status(rng),
                    source_system=DEMO_SOURCE,
                    source_id=f"publicity:{program.pk}:{code}",
                )
            )
    SubsidyPublicity.objects.bulk_create(publicities, batch_size=BATCH)
    publicity_by_key = {
        (p.program_id, p.org_id): p.pk
        for p in SubsidyPublicity.objects.filter(source_system=DEMO_SOURCE).only("pk", "program_id", "org_id")
    }

    roster: list[SubsidyRoster] = []
    first_in_township: dict[str, int] = {}
    for index, (_, code) in enumerate(ctx.village_orgs):
        first_in_township.setdefault(code[:9], index)
    first_village_orgs = {ctx.village_orgs[i][0] for i in first_in_township.values()}
    for program, pay_day, share, org_id, code in plan:
        is_person_based = program.standard_unit == StandardUnit.PER_PERSON
        for n, household in enumerate(households[code]):
            if is_person_based:
                if household.head.birth > date(year - 60, 12, 31) or rng.random() >= 0.35:
                    continue
            elif n > 0 and rng.random() >= share:  # the first household always takes part
                continue
            quantity = _quantity(program, household, rng)
            roster.append(
                _line(
                    ctx,
                    rng,
                    program,
                    pay_day,
                    org_id,
                    code,
                    household.head,
                    household,
                    quantity,
                    publicity_by_key.get((program.pk, org_id)),
                )
            )
        if program is programs[0] and org_id in first_village_orgs:
            roster[-1].amount += Decimal("100.00")  # one amount ≠ standard × quantity per township
            first_line = next(r for r in roster if r.org_id == org_id and r.program is program)
            first_line.status, first_line.paid_on = PaymentStatus.FAILED, None  # and one failed payment
            first_line.failure_reason = "一卡通账户已销户"
    # the same person listed in two villages of different townships for the same programme
    townships = sorted(first_in_township)
    if len(townships) >= 2:
        (_, code_a), (org_b, code_b) = (ctx.village_orgs[first_in_township[t]] for t in townships[:2])
        person_house = households[code_a][0]
        pay_day = date(year, *PROGRAMS[0][6])
        roster.append(
            _line(
                ctx,
                rng,
                programs[0],
                pay_day,
                org_b,
                code_b,
                person_house.head,
                person_house,
                Decimal("3.50"),
                publicity_by_key.get((programs[0].pk, org_b)),
                suffix=":dup",
            )
        )
    SubsidyRoster.objects.bulk_create(roster, batch_size=BATCH)

    funds: list[CollectiveSubsidy] = []
    for org_id, code in ctx.village_orgs:
        for source, purpose, ledger, (low, high) in rng.sample(COLLECTIVE_FUNDS, rng.randint(1, 3)):
            amount = Decimal(rng.randint(low // 100, high // 100) * 100)
            received = date(year, rng.randint(1, 6), rng.randint(1, 28))
            funds.append(
                CollectiveSubsidy(
                    org_id=org_id,
                    region_code=code,
                    source=source,
                    purpose=purpose,
                    amount=amount,
                    ledger_account=ledger,
                    received_on=received,
                    used_amount=(amount * Decimal(rng.randint(0, 100)) / 100).quantize(Decimal("0.01")),
                    review_status=demo_review_status(rng),
                    source_system=DEMO_SOURCE,
                    source_id=f"collective:{code}:{source}",
                )
            )
    CollectiveSubsidy.objects.bulk_create(funds, batch_size=BATCH)
    return {
        "subsidy_programs": len(programs),
        "subsidy_publicity": len(publicities),
        "subsidy_roster": len(roster),
        "collective_subsidies": len(funds),
    }


def _quantity(program: SubsidyProgram, household: DemoHousehold, rng) -> Decimal:
    if program.standard_unit == StandardUnit.PER_PERSON:
        return Decimal(rng.choice((1, 1, 2)))
    if program.name.startswith("生态公益林"):
        return Decimal(rng.randint(500, 6000)) / 100
    if program.name.startswith("实际种粮"):
        return (household.land_mu * Decimal("0.8")).quantize(Decimal("0.01"))
    return household.land_mu


def _line(
    ctx,
    rng,
    program,
    pay_day,
    org_id,
    code,
    person: DemoPerson,
    household: DemoHousehold,
    quantity: Decimal,
    publicity_id: int | None,
    suffix: str = "",
) -> SubsidyRoster:
    amount = program.expected_amount(quantity)
    if rng.random() < 0.003:
        amount += Decimal(rng.choice((-50, 20, 80)))  # occasional keying error (A11 mismatch)
    roll = rng.random()
    status, reason, paid_on = PaymentStatus.PAID, "", pay_day + timedelta(days=rng.randint(0, 5))
    if roll < 0.006:
        status, reason, paid_on = (
            PaymentStatus.FAILED,
            rng.choice(("一卡通账户已销户", "户名与账户不符")),
            None,
        )
    elif roll < 0.009:
        status, reason = PaymentStatus.RETURNED, "账户冻结，资金退回"
    elif roll < 0.02:
        status, paid_on = PaymentStatus.PENDING, None
    return SubsidyRoster(
        org_id=org_id,
        region_code=code,
        program=program,
        beneficiary_name=person.name,
        beneficiary_id=person.id_no,
        basis_quantity=quantity,
        amount=max(amount, Decimal(0)),
        one_card_account=household.account,
        bank_name=household.bank,
        paid_on=paid_on,
        status=status,
        failure_reason=reason,
        publicity_id=publicity_id,
        review_status=demo_review_status(rng),
        source_system=DEMO_SOURCE,
        source_id=f"roster:{program.pk}:{code}:{household.household_no}{suffix}",
    )
