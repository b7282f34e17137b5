"""Coverage against an independent count over raw rows of the tiny demo."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from reports.supervision.coverage import compute_coverage
from reports.supervision.sources import MODULES
from reports.table import Period, ReportError
from tests.conftest import COUNTY, TOWNSHIP_A, TOWNSHIP_B

pytestmark = pytest.mark.django_db

PERIOD = Period.containing("year", date.today())


def independent_count(prefix: str, period: Period) -> dict[str, dict[str, tuple[int, int, int]]]:
    """{township code: {module: (villages, with data, all approved)}} by plain Python over all rows."""
    from backoffice.regions.models import CollectiveOrg

    villages = {
        o.id: o.region_code
        for o in CollectiveOrg.objects.all()
        if o.region_code.startswith(prefix) and not o.region_code.endswith("000") and o.status == "active"
    }
    result: dict[str, dict[str, tuple[int, int, int]]] = {}
    for module in MODULES:
        statuses: dict[int, list[str]] = {org_id: [] for org_id in villages}
        for source in module.sources:
            for record in source.model._base_manager.all():
                if record.org_id not in statuses:
                    continue
                if source.date_field:
                    day = getattr(record, source.date_field)
                    if day is None or not (period.start <= day <= period.end):
                        continue
                elif record.created_at.date() > period.end:
                    continue
                statuses[record.org_id].append(record.review_status)
        for org_id, code in villages.items():
            township = code[:9].ljust(12, "0")
            units, with_data, approved = result.setdefault(township, {}).get(module.code, (0, 0, 0))
            found = statuses[org_id]
            result[township][module.code] = (
                units + 1,
                with_data + bool(found),
                approved + bool(found and all(s == "approved" for s in found)),
            )
    return result


def test_county_coverage_matches_an_independent_count(users):
    coverage = compute_coverage(user=users["county_admin"], region_code=COUNTY.ljust(12, "0"), period=PERIOD)
    expected = independent_count(COUNTY, PERIOD)
    got = {
        row.code: {code: (c.units, c.with_data, c.approved) for code, c in row.cells.items()}
        for row in coverage.children
    }
    assert got == expected
    assert {TOWNSHIP_A.ljust(12, "0"), TOWNSHIP_B.ljust(12, "0")} <= set(got)
    # the demo has data somewhere, otherwise this comparison proves nothing
    assert any(c.with_data for row in coverage.children for c in row.cells.values())


def test_total_is_the_sum_of_children(users):
    coverage = compute_coverage(user=users["county_admin"], region_code=COUNTY.ljust(12, "0"), period=PERIOD)
    for module in MODULES:
        assert coverage.total.cells[module.code].with_data == sum(
            row.cells[module.code].with_data for row in coverage.children
        )
        assert coverage.total.cells[module.code].units == sum(
            row.cells[module.code].units for row in coverage.children
        )


def test_a_village_with_no_data_is_named_among_the_laggards(users):
    from backoffice.regions.models import CollectiveOrg, Region

    township = Region.objects.get(code=TOWNSHIP_A.ljust(12, "0"))
    village = Region.objects.create(code=TOWNSHIP_A + "399", name="无数据测试村", level=5, parent=township)
    org = CollectiveOrg.objects.create(name="无数据测试村股份经济合作社", org_level="ACTING", region=village)
    coverage = compute_coverage(user=users["county_admin"], region_code=COUNTY.ljust(12, "0"), period=PERIOD)
    laggard = next(lag for lag in coverage.laggards if lag["code"] == village.code)
    assert laggard["org"] == org.name
    assert laggard["no_data"] is True
    assert len(laggard["missing"]) == len(MODULES)
    # whole-village gaps are listed first
    assert coverage.laggards[0]["no_data"] is True


def test_a_township_user_sees_only_their_township(users):
    reviewer = users["township_reviewer"]
    own = reviewer.scope_region_id
    coverage = compute_coverage(user=reviewer, region_code=own, period=PERIOD)
    assert all(row.code.startswith(own[:9]) for row in coverage.children)
    assert all(lag["code"].startswith(own[:9]) for lag in coverage.laggards)
    with pytest.raises(ReportError, match="无权查看"):
        compute_coverage(user=reviewer, region_code=COUNTY.ljust(12, "0"), period=PERIOD)


def test_a_period_before_the_data_scope_is_refused_in_chinese(users):
    with pytest.raises(ReportError, match="2022年1月1日"):
        compute_coverage(user=users["county_admin"], region_code=COUNTY.ljust(12, "0"), period="2021")


def test_rows_entered_after_the_as_of_day_do_not_count(users):
    from backoffice.regions.models import CollectiveOrg

    # The organisations existed in mid-2023; every demo record was entered today.
    CollectiveOrg.objects.update(created_at=datetime(2023, 1, 1, tzinfo=UTC))
    past = compute_coverage(
        user=users["county_admin"], region_code=COUNTY.ljust(12, "0"), period="2023", as_of=date(2023, 6, 30)
    )
    assert past.total.cells["accounting"].units > 0
    assert past.total.overall().with_data == 0
    assert past.laggards and all(lag["no_data"] for lag in past.laggards)


def test_query_count_does_not_grow_with_the_number_of_villages(users):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from reports.supervision.extras import EXTRA_LABELS
    from reports.supervision.quality import QUALITY_LABELS
    from reports.supervision.sources import MODULES as modules

    counts = []
    for region in (COUNTY.ljust(12, "0"), TOWNSHIP_A.ljust(12, "0")):
        with CaptureQueriesContext(connection) as captured:
            compute_coverage(user=users["county_admin"], region_code=region, period=PERIOD)
        counts.append(len(captured))
    sources = sum(len(m.sources) for m in modules)
    # one grouped query per record type, per rollout indicator and per data-quality indicator, three for
    # the region and its units
    assert counts[0] == counts[1] == sources + len(EXTRA_LABELS) + len(QUALITY_LABELS) + 3
