"""Staged imports end to end: upload, dry run, preview, policies, scope, error workbook, commit, rollback,
templates, export log and the formula guard (issue 4 items 2, 3, 5)."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest
import xlsxwriter
from django.urls import reverse

from imports import engine
from imports.models import ExportLog, ImportJob
from imports.reading import STAMP_SHEET
from imports.resources import columns_for, version_stamp
from imports.templates_xlsx import template_bytes

from .helpers import book_of, errors_of, export_book, resident_id, run_job, sheet_rows

pytestmark = pytest.mark.django_db
UPLOAD = "admin:imports_importjob_upload"


@pytest.fixture
def contract_model():
    from backoffice.contracts.models import Contract

    return Contract


@pytest.fixture
def village_org(users):
    from backoffice.regions.models import CollectiveOrg

    return CollectiveOrg.objects.get(region_id=users["village_bookkeeper"].scope_region_id)


@pytest.fixture
def foreign_org():
    from backoffice.regions.models import CollectiveOrg

    return CollectiveOrg.objects.filter(region_code__startswith="140121101", org_level="N2").first()


def contract_rows(org, n: int, start: int = 1, **overrides) -> list[list]:
    """A header and ``n`` valid new contracts for ``org`` (labels as a clerk types them)."""
    header = [
        "集体经济组织",
        "合同编号",
        "合同名称",
        "合同类型",
        "乙方名称",
        "乙方类型",
        "乙方证件号",
        "数量",
        "计量单位",
        "单价",
        "合同总金额",
        "付款方式",
        "起始日期",
        "终止日期",
        "签订日期",
        "合同状态",
    ]
    rows = [header]
    for i in range(start, start + n):
        row = {
            "集体经济组织": org.credit_code,
            "合同编号": f"IMP-2024-{i:04d}",
            "合同名称": f"集体土地出租合同{i}",
            "合同类型": "出租",
            "乙方名称": f"承租人{i}",
            "乙方类型": "个人",
            "乙方证件号": resident_id(i),
            "数量": 10,
            "计量单位": "亩",
            "单价": 500,
            "合同总金额": 5000 + i,
            "付款方式": "按年",
            "起始日期": "2024-03-01",
            "终止日期": "2029-02-28",
            "签订日期": "2024年2月20日",
            "合同状态": "履行中",
        }
        row.update({k: v for k, v in overrides.items()})
        rows.append([row[h] for h in header])
    return rows


# ---- dry run and preview --------------------------------------------------------------------------------
def test_messy_sheet_imports_exact_values(users, village_org, contract_model):
    """Title rows, full-width codes, NBSP, 万元 header, thousands separators, 元 suffix, Chinese dates."""
    rows = contract_rows(village_org, 3)
    rows[0][10] = "合同总金额（万元）"
    rows[1][1] = "ＩＭＰ－２０２４－０００１"
    rows[1][2] = "\u00a0集体土地（东片）出租合同 "
    rows[1][10] = "1.2345"  # 万元 → 12345.00 元
    rows[2][9] = "1,234.5元"
    rows[2][10] = 0.5
    rows[3][12] = 45352  # Excel serial of 2024-03-01
    rows[3][14] = "20240220"
    data = book_of([["清泉湖社区2024年合同台账"], ["单位：万元"], *rows[:2], [None] * 5, *rows[2:]])
    job = run_job(users["village_bookkeeper"], contract_model, data, "台账.xlsx")
    assert job.status == "validated", job.error_text
    assert (job.header_row, job.new_count, job.invalid_count) == (3, 3, 0), errors_of(job)
    assert engine.commit_job(job.pk) == "committed"
    first = contract_model.objects.get(org=village_org, contract_no="IMP-2024-0001")
    assert first.name == "集体土地（东片）出租合同"
    assert first.total_amount == Decimal("12345.00")
    assert first.region_code == village_org.region_code
    assert first.created_by == users["village_bookkeeper"]
    second = contract_model.objects.get(org=village_org, contract_no="IMP-2024-0002")
    assert (second.unit_price, second.total_amount) == (Decimal("1234.50"), Decimal("5000.00"))
    third = contract_model.objects.get(org=village_org, contract_no="IMP-2024-0003")
    assert (third.term_start, third.signed_on) == (dt.date(2024, 3, 1), dt.date(2024, 2, 20))
    assert third.party_b_id == resident_id(3)  # stored encrypted, hash set by the bulk path
    assert contract_model.objects.filter(party_b_id_hash=third.party_b_id_hash).count() == 1


def test_per_cell_errors_name_row_column_and_fix(users, village_org, contract_model):
    rows = contract_rows(village_org, 4)
    rows[2][3] = "租赁"  # not a choice
    rows[3][0] = "N2140121XXXXXXXXXX"  # unknown org
    rows[4][13] = "2023-01-01"  # ends before it starts
    job = run_job(users["village_bookkeeper"], contract_model, book_of(rows))
    errors = errors_of(job)
    assert set(errors) == {3, 4, 5}
    assert "可选：" in errors[3]["D列“合同类型”"] and "出租" in errors[3]["D列“合同类型”"]
    assert "找不到集体经济组织“N2140121XXXXXXXXXX”" in errors[4]["A列“集体经济组织”"]
    assert "整行" in errors[5] or any("终止" in v or "日期" in v for v in errors[5].values())
    assert (job.new_count, job.invalid_count) == (1, 3)


def test_scope_violation_is_an_error_never_written(users, foreign_org, contract_model):
    job = run_job(
        users["village_bookkeeper"],
        contract_model,
        book_of(contract_rows(foreign_org, 2)),
        policy=ImportJob.Policy.VALID_ROWS,
    )
    errors = errors_of(job)
    assert len(errors) == 2 and all("不在您的管辖范围内" in e["A列“集体经济组织”"] for e in errors.values())
    assert engine.commit_job(job.pk) == "committed"
    assert not contract_model.objects.filter(contract_no__startswith="IMP-2024").exists()


def test_duplicate_rows_in_file(users, village_org, contract_model):
    rows = contract_rows(village_org, 2)
    rows.append(list(rows[1]))
    errors = errors_of(run_job(users["village_bookkeeper"], contract_model, book_of(rows)))
    assert list(errors) == [4] and "与第 2 行重复" in next(iter(errors[4].values()))


def test_all_or_nothing_refuses_the_whole_file(users, village_org, contract_model, client_for):
    rows = contract_rows(village_org, 3)
    rows[2][3] = "租赁"
    job = run_job(users["village_bookkeeper"], contract_model, book_of(rows))
    page = client_for("village_bookkeeper").get(reverse("admin:imports_importjob_change", args=[job.pk]))
    assert page.status_code == 200 and "confirm-import" not in page.content.decode()
    assert engine.commit_job(job.pk) == "failed"
    assert not contract_model.objects.filter(contract_no__startswith="IMP-2024").exists()


def test_valid_rows_policy_imports_the_good_rows(users, village_org, contract_model):
    rows = contract_rows(village_org, 3)
    rows[2][3] = "租赁"
    job = run_job(
        users["village_bookkeeper"], contract_model, book_of(rows), policy=ImportJob.Policy.VALID_ROWS
    )
    assert engine.commit_job(job.pk) == "committed"
    assert set(
        contract_model.objects.filter(contract_no__startswith="IMP-2024").values_list(
            "contract_no", flat=True
        )
    ) == {"IMP-2024-0001", "IMP-2024-0003"}


def test_update_diff_control_totals_and_rollback(users, village_org, contract_model, tmp_path):
    user = users["village_bookkeeper"]
    existing = contract_model.objects.filter(org=village_org).order_by("pk")
    before = {c.pk: (c.total_amount, c.name) for c in existing}
    rows = sheet_rows(export_book(contract_model, user, tmp_path))
    header = rows[0]
    amount, name = header.index("合同总金额"), header.index("合同名称")
    target = next(r for r in rows[1:] if r[header.index("合同编号")] == existing[0].contract_no)
    target[amount] = float(existing[0].total_amount) + 100
    target[name] = "改过的名称"
    new = contract_rows(village_org, 1)[1]
    added = [None] * len(header)
    for h, v in zip(contract_rows(village_org, 1)[0], new, strict=True):
        added[header.index(h)] = v
    job = run_job(user, contract_model, book_of([*rows, added]))
    assert (job.new_count, job.updated_count, job.invalid_count) == (1, 1, 0), errors_of(job)
    diff = job.rows.get(action="update").diff
    assert diff["name"][1] == "改过的名称" and diff["total_amount"][1] == str(existing[0].total_amount + 100)
    totals = job.control_totals[str(village_org.pk)]["fields"]["total_amount"]
    assert Decimal(totals["expected"]) == Decimal(totals["before"]) + 100 + 5001
    assert engine.commit_job(job.pk) == "committed"
    job.refresh_from_db()
    assert job.control_totals[str(village_org.pk)]["fields"]["total_amount"]["ok"] is True
    assert contract_model.objects.get(pk=existing[0].pk).name == "改过的名称"
    assert engine.rollback_job(job.pk) == "rolled_back"
    assert {c.pk: (c.total_amount, c.name) for c in contract_model.objects.filter(org=village_org)} == before


def test_rollback_refused_when_rows_changed_after_import(users, village_org, contract_model):
    job = run_job(users["village_bookkeeper"], contract_model, book_of(contract_rows(village_org, 1)))
    engine.commit_job(job.pk)
    row = contract_model.objects.get(contract_no="IMP-2024-0001")
    row.name = "后来改的"
    row.save()
    assert engine.rollback_job(job.pk) == "committed"
    assert "又被修改过" in job.events.latest("pk").message


def test_error_workbook_fix_and_reupload(users, village_org, contract_model, client_for):
    client = client_for("village_bookkeeper")
    rows = contract_rows(village_org, 3)
    rows[2][3] = "租赁"
    rows[3][10] = "很多"
    upload = io.BytesIO(book_of([["标题行"], *rows]))
    upload.name = "合同.xlsx"
    response = client.post(
        reverse(UPLOAD), {"record_type": "contracts.contract", "file": upload, "policy": "all_or_nothing"}
    )
    assert response.status_code == 302
    job = ImportJob.objects.latest("pk")
    assert job.invalid_count == 2
    page = client.get(response.url).content.decode()
    assert "“租赁”不是可选值" in page and "不是有效的数字或金额" in page
    book = client.get(reverse("admin:imports_importjob_errors", args=[job.pk]))
    assert book.status_code == 200
    fixed = sheet_rows(book.content)
    assert fixed[0][-1] == "错误说明"
    explained = {r[1]: r[-1] for r in fixed[1:]}
    assert "原第 4 行" in explained["IMP-2024-0002"] and "合同类型" in explained["IMP-2024-0002"]
    assert explained["IMP-2024-0001"] is None
    for r in fixed[1:]:
        r[3] = "出租"
        if r[1] == "IMP-2024-0003":
            r[10] = 5003
    upload = io.BytesIO(book_of(fixed))
    upload.name = "合同-错误清单.xlsx"
    response = client.post(
        reverse(UPLOAD), {"record_type": "contracts.contract", "file": upload, "policy": "all_or_nothing"}
    )
    again = ImportJob.objects.latest("pk")
    assert (again.new_count, again.invalid_count) == (3, 0), errors_of(again)
    assert client.post(reverse("admin:imports_importjob_confirm", args=[again.pk])).status_code == 302
    again.refresh_from_db()
    assert again.status == "committed"
    assert contract_model.objects.filter(contract_no__startswith="IMP-2024").count() == 3


def test_preview_page_is_paginated_and_small(users, village_org, contract_model, client_for):
    rows = contract_rows(village_org, 1500)
    for r in rows[1:]:
        r[3] = "不存在的类型" * 3
    job = run_job(users["village_bookkeeper"], contract_model, book_of(rows))
    assert job.invalid_count == 1500
    response = client_for("village_bookkeeper").get(reverse("admin:imports_importjob_change", args=[job.pk]))
    html = response.content.decode()
    assert len(response.content) < 1_000_000
    assert html.count("row-error") == 50 and "第 1 / 30 页" in html
    status = (
        client_for("village_bookkeeper").get(reverse("admin:imports_importjob_status", args=[job.pk])).json()
    )
    assert (
        status["status"] == "validated" and status["counts"]["invalid"] == 1500 and status["progress"] == 100
    )


def test_jobs_are_private_below_county(users, village_org, contract_model, client_for):
    job = run_job(users["village_bookkeeper"], contract_model, book_of(contract_rows(village_org, 1)))
    url = reverse("admin:imports_importjob_change", args=[job.pk])
    assert client_for("township_reviewer").get(url).status_code == 404
    assert client_for("county_admin").get(url).status_code == 200
    assert (
        client_for("township_reviewer")
        .post(reverse("admin:imports_importjob_confirm", args=[job.pk]))
        .status_code
        == 404
    )


def test_cancel(users, village_org, contract_model, client_for):
    job = run_job(users["village_bookkeeper"], contract_model, book_of(contract_rows(village_org, 1)))
    client_for("village_bookkeeper").post(reverse("admin:imports_importjob_cancel", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == "cancelled" and engine.commit_job(job.pk) == "cancelled"


def test_import_button_on_changelist_leads_to_upload(client_for, contract_model):
    client = client_for("village_bookkeeper")
    page = client.get(reverse("admin:contracts_contract_changelist")).content.decode()
    assert "import-from-file" in page
    response = client.get(reverse("admin:contracts_contract_import_from_file"))
    assert response.status_code == 302 and response.url.endswith("?type=contracts.contract")
    form = client.get(response.url)
    assert form.status_code == 200 and 'value="contracts.contract" selected' in form.content.decode()


# ---- templates ------------------------------------------------------------------------------------------
def test_template_has_headers_notes_dropdowns_and_stamp(contract_model, client_for, village_org, users):
    response = client_for("village_bookkeeper").get(
        reverse("admin:imports_importjob_template", args=["contracts.contract"])
    )
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet = book.worksheets[0]
    labels = [c.label for c in columns_for(contract_model)]
    assert [c.value for c in sheet[1]] == labels
    notes = {r[0]: r for r in book["填写说明"].iter_rows(min_row=2, values_only=True) if r[0]}
    assert notes["合同类型"][1] == "必填" and "出租（代码 lease）" in notes["合同类型"][3]
    assert notes["合同总金额"][4] == "元"
    assert any("_选项" in str(v.formula1) for v in sheet.data_validations.dataValidation)
    assert book[STAMP_SHEET].sheet_state == "hidden" and book[STAMP_SHEET]["B1"].value == version_stamp(
        contract_model
    )
    # a filled template imports
    filled = template_bytes(contract_model, rows=[_row_for_labels(labels, contract_rows(village_org, 1))])
    job = run_job(users["village_bookkeeper"], contract_model, filled, "模板.xlsx")
    assert (job.status, job.new_count, job.invalid_count) == ("validated", 1, 0), (
        job.error_text,
        errors_of(job),
    )


def _row_for_labels(labels, rows):
    header, row = rows
    return [row[header.index(label)] if label in header else None for label in labels]


def test_foreign_and_old_templates_are_rejected(users, contract_model):
    from backoffice.regions.models import CollectiveOrg

    job = run_job(users["village_bookkeeper"], contract_model, template_bytes(CollectiveOrg), "组织模板.xlsx")
    assert job.status == "failed" and "是“集体经济组织”的导入模板，不是“承包（租赁）合同”的" in job.error_text
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out)
    book.add_worksheet().write_row(0, 0, ["集体经济组织", "合同编号"])
    stamp = book.add_worksheet(STAMP_SHEET)
    stamp.write_row(0, 0, ["version", f"{contract_model._meta.label}@000000000000"])
    stamp.hide()
    book.close()
    job = run_job(users["village_bookkeeper"], contract_model, out.getvalue(), "旧模板.xlsx")
    assert job.status == "failed" and "旧版" in job.error_text and "重新下载" in job.error_text


def test_unknown_and_missing_columns_fail_the_job(users, village_org, contract_model):
    rows = contract_rows(village_org, 1)
    rows[0].append("乱加的列")
    rows[1].append("x")
    job = run_job(users["village_bookkeeper"], contract_model, book_of(rows))
    assert job.status == "failed" and "Q列“乱加的列”" in job.error_text
    job = run_job(
        users["village_bookkeeper"], contract_model, book_of([r[:3] for r in contract_rows(village_org, 1)])
    )
    assert job.status == "failed" and "缺少必填列" in job.error_text and "合同类型" in job.error_text


# ---- export: scope, log, masking, formula guard ---------------------------------------------------------
def test_admin_export_is_scoped_logged_and_guarded(users, village_org, contract_model, client_for):
    row = contract_model.objects.filter(org=village_org).first()
    contract_model.objects.filter(pk=row.pk).update(name='=HYPERLINK("http://x")', escalation_note="+1")
    client = client_for("village_bookkeeper")
    query = f"status__exact={row.status}"
    model_admin_url = reverse("admin:contracts_contract_export") + "?" + query
    from django.contrib import admin

    formats = [f().get_title() for f in admin.site._registry[contract_model].get_export_formats()]
    response = client.post(model_admin_url, {"format": str(formats.index("xlsx")), "resource": "0"})
    assert response.status_code == 200
    rows = sheet_rows(response.content)
    names = [r[rows[0].index("合同名称")] for r in rows[1:]]
    assert '\'=HYPERLINK("http://x")' in names
    assert all("*" in (r[rows[0].index("乙方证件号")] or "*") for r in rows[1:])  # masked for the bookkeeper
    log = ExportLog.objects.latest("at")
    assert (log.user, log.model_label, log.channel) == (
        users["village_bookkeeper"],
        "contracts.Contract",
        "admin",
    )
    assert log.filter_query == query and log.row_count == len(rows) - 1
    assert (
        log.row_count
        == contract_model.objects.filter(org__region_code=village_org.region_code, status=row.status).count()
    )
    assert log.full_personal_data is False
    # re-import of the guarded export changes nothing
    job = run_job(users["village_bookkeeper"], contract_model, response.content)
    assert (job.status, job.new_count, job.updated_count, job.invalid_count) == ("validated", 0, 0, 0), (
        errors_of(job)
    )


def test_interrupted_valid_rows_commit_keeps_written_chunks_undoable(
    users, village_org, contract_model, monkeypatch, settings
):
    job = run_job(
        users["village_bookkeeper"],
        contract_model,
        book_of(contract_rows(village_org, 3)),
        policy=ImportJob.Policy.VALID_ROWS,
    )
    settings.IMPORT_COMMIT_CHUNK = 1  # one row per batch
    calls = {"n": 0}
    original = engine._Committer._apply

    def flaky(self, chunk):
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("disk full")
        return original(self, chunk)

    monkeypatch.setattr(engine._Committer, "_apply", flaky)
    assert engine.commit_job(job.pk) == "committed"
    job.refresh_from_db()
    assert job.new_count == 2 and "disk full" in job.error_text and "撤销" in job.error_text
    assert engine.rollback_job(job.pk) == "rolled_back"
    assert not contract_model.objects.filter(contract_no__startswith="IMP-2024").exists()


def test_failed_all_or_nothing_commit_writes_nothing(
    users, village_org, contract_model, monkeypatch, settings
):
    job = run_job(users["village_bookkeeper"], contract_model, book_of(contract_rows(village_org, 3)))
    settings.IMPORT_COMMIT_CHUNK = 1  # one row per batch
    original = engine._Committer._apply
    calls = {"n": 0}

    def flaky(self, chunk):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("disk full")
        return original(self, chunk)

    monkeypatch.setattr(engine._Committer, "_apply", flaky)
    assert engine.commit_job(job.pk) == "failed"
    assert not contract_model.objects.filter(contract_no__startswith="IMP-2024").exists()
