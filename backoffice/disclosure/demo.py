"""Demo data of 财务公开: quarterly plans from 2024Q1 to the last complete quarter for every organisation,
disclosures for most (a few late, a few missing → overdue under A5), some special disclosures, feedback.

Evidence photos point at one small placeholder file written once to the media storage.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from backoffice.core.choices import ReviewStatus
from backoffice.core.demo import DEMO_SOURCE, DemoContext

from .choices import DisclosureCategory, DisclosureChannel, DisclosurePeriodType
from .models import Disclosure, DisclosureFeedback, DisclosurePlan
from .validators import period_end

DEMO_ORDER = 65
BATCH = 2000
# 1×1 PNG and a minimal PDF: valid by signature, tiny on disk
PLACEHOLDER_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6360f8cf"
    "c000000301010018dd8db00000000049454e44ae426082"
)
PLACEHOLDER_PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
NAMES = [
    "王建国",
    "李秀英",
    "张志强",
    "刘海军",
    "陈红梅",
    "杨永刚",
    "赵丽娟",
    "黄俊杰",
    "周晓东",
    "吴春生",
    "徐玉兰",
    "孙国庆",
]


def demo_evidence_file(kind: str = "png") -> str:
    """Name of a shared placeholder evidence file in the media storage (written once)."""
    name = f"demo/evidence_placeholder.{kind}"
    if not default_storage.exists(name):
        default_storage.save(name, ContentFile(PLACEHOLDER_PNG if kind == "png" else PLACEHOLDER_PDF))
    return name


def demo_review_status(rng: random.Random) -> str:
    """Mostly approved, some submitted, a few returned or draft."""
    roll = rng.random()
    if roll < 0.80:
        return ReviewStatus.APPROVED
    if roll < 0.92:
        return ReviewStatus.SUBMITTED
    return ReviewStatus.RETURNED if roll < 0.96 else ReviewStatus.DRAFT


def complete_quarters(as_of: date, first: date = date(2024, 1, 1)) -> list[str]:
    """Quarter labels from ``first`` to the last quarter that ended before ``as_of``."""
    labels, year, quarter = [], first.year, (first.month - 1) // 3 + 1
    while True:
        label = f"{year}Q{quarter}"
        if period_end(DisclosurePeriodType.QUARTERLY, label) >= as_of:
            return labels
        labels.append(label)
        year, quarter = (year + 1, 1) if quarter == 4 else (year, quarter + 1)


def seed(ctx: DemoContext) -> dict[str, int]:
    rng = ctx.rng_for("disclosure")
    photo = demo_evidence_file("png")
    quarters = complete_quarters(ctx.as_of)
    orgs = [*ctx.township_orgs, *ctx.village_orgs]
    plans: list[DisclosurePlan] = []
    for org_id, code in orgs:
        for label in quarters:
            plans.append(
                DisclosurePlan(
                    org_id=org_id,
                    region_code=code,
                    period_type=DisclosurePeriodType.QUARTERLY,
                    period=label,
                    due_date=period_end(DisclosurePeriodType.QUARTERLY, label),
                    review_status=ReviewStatus.APPROVED,
                    source_system=DEMO_SOURCE,
                    source_id=f"plan:{code}:{label}",
                )
            )
        if org_id == _first_village_of_each_township(ctx).get(code[:9]):
            special_day = date(ctx.as_of.year - 1, 6, 30)
            plans.append(
                DisclosurePlan(
                    org_id=org_id,
                    region_code=code,
                    period_type=DisclosurePeriodType.SPECIAL,
                    period=f"{special_day.year}-征地补偿",
                    due_date=special_day,
                    note="征地补偿费分配专项公开",
                    review_status=ReviewStatus.APPROVED,
                    source_system=DEMO_SOURCE,
                    source_id=f"plan:{code}:special:{special_day.year}",
                )
            )
    DisclosurePlan.objects.bulk_create(plans, batch_size=BATCH)
    plans = list(DisclosurePlan.objects.filter(source_system=DEMO_SOURCE).order_by("region_code", "due_date"))

    disclosures: list[Disclosure] = []
    missing = late = 0
    for plan in plans:
        roll = rng.random()
        # the newest quarter of the very first village stays unpublished so A5 always has a case
        forced_missing = plan.region_code == ctx.village_orgs[0][1] and plan.period == quarters[-1]
        if forced_missing or roll < 0.04:
            missing += 1
            continue
        if roll < 0.09:
            published = plan.due_date + timedelta(days=rng.randint(20, 45))
            late += 1
        else:
            published = plan.due_date + timedelta(days=rng.randint(2, 14))
        if published > ctx.as_of:
            published = None
        reviewed = (published or ctx.as_of) - timedelta(days=rng.randint(1, 5))
        categories = _categories(plan, rng)
        channels = [
            DisclosureChannel.NOTICE_BOARD,
            *rng.sample(
                [c.value for c in DisclosureChannel if c != DisclosureChannel.NOTICE_BOARD], rng.randint(0, 2)
            ),
        ]
        income = Decimal(rng.randint(20_000, 600_000))
        disclosures.append(
            Disclosure(
                org_id=plan.org_id,
                region_code=plan.region_code,
                plan=plan,
                period_type=plan.period_type,
                period=plan.period,
                categories=categories,
                items={
                    "summary": {"income": f"{income:.2f}", "expenditure": f"{income * Decimal('0.8'):.2f}"}
                },
                reviewed_by_finance_group_on=reviewed,
                finance_group_members="、".join(rng.sample(NAMES, 3)),
                channels=channels if published else [],
                published_on=published,
                evidence_photo=photo if published and rng.random() < 0.95 else "",
                review_status=demo_review_status(rng) if published else ReviewStatus.DRAFT,
                source_system=DEMO_SOURCE,
                source_id=f"disclosure:{plan.region_code}:{plan.period}",
            )
        )
    Disclosure.objects.bulk_create(disclosures, batch_size=BATCH)

    feedback: list[DisclosureFeedback] = []
    counts: dict[int, int] = {}
    published = Disclosure.objects.filter(source_system=DEMO_SOURCE, published_on__isnull=False).order_by(
        "pk"
    )
    for disclosure in published.only("pk", "org_id", "region_code", "published_on"):
        if rng.random() >= 0.10:
            continue
        raised = disclosure.published_on + timedelta(days=rng.randint(1, 10))
        if raised > ctx.as_of:
            continue
        closed = raised + timedelta(days=rng.randint(2, 15))
        is_closed = closed <= ctx.as_of and rng.random() < 0.85
        counts[disclosure.pk] = counts.get(disclosure.pk, 0) + 1
        feedback.append(
            DisclosureFeedback(
                org_id=disclosure.org_id,
                region_code=disclosure.region_code,
                disclosure_id=disclosure.pk,
                feedback_no=f"FK{raised:%Y%m%d}{disclosure.pk:06d}",
                raised_by="" if rng.random() < 0.3 else rng.choice(NAMES),
                raised_on=raised,
                content=rng.choice(FEEDBACK),
                response="已在村务公开栏补充明细并当面答复。" if is_closed else "",
                closed_on=closed if is_closed else None,
                review_status=demo_review_status(rng),
                source_system=DEMO_SOURCE,
                source_id=f"feedback:{disclosure.pk}",
            )
        )
    DisclosureFeedback.objects.bulk_create(feedback, batch_size=BATCH)
    updates = list(Disclosure.objects.filter(pk__in=counts).only("pk"))
    for row in updates:
        row.feedback_count = counts[row.pk]
    Disclosure.objects.bulk_update(updates, ["feedback_count"], batch_size=BATCH)
    ctx.notes.append(f"财务公开：{missing} 期未公开、{late} 期逾期公开（A5 逾期提醒的演示案例）")
    return {
        "disclosure_plans": len(plans),
        "disclosures": len(disclosures),
        "disclosure_feedback": len(feedback),
    }


FEEDBACK = [
    "第三季度办公费支出较多，请公开明细。",
    "机动地承包费收入与去年相比减少，原因是什么？",
    "修路工程款支付依据是什么？",
    "希望增加网络公开渠道，方便在外务工成员查看。",
    "收益分配方案何时公开？",
]


def _categories(plan: DisclosurePlan, rng: random.Random) -> list[str]:
    if plan.period_type == DisclosurePeriodType.SPECIAL:
        return [DisclosureCategory.INCOME, DisclosureCategory.DISTRIBUTION]
    codes = [c.value for c in DisclosureCategory]
    if not plan.period.endswith(("Q1", "Q4")):
        codes.remove(DisclosureCategory.DISTRIBUTION)  # income is distributed around the year end
    if rng.random() < 0.3:
        codes.remove(DisclosureCategory.OTHER)
    return codes


def _first_village_of_each_township(ctx: DemoContext) -> dict[str, int]:
    first: dict[str, int] = {}
    for org_id, code in ctx.village_orgs:
        first.setdefault(code[:9], org_id)
    return first
