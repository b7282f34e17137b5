"""Demo data of 重点工作: three campaigns of the current year assigned to every village organisation,
quarterly progress reports (mostly accepted, the latest sometimes still submitted or returned), and
problem ledgers from inspections, audits and complaints with some rectifications overdue (A12).
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from backoffice.core.demo import DEMO_SOURCE, DemoContext
from backoffice.disclosure.demo import demo_evidence_file, demo_review_status

from .choices import ProblemSource, ProblemStatus, ProgressStatus
from .models import ProblemLedger, TaskAssignment, TaskProgress, TaskTemplate

DEMO_ORDER = 80
BATCH = 2000
REVIEWERS = ("乡镇农经站 李志强", "乡镇农经站 王秀英", "县农经中心 赵建国")
PROBLEMS = (
    (ProblemSource.INSPECTION, "现金收支未及时入账，库存现金超限额", "建立现金日记账，超限部分当日存入银行"),
    (
        ProblemSource.AUDIT,
        "机动地承包合同未经民主程序，承包费明显偏低",
        "重新履行民主议事程序，按评估价补签合同",
    ),
    (ProblemSource.AUDIT, "村干部报酬超标准发放", "追回超发部分，按县定标准重新核定"),
    (ProblemSource.COMPLAINT, "村民反映集体房屋出租收入未公开", "补充公开近两年租金收支明细"),
    (ProblemSource.INSPECTION, "固定资产台账与实物不符，部分资产未登记", "开展资产盘点，补登资产台账"),
    (ProblemSource.COMPLAINT, "工程款支付缺少验收手续", "补办工程验收并由民主理财小组审核"),
)


def seed(ctx: DemoContext) -> dict[str, int]:
    rng = ctx.rng_for("keywork")
    year = ctx.as_of.year
    evidence = demo_evidence_file("pdf")
    templates = TaskTemplate.objects.bulk_create(
        [
            TaskTemplate(
                title="消除集体经济薄弱村",
                year=year,
                indicator_name="村集体经济年经营性收益",
                target_value=Decimal("100000"),
                unit="元",
                due_date=date(year, 12, 31),
                description="年经营性收益低于10万元的村制定“一村一策”，年底前达到10万元以上。",
            ),
            TaskTemplate(
                title="农村集体经济合同清理规范",
                year=year,
                indicator_name="清理规范合同份数",
                target_value=Decimal("20"),
                unit="份",
                due_date=date(year, 10, 31),
                evidence_required=True,
                description="对村集体经济合同逐份清理，纠正不规范合同，到期合同进入产权交易平台。",
            ),
            TaskTemplate(
                title="农村集体“三资”专项整治",
                year=year,
                indicator_name="问题整改完成率",
                target_value=Decimal("100"),
                unit="%",
                due_date=date(year, 11, 30),
                evidence_required=True,
                description="对巡查、审计和信访发现的问题建立台账，逐项整改销号。",
            ),
        ]
    )
    assignments: list[TaskAssignment] = []
    for org_id, code in ctx.village_orgs:
        for template in templates:
            target = template.target_value
            if template.unit == "份":
                target = Decimal(rng.randint(8, 40))
            assignments.append(
                TaskAssignment(
                    org_id=org_id,
                    region_code=code,
                    template=template,
                    target_value=target,
                    deadline=template.due_date - timedelta(days=rng.choice((0, 0, 0, 30))),
                    review_status=demo_review_status(rng),
                    source_system=DEMO_SOURCE,
                    source_id=f"assignment:{code}:{template.pk}",
                )
            )
    TaskAssignment.objects.bulk_create(assignments, batch_size=BATCH)

    progress: list[TaskProgress] = []
    report_days = [
        d
        for d in (date(year, 3, 31), date(year, 6, 30), date(year, 9, 30), date(year, 12, 31))
        if d <= ctx.as_of
    ] or [ctx.as_of - timedelta(days=7)]  # early in the year: one first report
    template_of = {t.pk: t for t in templates}
    for assignment in assignments:
        template = template_of[assignment.template_id]
        finishes = rng.random() < 0.8
        for n, day in enumerate(report_days, start=1):
            share = (
                Decimal(n) / Decimal(len(report_days))
                if finishes
                else Decimal(n) / Decimal(len(report_days) + 2)
            )
            value = (assignment.target_value * share).quantize(Decimal("0.01"))
            latest = n == len(report_days)
            status = ProgressStatus.ACCEPTED
            if latest:
                status = rng.choices(
                    (
                        ProgressStatus.ACCEPTED,
                        ProgressStatus.SUBMITTED,
                        ProgressStatus.RETURNED,
                        ProgressStatus.DRAFT,
                    ),
                    weights=(70, 15, 8, 7),
                )[0]
            progress.append(
                TaskProgress(
                    org_id=assignment.org_id,
                    region_code=assignment.region_code,
                    assignment_id=assignment.pk,
                    report_date=day,
                    value=value,
                    narrative=f"截至{day:%m月%d日}，{template.indicator_name}为{value}{template.unit}。",
                    evidence=evidence
                    if template.evidence_required and status != ProgressStatus.DRAFT
                    else "",
                    reviewer=rng.choice(REVIEWERS)
                    if status in (ProgressStatus.ACCEPTED, ProgressStatus.RETURNED)
                    else "",
                    status=status,
                    review_status=demo_review_status(rng),
                    source_system=DEMO_SOURCE,
                    source_id=f"progress:{assignment.pk}:{day}",
                )
            )
    TaskProgress.objects.bulk_create(progress, batch_size=BATCH)

    problems: list[ProblemLedger] = []
    first_village: dict[str, int] = {}
    for org_id, code in ctx.village_orgs:
        first_village.setdefault(code[:9], org_id)
    earliest = date(year - 1, 6, 1)
    for org_id, code in ctx.village_orgs:
        count = rng.choice((0, 1, 1, 2, 2, 3, 4)) if org_id not in first_village.values() else 2
        for n in range(1, count + 1):
            source, description, measures = rng.choice(PROBLEMS)
            found = earliest + timedelta(days=rng.randint(0, max(0, (ctx.as_of - earliest).days - 10)))
            deadline = found + timedelta(days=rng.choice((30, 60, 90, 120)))
            forced_overdue = org_id in first_village.values() and n == 1
            if forced_overdue:  # every township has at least one overdue rectification (A12)
                found, deadline = ctx.as_of - timedelta(days=100), ctx.as_of - timedelta(days=40)
            status, verified = _problem_outcome(rng, found, deadline, ctx.as_of, forced_overdue)
            problems.append(
                ProblemLedger(
                    org_id=org_id,
                    region_code=code,
                    problem_no=f"ZZ{found.year}-{code[-6:]}-{n:03d}",
                    source=source,
                    found_on=found,
                    description=description,
                    amount_involved=Decimal(rng.randint(0, 2000) * 50),
                    responsible_person=rng.choice(
                        ("村党支部书记", "村委会主任", "村报账员", "村股份经济合作社理事长")
                    ),
                    measures=measures if status != ProblemStatus.OPEN else "",
                    deadline=deadline,
                    status=status,
                    verified_on=verified,
                    review_status=demo_review_status(rng),
                    source_system=DEMO_SOURCE,
                    source_id=f"problem:{code}:{n}",
                )
            )
    ProblemLedger.objects.bulk_create(problems, batch_size=BATCH)
    return {
        "task_templates": len(templates),
        "task_assignments": len(assignments),
        "task_progress": len(progress),
        "problem_ledgers": len(problems),
    }


def _problem_outcome(rng, found: date, deadline: date, as_of: date, forced_overdue: bool):
    if forced_overdue:
        return ProblemStatus.RECTIFYING, None
    roll = rng.random()
    if deadline < as_of:
        if roll < 0.6:
            latest = min(as_of, deadline + timedelta(days=30))
            return ProblemStatus.VERIFIED, found + timedelta(
                days=rng.randint(10, max(10, (latest - found).days))
            )
        if roll < 0.75:
            return ProblemStatus.RECTIFIED, None
        return rng.choice((ProblemStatus.OPEN, ProblemStatus.RECTIFYING)), None
    return rng.choice((ProblemStatus.OPEN, ProblemStatus.RECTIFYING, ProblemStatus.RECTIFIED)), None
