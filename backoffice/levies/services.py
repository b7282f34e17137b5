"""Writes and checks of 一事一议: the project status flow and the raising-cap check.

DOMAIN.md §2.5 and §4.2 A10.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum

from backoffice.core.scope import code_in_scope

from .choices import AcceptanceResult, LevyStatus
from .models import LevyAcceptance, LevyProject
from .rules import LABOUR_CAP_PER_LABOURER_YEAR, MONEY_CAP_PER_PERSON_YEAR

S = LevyStatus
#: allowed next statuses; cancelling is possible until work starts
TRANSITIONS: dict[str, tuple[str, ...]] = {
    S.PROPOSED: (S.TOWNSHIP_REVIEWED, S.CANCELLED),
    S.TOWNSHIP_REVIEWED: (S.COUNTY_FILED, S.CANCELLED),
    S.COUNTY_FILED: (S.PUBLISHED, S.CANCELLED),
    S.PUBLISHED: (S.IMPLEMENTING, S.CANCELLED),
    S.IMPLEMENTING: (S.COMPLETED,),
    S.COMPLETED: (S.ACCEPTED,),
    S.ACCEPTED: (),
    S.CANCELLED: (),
}


@transaction.atomic
def levy_project_transition(*, project: LevyProject, to_status: str, user) -> LevyProject:
    """Move a project one step along proposed → township_reviewed → county_filed → published →
    implementing → completed → accepted (or to cancelled before work starts).

    Refuses a step outside the flow, a user whose scope does not contain the project, ``published``
    without a valid meeting resolution, and ``accepted`` without a passed acceptance record.
    """
    project = LevyProject.objects.select_for_update().get(pk=project.pk)
    current = LevyStatus(project.status)
    if to_status not in LevyStatus.values:
        raise ValidationError(f"没有“{to_status}”这个项目状态。")
    target = LevyStatus(to_status)
    if user is None or not code_in_scope(user, project.region_code):
        raise ValidationError(f"项目“{project}”不在您的管辖范围内，不能变更状态。")
    if target not in TRANSITIONS[current]:
        allowed = "、".join(LevyStatus(s).label for s in TRANSITIONS[current]) or "无（已是最终状态）"
        raise ValidationError(
            f"项目当前为“{current.label}”，不能直接变为“{target.label}”；下一步可以是：{allowed}。"
        )
    if target == LevyStatus.PUBLISHED and not project.has_valid_meeting:
        raise ValidationError(
            "没有有效的村民会议或村民代表会议决议（到会人数或赞成票未达法定比例），不能公示；请先召开会议并登记表决结果。"
        )
    if target == LevyStatus.ACCEPTED:
        acceptance = LevyAcceptance.objects.filter(project=project).first()
        if acceptance is None or acceptance.result != AcceptanceResult.PASSED:
            raise ValidationError("请先登记验收合格的验收记录，再把项目改为“已验收”。")
    project.status = target
    project.updated_by = user
    project.full_clean()
    project.save(update_fields=["status", "updated_by", "updated_at"])
    return project


def levy_over_cap(*, project: LevyProject) -> bool:
    """Whether raising exceeds the yearly per-person caps (``rules``): the project's own standards, or the
    sum of the standards of all the organisation's non-cancelled projects proposed in the same year
    (a villager pays for every project of the year) [D]."""
    same_year = LevyProject.objects.filter(
        org_id=project.org_id,
        proposed_on__year=project.proposed_on.year,
    ).exclude(status=LevyStatus.CANCELLED)
    if project.pk:
        same_year = same_year.exclude(pk=project.pk)
    totals = same_year.aggregate(money=Sum("money_standard"), labour=Sum("labour_standard"))
    money = (totals["money"] or Decimal("0")) + (project.money_standard or Decimal("0"))
    labour = (totals["labour"] or Decimal("0")) + (project.labour_standard or Decimal("0"))
    return money > MONEY_CAP_PER_PERSON_YEAR or labour > LABOUR_CAP_PER_LABOURER_YEAR
