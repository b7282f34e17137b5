"""import_records / export_records: exit codes and the one-line JSON summary (issue 4 item 6)."""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command

from imports.models import ExportLog

from .helpers import book_of, sheet_rows
from .test_jobs import contract_rows

pytestmark = pytest.mark.django_db


@pytest.fixture
def village_org(users):
    from backoffice.regions.models import CollectiveOrg

    return CollectiveOrg.objects.get(region_id=users["village_bookkeeper"].scope_region_id)


def run(capsys, *args) -> tuple[int, dict]:
    code = 0
    try:
        call_command("import_records", *args)
    except SystemExit as exc:
        code = exc.code
    lines = capsys.readouterr().out.strip().splitlines()
    return code, json.loads(lines[-1])


def test_dry_run_then_import(tmp_path, capsys, village_org):
    from backoffice.contracts.models import Contract

    path = tmp_path / "合同.xlsx"
    path.write_bytes(book_of(contract_rows(village_org, 5)))
    code, summary = run(capsys, "contracts.Contract", str(path), "--dry-run", "--user", "village_bookkeeper")
    assert code == 0 and summary["new"] == 5 and summary["status"] == "validated" and summary["dry_run"]
    assert not Contract.objects.filter(contract_no__startswith="IMP-").exists()
    code, summary = run(capsys, "contracts.Contract", str(path), "--user", "village_bookkeeper")
    assert (code, summary["status"], summary["new"]) == (0, "committed", 5)
    code, summary = run(capsys, "contracts.Contract", str(path), "--user", "village_bookkeeper")
    assert (code, summary["unchanged"], summary["new"]) == (0, 5, 0)


def test_errors_exit_1_and_write_error_workbook(tmp_path, capsys, village_org):
    rows = contract_rows(village_org, 3)
    rows[2][3] = "租赁"
    path = tmp_path / "bad.csv"
    path.write_text("\n".join(",".join(str(v) for v in r) for r in rows), encoding="gbk")
    out = tmp_path / "errors.xlsx"
    code, summary = run(
        capsys,
        "contracts.Contract",
        str(path),
        "--user",
        "village_bookkeeper",
        "--policy",
        "valid-rows",
        "--errors",
        str(out),
    )
    assert code == 1 and summary["invalid"] == 1 and summary["new"] == 2 and summary["status"] == "committed"
    assert sheet_rows(out.read_bytes())[2][-1].startswith("原第 3 行")


def test_unreadable_file_exits_1(tmp_path, capsys):
    path = tmp_path / "x.xlsx"
    path.write_bytes(b"not a workbook")
    code, summary = run(capsys, "contracts.Contract", str(path), "--user", "admin")
    # refused by the upload gate before any parser: the bytes are not what the name says
    assert code == 1 and summary["status"] == "failed" and "与扩展名 .xlsx 不符" in summary["error"]


def test_export_records_is_scoped_and_logged(tmp_path, capsys, users):
    from backoffice.contracts.models import Contract

    path = tmp_path / "out.xlsx"
    call_command("export_records", "contracts.Contract", str(path), "--user", "township_reviewer")
    summary = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    visible = Contract.objects.visible_to(users["township_reviewer"]).count()
    assert summary["rows"] == visible == len(sheet_rows(path.read_bytes())) - 1
    log = ExportLog.objects.latest("at")
    assert (log.channel, log.row_count, log.full_personal_data) == ("command", visible, True)
