"""A village bookkeeper uploads a workbook with two bad rows, sees the errors on the preview page,
downloads the error workbook, fixes it, uploads again, confirms, and the rows appear in the list
(headless Chromium against the real admin; django-q2 runs the jobs inline)."""

from __future__ import annotations

import pytest

from .helpers import book_of, sheet_rows
from .test_jobs import contract_rows

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_bookkeeper_fixes_errors_and_imports(page_as, demo_live_server, tmp_path):
    from backoffice.accounts.models import User
    from backoffice.regions.models import CollectiveOrg

    bookkeeper = User.objects.get(username="village_bookkeeper")
    org = CollectiveOrg.objects.get(region_id=bookkeeper.scope_region_id)
    rows = contract_rows(org, 4, start=901)
    rows[2][3] = "租赁"  # not a contract type
    rows[4][12] = "2024年13月1日"  # not a date
    first = tmp_path / "合同台账.xlsx"
    first.write_bytes(book_of([["清泉湖社区合同台账"], *rows]))

    page = page_as("village_bookkeeper")
    page.goto(f"{demo_live_server.url}/admin/contracts/contract/")
    page.click("a[href$='import-from-file/']")
    page.wait_for_url("**/admin/imports/importjob/upload/**")
    page.set_input_files("input[name=file]", str(first))
    page.click("#upload-form button[type=submit]")
    page.wait_for_selector("#job-rows")
    assert page.locator("#count-invalid").inner_text() == "2"
    errors = page.locator("#job-rows .row-error").all_inner_texts()
    assert any("“租赁”不是可选值" in e for e in errors)
    assert any("不是有效的日期" in e for e in errors)
    assert page.locator("#confirm-import").count() == 0  # all-or-nothing: nothing to confirm yet

    with page.expect_download() as info:
        page.click("#download-errors")
    fixed_path = tmp_path / "错误清单.xlsx"
    info.value.save_as(fixed_path)
    fixed = sheet_rows(fixed_path.read_bytes())
    assert fixed[0][-1] == "错误说明" and sum(1 for r in fixed[1:] if r[-1]) == 2
    for r in fixed[1:]:
        r[3] = "出租"
        r[12] = "2024-03-01"
    fixed_path.write_bytes(book_of(fixed))

    page.click("#upload-again")
    page.set_input_files("input[name=file]", str(fixed_path))
    page.click("#upload-form button[type=submit]")
    page.wait_for_selector("#confirm-import")
    assert page.locator("#count-invalid").inner_text() == "0"
    assert page.locator("#count-new").inner_text() == "4"
    page.click("#confirm-import")
    page.wait_for_selector("text=已导入")
    page.goto(f"{demo_live_server.url}/admin/contracts/contract/?q=IMP-2024-09")
    text = page.locator("#result_list").inner_text()
    assert all(f"IMP-2024-{i:04d}" in text for i in range(901, 905))
