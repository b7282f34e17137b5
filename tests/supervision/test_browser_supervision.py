"""In the real admin: the dashboard shows the coverage chart; a county administrator builds a bulletin,
opens it from the bulletin list and downloads its workbook."""

from __future__ import annotations

import io
from datetime import date

import openpyxl
import pytest

from reports.supervision.bulletins import bulletin_number

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_county_admin_opens_a_bulletin_and_downloads_it(page_as, demo_live_server):
    page = page_as("county_admin")
    # the landing page carries the coverage panel with its chart
    assert page.locator("#coverage-panel canvas").count() == 1

    page.goto(f"{demo_live_server.url}/admin/supervision/bulletinpage/")
    today = date.today()
    page.fill("#bulletin-generate input[name=as_of]", today.isoformat())
    page.click("#bulletin-generate button[type=submit]")
    page.wait_for_selector("#bulletin-title")
    title = page.inner_text("#bulletin-title")
    assert "清徐县" in title and bulletin_number(today) in title

    page.goto(f"{demo_live_server.url}/admin/supervision/bulletinpage/")
    page.click(f"a.bulletin-link:has-text('{title}')")
    page.wait_for_selector("#ranking")
    assert page.locator("#ranking tbody tr").count() >= 2
    with page.expect_download() as info:
        page.click("#download-xlsx")
    with open(info.value.path(), "rb") as handle:  # the download has no .xlsx suffix openpyxl would need
        book = openpyxl.load_workbook(io.BytesIO(handle.read()))
    assert book["排名"]["A1"].value == title


def test_county_admin_opens_the_weekly_and_monthly_views_and_downloads_them(page_as, demo_live_server):
    page = page_as("county_admin")
    for path, table, sheet in (
        ("weeklypage", "#weekly-progress", "入网进度对比"),
        ("monthlypage", "#monthly-coverage", "入网率趋势"),
    ):
        page.goto(f"{demo_live_server.url}/admin/supervision/{path}/")
        page.wait_for_selector(table)
        assert "清徐县" in page.inner_text("#progress-title")
        # one row per township plus the total
        assert page.locator(f"{table} tbody tr").count() >= 3
        with page.expect_download() as info:
            page.click("#download-xlsx")
        with open(info.value.path(), "rb") as handle:
            book = openpyxl.load_workbook(io.BytesIO(handle.read()))
        assert sheet in book.sheetnames
