"""Demo 一事一议 projects: 0–2 per village (2 at tiny), each with its meeting, the persons raising money
or labour, expenses and, once accepted, the acceptance.

Deliberately contains what alert A10 looks for: projects whose raising standard is over the yearly cap
(one village of seven, and the first tiny village of each township) and implementing projects without a
valid meeting resolution (attendance under quorum; one village of nine and the second tiny village).
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from backoffice.core.choices import ReviewStatus
from backoffice.core.demo import DEMO_SOURCE, DemoContext

from .choices import AcceptanceResult, LevyProjectType, LevyStatus, MeetingType
from .models import LevyAcceptance, LevyContribution, LevyExpense, LevyMeeting, LevyProject

DEMO_ORDER = 55
BATCH = 2000
SURNAMES = (
    "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎"
)
GIVEN = "建国志强海军红梅秀英永刚丽娟俊杰晓东春生玉兰国庆文华金凤宝山新民彩霞润田满仓"
NAMES = {
    LevyProjectType.ROAD: "村内道路硬化",
    LevyProjectType.WATER: "农田灌溉渠道修缮",
    LevyProjectType.GREENING: "村庄绿化美化",
    LevyProjectType.DRINKING_WATER: "人畜饮水管网改造",
    LevyProjectType.ENVIRONMENT: "垃圾收集点建设",
    LevyProjectType.CULTURE: "村文化广场建设",
    LevyProjectType.OTHER: "村内路灯安装",
}
EXEMPTIONS = ("现役军人", "在校学生", "重度残疾", "五保供养对象")
LATER = (LevyStatus.PUBLISHED, LevyStatus.IMPLEMENTING, LevyStatus.COMPLETED, LevyStatus.ACCEPTED)
SPENDING = (LevyStatus.IMPLEMENTING, LevyStatus.COMPLETED, LevyStatus.ACCEPTED)


def seed(ctx: DemoContext) -> dict[str, int]:
    rng = ctx.rng_for("levies")
    people = max(8, round(40 * ctx.volume))
    projects, details = [], []
    tiny = ctx.scale == "tiny"
    for index, (org_id, code) in enumerate(ctx.village_orgs):
        count = 2 if tiny else rng.choice((0, 0, 1, 1, 1, 2))
        over_cap = index % 3 == 0 if tiny else index % 7 == 0
        no_quorum = index % 3 == 1 if tiny else index % 9 == 4
        if over_cap or no_quorum:
            count = max(count, 1)
        for number in range(count):
            status = LevyStatus.ACCEPTED if tiny and number == 0 else None
            if number == 0 and no_quorum:
                status = LevyStatus.IMPLEMENTING
            project = _project(rng, ctx.as_of, org_id, code, number, status, over_cap and number == 0, people)
            projects.append(project)
            details.append(no_quorum and number == 0)
    LevyProject.objects.bulk_create(projects, batch_size=BATCH)

    meetings, contributions, expenses, acceptances = [], [], [], []
    for project, invalid_meeting in zip(projects, details, strict=True):
        meeting = _meeting(rng, ctx.as_of, project, invalid_meeting)
        if meeting is not None:
            meetings.append(meeting)
        contributions.extend(_contributions(rng, project))
        if project.status in SPENDING:
            expenses.extend(_expenses(rng, ctx.as_of, project))
        if project.status == LevyStatus.ACCEPTED:
            acceptances.append(_acceptance(rng, ctx.as_of, project))
    for model, rows in (
        (LevyMeeting, meetings),
        (LevyContribution, contributions),
        (LevyExpense, expenses),
        (LevyAcceptance, acceptances),
    ):
        model.objects.bulk_create(rows, batch_size=BATCH)
    return {
        "levy_projects": len(projects),
        "levy_meetings": len(meetings),
        "levy_contributions": len(contributions),
        "levy_expenses": len(expenses),
        "levy_acceptances": len(acceptances),
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
            "review_reason": "请上传会议记录并核对表决票数",
        }
    if roll < 0.16:
        return {"review_status": ReviewStatus.DRAFT}
    return {"review_status": ReviewStatus.APPROVED, "submitted_at": now, "reviewed_at": now}


def _child(project: LevyProject, rng) -> dict:
    return {
        "org_id": project.org_id,
        "region_code": project.region_code,
        "project": project,
        "source_system": DEMO_SOURCE,
        **_review(rng),
    }


def _project(rng, as_of: date, org_id, code, number, status, over_cap: bool, people: int) -> LevyProject:
    oldest = min(1400, (as_of - date(2022, 1, 1)).days)
    youngest = {LevyStatus.ACCEPTED: 300, LevyStatus.IMPLEMENTING: 120}.get(status, 20)
    age_days = rng.randrange(youngest, max(youngest + 1, oldest))
    proposed_on = as_of - timedelta(days=age_days)
    if status is None:
        ladder = list(LevyStatus)[:-1]
        stage = min(len(ladder) - 1, age_days // 120)
        status = ladder[rng.randint(max(0, stage - 2), stage)]
        if rng.random() < 0.05:
            status = LevyStatus.CANCELLED
    kind = rng.choice(list(LevyProjectType))
    by_money = rng.random() < 0.6
    money_standard = Decimal(rng.choice((10, 12, 15))) if by_money else Decimal("0")
    labour_standard = Decimal("0") if by_money else Decimal(rng.choice((3, 5, 8, 10)))
    if over_cap:
        money_standard, labour_standard = Decimal(rng.choice((20, 25, 30))), Decimal("0")
    raisers = people - people // 10
    fiscal = Decimal(rng.randrange(50, 300) * 1000)
    other = Decimal(rng.choice((0, 0, rng.randrange(5, 50) * 1000)))
    substitute = Decimal(rng.choice((60, 80, 100)))
    raised = money_standard * raisers + labour_standard * raisers * substitute
    return LevyProject(
        org_id=org_id,
        region_code=code,
        project_no=f"YSYY-{proposed_on:%Y}-{number + 1:02d}",
        name=NAMES[kind],
        project_type=kind,
        location=f"{rng.choice('东西南北')}街至村委会",
        proposed_on=proposed_on,
        beneficiaries=rng.randrange(300, 2500),
        budget=raised + fiscal + other,
        money_standard=money_standard,
        labour_standard=labour_standard,
        contributors=raisers if money_standard else 0,
        labourers=raisers if labour_standard else 0,
        exemptions=people - raisers,
        substitute_rate=substitute,
        fiscal_reward=fiscal,
        other_funding=other,
        status=status,
        source_system=DEMO_SOURCE,
        **_review(rng),
    )


def _meeting(rng, as_of: date, project: LevyProject, invalid: bool) -> LevyMeeting | None:
    if project.status not in LATER and rng.random() < 0.4:
        return None  # not yet decided
    kind = rng.choice((MeetingType.ASSEMBLY, MeetingType.REPRESENTATIVES))
    when = min(as_of, project.proposed_on + timedelta(days=rng.randrange(3, 15)))
    if kind == MeetingType.ASSEMBLY:
        eligible = rng.randrange(300, 1500)
        share = (0.30, 0.48) if invalid else (0.55, 0.85)
        attendees = int(eligible * rng.uniform(*share))
        votes_for = int(attendees * rng.uniform(0.6, 0.95))
    else:
        eligible = rng.randrange(25, 50)
        attendees = (
            int(eligible * rng.uniform(0.55, 0.75))
            if invalid
            else rng.randint(-(-eligible * 4 // 5), eligible)
        )
        votes_for = min(attendees, max(-(-eligible * 2 // 3), int(attendees * 0.9)))
    against = (attendees - votes_for) // 2
    return LevyMeeting(
        meeting_type=kind,
        meeting_date=when,
        eligible_count=eligible,
        attendees=attendees,
        votes_for=votes_for,
        votes_against=against,
        votes_abstain=attendees - votes_for - against,
        **_child(project, rng),
    )


def _contributions(rng, project: LevyProject) -> list[LevyContribution]:
    rows, names = [], set()
    total = project.contributors + project.labourers + project.exemptions
    done = project.status in (LevyStatus.COMPLETED, LevyStatus.ACCEPTED)
    started = project.status == LevyStatus.IMPLEMENTING
    for number in range(total):
        name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
        while name in names:
            name += "（二组）" if "（" not in name else "甲"
        names.add(name)
        exempt = number >= project.contributors + project.labourers
        money_due = Decimal("0") if exempt or not project.money_standard else project.money_standard
        labour_due = Decimal("0") if exempt or money_due else project.labour_standard
        ratio = Decimal(1) if done else (Decimal(rng.choice(("0", "0.5", "1"))) if started else Decimal(0))
        rows.append(
            LevyContribution(
                contributor_name=name,
                money_due=money_due,
                money_paid=(money_due * ratio).quantize(Decimal("0.01")),
                labour_days_due=labour_due,
                labour_days_done=(labour_due * ratio).quantize(Decimal("0.1")),
                exemption_reason=rng.choice(EXEMPTIONS) if exempt else "",
                **_child(project, rng),
            )
        )
    return rows


def _expenses(rng, as_of: date, project: LevyProject) -> list[LevyExpense]:
    rows, spent = [], Decimal("0")
    items = ("材料费", "机械租赁费", "人工费", "运输费", "设计监理费")
    start = project.proposed_on + timedelta(days=30)
    for number in range(rng.randint(2, 5)):
        amount = (project.budget * Decimal(rng.choice(("0.1", "0.15", "0.2")))).quantize(Decimal("0.01"))
        if amount <= 0 or spent + amount > project.budget:
            break
        spent += amount
        when = min(as_of, start + timedelta(days=rng.randrange(0, 90)))
        rows.append(
            LevyExpense(
                expense_date=when,
                item=items[number % len(items)],
                amount=amount,
                voucher_ref=f"记-{number + 1:04d}",
                **_child(project, rng),
            )
        )
    return rows


def _acceptance(rng, as_of: date, project: LevyProject) -> LevyAcceptance:
    completed = min(as_of - timedelta(days=10), project.proposed_on + timedelta(days=rng.randrange(120, 240)))
    return LevyAcceptance(
        completion_date=completed,
        accepted_on=completed + timedelta(days=rng.randrange(3, 10)),
        result=AcceptanceResult.PASSED,
        final_accounts=(project.budget * Decimal("0.97")).quantize(Decimal("0.01")),
        disclosure_ref=f"{completed:%Y}年第{rng.randint(1, 4)}季度村务公开",
        **_child(project, rng),
    )
