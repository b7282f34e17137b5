"""The report pages of the admin (监测报表): scoped parameters, the table with units and drill-down,
failed checks shown, downloads equal to the page, and Chinese errors instead of 500s."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal
from urllib.parse import parse_qs, urlparse

import openpyxl
import pytest
from django.urls import reverse

from backoffice.regions.models import Region
from reports.engine import build_table
from reports.table import TieCheck
from reports.web.views import ReportPageView
from tests.conftest import COUNTY, TOWNSHIP_A, TOWNSHIP_B
from tests.reports.html_table import parse_table

pytestmark = pytest.mark.django_db

YEAR = str(date.today().year)
COUNTY_CODE = COUNTY + "000000"
TOWNSHIP_A_CODE = TOWNSHIP_A + "000"
TOWNSHIP_B_CODE = TOWNSHIP_B + "000"


def page_url(code: str = "R3", **params: str) -> str:
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return f"{reverse('admin:reports_report_page', args=[code])}?{query}"


def region_name(code: str) -> str:
    return Region.objects.get(code=code).name


def names_under(prefix: str, level: int) -> list[str]:
    return list(Region.objects.filter(code__startswith=prefix, level=level).values_list("name", flat=True))


def test_sidebar_lists_report_pages_and_index_links_every_report(client_for):
    client = client_for("county_admin")
    index = client.get(reverse("admin:index"))
    assert reverse("admin:reports_report_changelist") in index.content.decode()
    page = client.get(reverse("admin:reports_report_changelist"))
    assert page.status_code == 200
    html = page.content.decode()
    for code, label in (("R3", "合同兑现统计表"), ("R13", "预警处置统计表"), ("S1", "合同兑现")):
        assert label in html
        assert reverse("admin:reports_report_page", args=[code]) in html


def test_county_user_sees_townships_in_wan_yuan_with_drill_links_one_level_down(client_for):
    response = client_for("county_admin").get(page_url(region=COUNTY_CODE, kind="year", period=YEAR))
    assert response.status_code == 200
    table = parse_table(response.content.decode())
    assert table.headers[:2] == ["代码", "单位"]
    assert "合同金额（万元）" in table.headers
    labels = [row[1] for row in table.rows]
    assert labels[-1] == "合计"
    assert set(labels[:-1]) == set(names_under(COUNTY, 4))
    for row, links in zip(table.rows[:-1], table.links[:-1], strict=True):
        query = parse_qs(urlparse(links[1]).query)
        assert query["region"] == [row[0]]  # the township's own code: one level down
        assert query["period"] == [YEAR] and query["kind"] == ["year"]
        assert row[0].startswith(COUNTY) and row[0].endswith("000") and len(row[0]) == 12
    assert table.links[-1][1] is None  # the total row does not drill


def test_page_cells_are_the_engine_table_formatted_with_separators(client_for, users):
    response = client_for("county_admin").get(page_url(region=COUNTY_CODE, kind="year", period=YEAR))
    html_rows = parse_table(response.content.decode()).rows
    built = build_table("R3", region_code=COUNTY_CODE, period=YEAR, user=users["county_admin"])
    expected = [[built.display(row, c) for c in built.columns] for row in built.all_rows]
    assert [row[2:] for row in html_rows] == expected
    amount = built.column("ct_amount")
    assert "," in built.display(built.total, amount) or built.display_number(built.total, amount) < 1000


def test_township_user_table_lists_villages_linking_to_their_permitted_contracts(client_for, users):
    client = client_for("township_reviewer")
    response = client.get(page_url(region=TOWNSHIP_A_CODE, kind="year", period=YEAR))
    assert response.status_code == 200
    table = parse_table(response.content.decode())
    assert "合同金额（元）" in table.headers  # township level shows 元
    villages = table.rows[:-1]
    assert {
        row[1] for row in villages if row[0].startswith(TOWNSHIP_A) and not row[0].endswith("000")
    } == set(names_under(TOWNSHIP_A, 5))
    count_col = next(i for i, h in enumerate(table.headers) if h.startswith("合同份数"))
    checked = 0
    for row, links in zip(table.rows, table.links, strict=True):
        if not links[1] or "/contracts/contract/" not in links[1]:
            continue
        query = parse_qs(urlparse(links[1]).query)
        assert query["region_code__startswith"] == [row[0]]
        listing = client.get(links[1])
        assert listing.status_code == 200
        cl = listing.context["cl"]
        assert all(c.region_code.startswith(row[0]) for c in cl.result_list)
        assert cl.result_count == int(row[count_col].replace(",", ""))
        checked += 1
    assert checked == len(names_under(TOWNSHIP_A, 5))


def test_detail_link_of_another_township_shows_a_township_user_nothing(client_for, users):
    county_table = build_table("R3", region_code=TOWNSHIP_B_CODE, period=YEAR, user=users["county_admin"])
    village_b = next(r for r in county_table.rows if r.kind == "region")
    from reports.catalogue import REPORTS
    from reports.web.presenter import detail_url

    link = detail_url(REPORTS["R3"], village_b, county_table.period)
    assert client_for("county_admin").get(link).context["cl"].result_count > 0
    response = client_for("township_reviewer").get(link)
    assert response.status_code == 200
    assert response.context["cl"].result_count == 0


def test_township_user_asking_for_the_county_gets_the_chinese_refusal(client_for):
    response = client_for("township_reviewer").get(page_url(region=COUNTY_CODE, kind="year", period=YEAR))
    assert response.status_code == 200
    html = response.content.decode()
    assert "无权查看" in html and 'id="report-error"' in html
    assert 'id="report-table"' not in html
    assert region_name(TOWNSHIP_B_CODE) not in html
    for village in names_under(TOWNSHIP_B, 5):
        assert village not in html


def test_township_user_default_page_names_no_other_township(client_for):
    response = client_for("township_reviewer").get(reverse("admin:reports_report_page", args=["R3"]))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="report-table"' in html
    assert region_name(TOWNSHIP_A_CODE) in html
    assert region_name(TOWNSHIP_B_CODE) not in html
    assert "返回上一级" not in html  # the county is outside their scope


def test_county_user_page_links_back_up_only_within_scope(client_for):
    html = client_for("county_admin").get(page_url(region=TOWNSHIP_A_CODE, kind="year", period=YEAR)).content
    assert b'id="parent-link"' in html and f"region={COUNTY_CODE}".encode() in html
    county = client_for("county_admin").get(page_url(region=COUNTY_CODE, kind="year", period=YEAR)).content
    assert b'id="parent-link"' not in county


def test_xlsx_download_cells_equal_the_html_table(client_for):
    client = client_for("county_admin")
    params = {"region": COUNTY_CODE, "kind": "year", "period": YEAR}
    table = parse_table(client.get(page_url(**params)).content.decode())
    response = client.get(page_url(**params, export="xlsx"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0]
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    header_index = next(
        i for i, r in enumerate(rows) if r[:2] == ("代码", "单位") or r[:2] == ["代码", "单位"]
    )
    assert [c for c in rows[header_index] if c is not None] == table.headers
    body = rows[header_index + 1 : header_index + 1 + len(table.rows)]
    for html_row, xlsx_row in zip(table.rows, body, strict=True):
        assert (xlsx_row[0] or "") == html_row[0]
        assert xlsx_row[1] == html_row[1]
        for text, value in zip(html_row[2:], xlsx_row[2:], strict=False):
            assert cell_number(text) == sheet_number(value, text), (html_row[1], text, value)


def cell_number(text: str) -> Decimal | None:
    if not text:
        return None
    return Decimal(text.replace(",", "").rstrip("%"))


def sheet_number(value, text: str) -> Decimal | None:
    if value is None:
        return None
    number = Decimal(str(value))
    if text.endswith("%"):  # the sheet stores a fraction under a 0.0% format
        number *= 100
    places = len(text.split(".")[1].rstrip("%")) if "." in text else 0
    return number.quantize(Decimal(1).scaleb(-places))


def test_csv_download_has_the_same_rows(client_for):
    client = client_for("township_reviewer")
    params = {"region": TOWNSHIP_A_CODE, "kind": "year", "period": YEAR}
    table = parse_table(client.get(page_url(**params)).content.decode())
    response = client.get(page_url(**params, export="csv"))
    assert response.status_code == 200
    text = response.content.decode("utf-8-sig")
    lines = list(csv.reader(io.StringIO(text)))
    header = next(i for i, line in enumerate(lines) if line[:2] == ["代码", "单位"])
    assert lines[header] == table.headers
    body = lines[header + 1 : header + 1 + len(table.rows)]
    assert [line[1] for line in body] == [row[1] for row in table.rows]
    assert [[cell_number(c) for c in line[2:]] for line in body] == [
        [cell_number(c) for c in row[2:]] for row in table.rows
    ]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"region": TOWNSHIP_A + "000", "kind": "month", "period": "2025-13"}, "月份应为 1–12"),
        ({"region": TOWNSHIP_A + "000", "kind": "year", "period": "明年"}, "格式不正确"),
        ({"region": "12ab", "kind": "year", "period": YEAR}, "区划代码"),
        ({"region": TOWNSHIP_A + "001", "kind": "year", "period": YEAR}, "村级单位"),
    ],
)
def test_bad_parameters_give_a_chinese_message_not_a_500(client_for, params, message):
    response = client_for("county_admin").get(page_url(**params))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert 'id="report-table"' not in response.content.decode()


def test_download_with_bad_parameters_shows_the_page_with_the_error(client_for):
    response = client_for("county_admin").get(
        page_url(region=COUNTY_CODE, kind="year", period="x", export="xlsx")
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert "格式不正确" in response.content.decode()


def test_unknown_report_is_404(client_for):
    assert (
        client_for("county_admin").get(reverse("admin:reports_report_page", args=["R99"])).status_code == 404
    )


def test_failed_tie_check_is_shown_in_red_with_its_detail(client_for, monkeypatch):
    original = ReportPageView.build

    def build_with_failure(self, code, region, period):
        table = original(self, code, region, period)
        table.checks.append(TieCheck("sum", "各行之和等于合计行", False, "清源镇 合同金额 相差 1.00 元"))
        return table

    monkeypatch.setattr(ReportPageView, "build", build_with_failure)
    html = (
        client_for("county_admin")
        .get(page_url(region=COUNTY_CODE, kind="year", period=YEAR))
        .content.decode()
    )
    assert 'id="failed-checks"' in html
    section = html.split('id="failed-checks"')[1].split("</div>")[0]
    assert "勾稽校验未通过" in section and "清源镇 合同金额 相差 1.00 元" in section


def test_units_included_and_missing_are_listed(client_for, users):
    html = (
        client_for("county_admin")
        .get(page_url(region=COUNTY_CODE, kind="year", period=YEAR))
        .content.decode()
    )
    built = build_table("R3", region_code=COUNTY_CODE, period=YEAR, user=users["county_admin"])
    included = html.split('id="units-included"')[1].split("</div>")[0]
    missing = html.split('id="units-missing"')[1].split("</div>")[0]
    assert all(name in included for _, name in built.units_included)
    assert all(name in missing for _, name in built.units_missing)


def test_bar_chart_by_child_region_and_trend_on_request(client_for):
    client = client_for("county_admin")
    html = client.get(page_url(region=COUNTY_CODE, kind="year", period=YEAR)).content.decode()
    assert 'data-type="bar"' in html and region_name(TOWNSHIP_A_CODE) in html
    assert 'data-type="line"' not in html  # the trend is computed only when asked for
    trend = client.get(
        page_url(region=COUNTY_CODE, kind="year", period=YEAR, trend="1", indicator="ct_count")
    )
    assert 'data-type="line"' in trend.content.decode()
    assert f"{int(YEAR) - 5}年" in trend.content.decode()


def test_staff_without_scope_cannot_open_reports(client, django_user_model):
    user = django_user_model.objects.create_user("noscope", password="x", is_staff=True)
    client.force_login(user)
    assert client.get(reverse("admin:reports_report_changelist")).status_code == 403
    assert client.get(reverse("admin:reports_report_page", args=["R3"])).status_code == 403


def test_village_accounts_have_no_report_pages(client_for):
    client = client_for("village_bookkeeper")
    assert (
        reverse("admin:reports_report_changelist") not in client.get(reverse("admin:index")).content.decode()
    )
    assert client.get(reverse("admin:reports_report_page", args=["R3"])).status_code == 403


def test_every_reports_village_links_open_their_detail_list(client_for, users):
    from reports.catalogue import REPORTS
    from reports.forms import default_period
    from reports.web.views import default_kind

    client = client_for("county_admin")
    linked = 0
    for code, definition in REPORTS.items():
        period = default_period(default_kind(definition))
        response = client.get(page_url(code, region=TOWNSHIP_A_CODE, kind=period.kind, period=period.code))
        assert response.status_code == 200, code
        table = parse_table(response.content.decode())
        for links in table.links:
            if links[1] and "/admin/reports/" not in links[1]:
                assert client.get(links[1]).status_code == 200, (code, links[1])
                linked += 1
                break
    assert linked >= len(REPORTS) - 2  # a report whose detail filter its list refuses gets no link
