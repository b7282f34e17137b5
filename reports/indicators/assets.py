"""Resource-asset indicators (R4 资源性资产统计表 / S4) from the resource register (资源性资产台账).

The register is a stock, not a flow, and it keeps no history of use modes: every period reports the
current register (approved resources with their current use mode); the period only labels the table.
Income per mu is Σannual income ÷ Σarea of the row, recomputed at every level.
"""

from __future__ import annotations

from django.db.models import Count, Q, Sum

from backoffice.assets.choices import ResourceClass, ResourceUse

from .base import IndicatorSpec, Source, area, count, money, quotient

SOURCES = [
    Source(
        key="resources",
        model="assets.Resource",
        label="资源性资产",
        period_semantics="当前资源台账中已审核的资源（存量，按当前利用方式；台账不保留历史利用方式）",
    ),
]


def _area_where(**filters):
    return lambda p: Sum("area", filter=Q(**filters))


INDICATORS: list[IndicatorSpec] = [
    count("rs_count", "资源宗数", "resources", lambda p: Count("pk"), unit="宗"),
    area("rs_area", "总面积", "resources", lambda p: Sum("area")),
    area("rs_cultivated", "其中：耕地", "resources", _area_where(resource_class=ResourceClass.CULTIVATED)),
    area("rs_forest", "其中：林地", "resources", _area_where(resource_class=ResourceClass.FOREST)),
    area("rs_household", "家庭承包", "resources", _area_where(use_mode=ResourceUse.HOUSEHOLD_CONTRACTED)),
    area(
        "rs_other_contract",
        "其他承包及出租",
        "resources",
        _area_where(use_mode__in=[ResourceUse.OTHER_CONTRACTED, ResourceUse.LEASED]),
    ),
    area("rs_self", "自营", "resources", _area_where(use_mode=ResourceUse.SELF_OPERATED)),
    area("rs_shareholding", "入股", "resources", _area_where(use_mode=ResourceUse.SHAREHOLDING)),
    area("rs_idle", "闲置", "resources", _area_where(use_mode=ResourceUse.IDLE)),
    money("rs_income", "年收益", "resources", lambda p: Sum("annual_income")),
    quotient("rs_income_per_mu", "亩均收益", "元/亩", "area", "rs_income", "rs_area"),
]
