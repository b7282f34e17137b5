"""Organisation and membership indicators (R11 组织及成员统计表 / S5)."""

from __future__ import annotations

from datetime import date

from django.db.models import Count, Q, Sum

from backoffice.reform.choices import MemberStatus
from backoffice.regions.choices import OrgLevel, OrgStatus

from ..table import Indicator
from .base import IndicatorSpec, Source, count, money

SOURCES = [
    Source(
        key="orgs",
        model="regions.CollectiveOrg",
        label="集体经济组织",
        where=lambda p: Q(status=OrgStatus.ACTIVE),
        approved_only=False,
        org_field="pk",
        period_semantics="当前状态为“正常”的集体经济组织（名录无审核流程）",
    ),
    Source(
        key="members",
        model="reform.Member",
        label="集体经济组织成员",
        where=lambda p: Q(status=MemberStatus.ACTIVE),
        period_semantics="已审核、状态正常的成员（当前名册）",
    ),
    Source(
        key="households", model="reform.Household", label="农户", period_semantics="已审核的农户（当前名册）"
    ),
    Source(
        key="holdings",
        model="reform.ShareHolding",
        label="股权",
        where=lambda p: (
            Q(effective_from__lte=p.end) & (Q(effective_to__isnull=True) | Q(effective_to__gt=p.end))
        ),
        period_semantics="报告期末有效的股权",
    ),
    Source(
        key="dividend_payments",
        model="reform.DividendPayment",
        label="分红发放",
        where=lambda p: Q(paid_on__gte=date(p.year, 1, 1), paid_on__lte=p.end),
        period_semantics="当年1月1日至报告期末已发放的分红",
    ),
]

INDICATORS: list[IndicatorSpec] = [
    count("og_count", "组织数", "orgs", lambda p: Count("pk")),
    count("og_registered", "已登记赋码", "orgs", lambda p: Count("pk", filter=Q(credit_code__isnull=False))),
    count("og_n3", "乡镇级", "orgs", lambda p: Count("pk", filter=Q(org_level=OrgLevel.TOWNSHIP))),
    count("og_n2", "村级", "orgs", lambda p: Count("pk", filter=Q(org_level=OrgLevel.VILLAGE))),
    count("og_n1", "组级", "orgs", lambda p: Count("pk", filter=Q(org_level=OrgLevel.GROUP))),
    count(
        "og_acting", "村（居）委会代行", "orgs", lambda p: Count("pk", filter=Q(org_level=OrgLevel.ACTING))
    ),
    count("og_members", "成员数", "members", lambda p: Count("pk"), unit="人"),
    count("og_households", "户数", "households", lambda p: Count("pk"), unit="户"),
    IndicatorSpec(
        indicator=Indicator("og_shares", "股数", "份", "area"),
        source="holdings",
        aggregate=lambda p: Sum("units"),
    ),
    money("og_dividends", "分红金额", "dividend_payments", lambda p: Sum("amount")),
]
