"""Scoped users get only their subtree: out-of-scope requests are refused, never cut or leaked."""

from __future__ import annotations

import pytest

from reports.engine import build_table
from reports.table import ReportError
from tests.conftest import COUNTY, TOWNSHIP_A, TOWNSHIP_B

pytestmark = pytest.mark.django_db


def test_township_user_cannot_build_the_county_table(users):
    with pytest.raises(ReportError, match="无权查看"):
        build_table("R3", region_code=COUNTY.ljust(12, "0"), period="2025", user=users["township_reviewer"])


def test_township_user_cannot_build_the_neighbouring_township(users):
    with pytest.raises(ReportError, match=r"无权查看.*您的数据范围是"):
        build_table(
            "R3", region_code=TOWNSHIP_B.ljust(12, "0"), period="2025", user=users["township_reviewer"]
        )


def test_county_user_asking_for_the_province_is_refused_not_cut(users):
    with pytest.raises(ReportError, match="无权查看山西省"):
        build_table("R3", region_code="140000000000", period="2025", user=users["county_admin"])


def test_user_without_scope_is_refused(users):
    user = users["county_admin"]
    user.scope_region = None
    with pytest.raises(ReportError, match="没有设置数据范围"):
        build_table("R3", region_code=COUNTY.ljust(12, "0"), period="2025", user=user)


def test_scoped_table_equals_the_unrestricted_table_of_the_same_region(users):
    own = build_table(
        "R3", region_code=TOWNSHIP_A.ljust(12, "0"), period="2025", user=users["township_reviewer"]
    )
    full = build_table("R3", region_code=TOWNSHIP_A.ljust(12, "0"), period="2025")
    assert [(r.key, r.values) for r in own.all_rows] == [(r.key, r.values) for r in full.all_rows]
    from backoffice.regions.models import CollectiveOrg

    inside = set(
        CollectiveOrg.objects.filter(region_code__startswith=TOWNSHIP_A).values_list("name", flat=True)
    )
    assert {name for _, name in own.units_included + own.units_missing} <= inside


def test_county_user_sees_only_their_townships_and_organisations(users):
    from backoffice.regions.models import CollectiveOrg

    table = build_table("R11", region_code=COUNTY.ljust(12, "0"), period="2025", user=users["county_admin"])
    assert all(row.key.startswith(COUNTY) for row in table.rows)
    names = {name for _, name in table.units_included + table.units_missing}
    outside = set(
        CollectiveOrg.objects.exclude(region_code__startswith=COUNTY).values_list("name", flat=True)
    )
    assert not names & outside


def test_province_user_builds_the_province_table(users):
    table = build_table("R3", region_code="140000000000", period="2025", user=users["province_policy"])
    assert table.level == "province" and table.display_unit == "万元"
    assert table.total.values["ct_count"] > 0


@pytest.mark.parametrize(
    ("code", "region", "period", "message"),
    [
        ("R99", "140121000000", "2025", "报表编号"),
        ("R3", "1401211", "2025", "区划代码"),
        ("R3", "140121100001", "2025", "村级"),
        ("R3", "149999000000", "2025", "不存在"),
        ("R3", "140121000000", "2025-13", "月份"),
    ],
)
def test_bad_parameters_give_a_chinese_error(code, region, period, message):
    with pytest.raises(ReportError, match=message):
        build_table(code, region_code=region, period=period)
