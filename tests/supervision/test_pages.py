"""The supervision pages and the dashboard panel render for the user's scope; the xlsx downloads."""

from __future__ import annotations

import io
from datetime import date

import openpyxl
import pytest
from django.urls import reverse

from tests.conftest import COUNTY, TOWNSHIP_A, TOWNSHIP_B

pytestmark = pytest.mark.django_db

COVERAGE_URL = "admin:supervision_supervisionpage_changelist"


def test_coverage_page_shows_child_townships_and_laggards(client_for):
    response = client_for("county_admin").get(reverse(COVERAGE_URL))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="coverage-table"' in html
    assert f'data-code="{TOWNSHIP_A}000"' in html and f'data-code="{TOWNSHIP_B}000"' in html
    assert 'id="laggards"' in html


def test_township_user_sees_only_their_township_on_the_page(client_for, users):
    client = client_for("township_reviewer")
    html = client.get(reverse(COVERAGE_URL)).content.decode()
    own = users["township_reviewer"].scope_region_id[:9]
    other = TOWNSHIP_B if own == TOWNSHIP_A else TOWNSHIP_A
    assert f'data-code="{own}' in html
    assert f'data-code="{other}' not in html
    refused = client.get(reverse(COVERAGE_URL), {"region": COUNTY.ljust(12, "0")}).content.decode()
    assert "无权查看" in refused
    assert 'id="coverage-table"' not in refused


def test_bad_period_is_a_chinese_message_not_a_crash(client_for):
    response = client_for("county_admin").get(reverse(COVERAGE_URL), {"period": "2025-13"})
    assert response.status_code == 200
    assert "月份应为" in response.content.decode()


def test_coverage_xlsx_has_the_same_rates_as_the_page(client_for, users):
    from reports.supervision.coverage import compute_coverage

    response = client_for("county_admin").get(reverse(COVERAGE_URL), {"export": "xlsx"})
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["覆盖情况", "进场与质量", "未入网单位"]
    sheet = book["覆盖情况"]
    by_code = {sheet.cell(r, 1).value: sheet.cell(r, 3).value for r in range(5, sheet.max_row + 1)}
    coverage = compute_coverage(
        user=users["county_admin"], region_code=COUNTY.ljust(12, "0"), period=str(date.today().year)
    )
    for row in coverage.children:
        assert by_code[row.code] == pytest.approx(row.overall().rate)


def test_village_user_has_no_supervision_page(client_for):
    assert client_for("village_bookkeeper").get(reverse(COVERAGE_URL)).status_code in (302, 403)


def test_dashboard_shows_the_coverage_panel_with_a_chart(client_for):
    html = client_for("county_admin").get(reverse("admin:index")).content.decode()
    assert 'id="coverage-panel"' in html
    assert "数据入网率（%）" in html  # the bar chart's dataset label


def test_scorecard_is_editable_only_by_province_policy_staff(client_for):
    from reports.supervision.scoring import active_scorecard

    card = active_scorecard()
    url = reverse("admin:supervision_scorecard_change", args=[card.pk])
    policy = client_for("province_policy").get(url)
    assert policy.status_code == 200 and 'name="name"' in policy.content.decode()
    county = client_for("county_admin").get(url)
    # read-only for everybody else: the page opens but has no editable field
    assert county.status_code == 200 and 'name="name"' not in county.content.decode()
