"""manage.py build_report: writes xlsx/csv/json, checks --level against the region, refuses bad input."""

from __future__ import annotations

import io
import json

import openpyxl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.conftest import COUNTY, TOWNSHIP_A

pytestmark = pytest.mark.django_db


def run(*args):
    out = io.StringIO()
    call_command("build_report", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


@pytest.mark.parametrize("suffix", ["xlsx", "csv", "json"])
def test_build_report_writes_the_file(tmp_path, suffix):
    target = tmp_path / f"r3.{suffix}"
    text = run(
        "R3",
        "--level",
        "county",
        "--region",
        COUNTY.ljust(12, "0"),
        "--period",
        "2025-Q3",
        "--out",
        str(target),
    )
    assert "清徐县合同兑现统计表（2025年第3季度）" in text
    assert target.stat().st_size > 0
    if suffix == "xlsx":
        assert openpyxl.load_workbook(target)["R3"]["A1"].value.startswith("清徐县")
    elif suffix == "json":
        assert json.loads(target.read_text(encoding="utf-8"))["level"] == "county"


def test_build_report_as_a_user_applies_their_scope(tmp_path):
    target = tmp_path / "r3.json"
    run(
        "R3",
        "--level",
        "township",
        "--region",
        TOWNSHIP_A.ljust(12, "0"),
        "--period",
        "2025",
        "--out",
        str(target),
        "--user",
        "township_reviewer",
    )
    assert json.loads(target.read_text(encoding="utf-8"))["region_code"] == TOWNSHIP_A.ljust(12, "0")
    with pytest.raises(CommandError, match="无权查看"):
        run(
            "R3",
            "--level",
            "county",
            "--region",
            COUNTY.ljust(12, "0"),
            "--period",
            "2025",
            "--out",
            str(target),
            "--user",
            "township_reviewer",
        )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--level", "township", "--region", "140121000000"], "县级区划，与所选级别“乡级”不一致"),
        (["--level", "county", "--region", "14012100"], "区划代码"),
        (["--level", "county", "--region", "140121000000", "--user", "nobody"], "用户“nobody”不存在"),
    ],
)
def test_build_report_rejects_bad_arguments_in_chinese(tmp_path, args, message):
    with pytest.raises(CommandError, match=message):
        run("R3", *args, "--period", "2025", "--out", str(tmp_path / "x.xlsx"))


def test_build_report_rejects_an_unknown_format_and_period(tmp_path):
    with pytest.raises(CommandError, match="扩展名"):
        run(
            "R3",
            "--level",
            "county",
            "--region",
            "140121000000",
            "--period",
            "2025",
            "--out",
            str(tmp_path / "x.pdf"),
        )
    with pytest.raises(CommandError, match="期间"):
        run(
            "R3",
            "--level",
            "county",
            "--region",
            "140121000000",
            "--period",
            "2025-7-1",
            "--out",
            str(tmp_path / "x.csv"),
        )


def test_generate_snapshots_command_is_idempotent_and_build_report_reads_the_snapshot(tmp_path):
    out = io.StringIO()
    call_command("generate_snapshots", "--today", "2026-01-05", "--region", TOWNSHIP_A, stdout=out)
    assert "新生成 13 份" in out.getvalue()
    out = io.StringIO()
    call_command("generate_snapshots", "--today", "2026-01-05", "--region", TOWNSHIP_A, stdout=out)
    assert "新生成 0 份，已存在 13 份" in out.getvalue()
    target = tmp_path / "r3.json"
    region = TOWNSHIP_A.ljust(12, "0")
    run(
        "R3",
        "--level",
        "township",
        "--region",
        region,
        "--period",
        "2025-Q4",
        "--out",
        str(target),
        "--from-snapshot",
    )
    assert json.loads(target.read_text(encoding="utf-8"))["snapshot"]["revision"] == 1
    with pytest.raises(CommandError, match="日期"):
        call_command("generate_snapshots", "--today", "2026-13-01")
