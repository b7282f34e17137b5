"""A county user opens 合同兑现统计表 for their county in a real browser, drills from a township to a
village to that village's contracts, and downloads the table as xlsx (headless Chromium, real admin)."""

from __future__ import annotations

import openpyxl
import pytest

from backoffice.regions.models import Region
from tests.conftest import COUNTY, TOWNSHIP_A

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_county_user_drills_from_county_to_contracts_and_downloads_xlsx(page_as, demo_live_server, tmp_path):
    page = page_as("county_admin")
    county_name = Region.objects.get(code=COUNTY + "000000").name
    township_name = Region.objects.get(code=TOWNSHIP_A + "000").name

    # From the sidebar's report index to the county's contract table.
    page.goto(f"{demo_live_server.url}/admin/reports/report/")
    page.click("#reports >> text=合同兑现统计表")
    page.wait_for_selector("#report-table")
    assert county_name in page.inner_text("#report-title")
    assert "万元" in page.inner_text("#money-unit")
    total_row = page.locator("#report-table tr.row-total td")
    total_cells = [total_row.nth(i).inner_text().strip() for i in range(total_row.count())]

    # Township → its villages (one level down, same report and period).
    page.click(f"#report-table a.drill-link:text-is('{township_name}')")
    page.wait_for_url("**region=" + TOWNSHIP_A + "000**")
    assert township_name in page.inner_text("#report-title")
    assert page.inner_text("#money-unit").strip() == "元"

    # Village → the contracts changelist, filtered to that village through the normal scoped admin.
    village_rows = page.locator("#report-table tr.row-region")
    target = None
    for i in range(village_rows.count()):
        row = village_rows.nth(i)
        if row.locator("td").nth(2).inner_text().strip() not in ("", "0"):
            target = row
            break
    assert target is not None, "the demo has contracts in at least one village of the township"
    village_code = target.get_attribute("data-key")
    expected = int(target.locator("td").nth(2).inner_text().strip())
    target.locator("a.drill-link").click()
    page.wait_for_url("**/admin/contracts/contract/**")
    assert f"region_code__startswith={village_code}" in page.url
    assert page.locator("#result_list tbody tr").count() == expected

    # Back to the county table and download it.
    page.go_back()
    page.go_back()
    page.wait_for_selector("#download-xlsx")
    with page.expect_download() as info:
        page.click("#download-xlsx")
    path = tmp_path / "report.xlsx"
    info.value.save_as(path)
    assert info.value.suggested_filename.endswith(".xlsx")
    sheet = openpyxl.load_workbook(path).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert county_name in str(rows[0][0])
    total = next(r for r in rows if r[1] == "合计")
    # the contract count of the total row, as shown on the page
    assert total[2] == int(total_cells[2].replace(",", ""))
