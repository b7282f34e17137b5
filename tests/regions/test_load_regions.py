"""manage.py load_regions: csv/xlsx, idempotent, bad codes reported by line."""

from __future__ import annotations

import openpyxl
import pytest
from django.core.management import call_command

from backoffice.regions.loading import REFERENCE_FILE, load_region_file
from backoffice.regions.models import Region

pytestmark = pytest.mark.django_db


def test_reference_file_has_shanxi_cities_and_counties():
    text = REFERENCE_FILE.read_text(encoding="utf-8").splitlines()[1:]
    levels = [line.split(",")[2] for line in text]
    assert levels.count("1") == 1 and levels.count("2") == 11 and levels.count("3") == 117


def test_loading_twice_changes_nothing(tmp_path):
    first = load_region_file(Region, REFERENCE_FILE)
    before = list(Region.objects.order_by("code").values_list("code", "name", "level", "parent_id"))
    second = load_region_file(Region, REFERENCE_FILE)
    after = list(Region.objects.order_by("code").values_list("code", "name", "level", "parent_id"))
    assert before == after
    assert second.created == 0 and second.updated == 0 and second.unchanged == 129
    assert first.errors == second.errors == []


def test_command_loads_villages_from_xlsx_with_chinese_headers_and_reports_bad_lines(tmp_path, capsys):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["区划代码", "名称", "级别"])
    sheet.append(["140121102000", "东于镇", 4])
    sheet.append(["140121102201", "东于村", 5])
    sheet.append([140121102202, "西于村", 5])  # a numeric cell, as Excel stores it
    sheet.append(["14012110220", "短码村", 5])
    sheet.append(["140121102203", "", 5])
    sheet.append(["140121999204", "孤村", 5])  # no township 140121999 exists
    path = tmp_path / "villages.xlsx"
    book.save(path)
    with pytest.raises(SystemExit) as exited:
        call_command("load_regions", str(path))
    assert exited.value.code == 1
    captured = capsys.readouterr()
    assert "新增 3" in captured.out
    assert "文件“villages.xlsx” 第5行，“区划代码”列" in captured.err and "必须是12位数字" in captured.err
    assert "第6行，“名称”列为空" in captured.err
    assert "第7行，“上级代码”列：找不到140121999204的上级区划140121999000" in captured.err
    assert Region.objects.get(code="140121102202").parent_id == "140121102000"


def test_strict_mode_refuses_the_whole_file(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("code,name\n140121103000,新镇\n1401211030X0,坏码\n", encoding="utf-8")
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("load_regions", str(path), "--strict")
    assert not Region.objects.filter(code="140121103000").exists()


def test_gbk_csv_is_read(tmp_path):
    path = tmp_path / "gbk.csv"
    path.write_bytes("区划代码,名称,上级代码\n140121104000,测试乡,140121000000\n".encode("gbk"))
    report = load_region_file(Region, path)
    assert report.created == 1 and Region.objects.get(code="140121104000").name == "测试乡"


def test_parent_that_contradicts_the_code_is_reported(tmp_path):
    path = tmp_path / "p.csv"
    path.write_text("code,name,parent_code\n140121105000,错乡,140122000000\n", encoding="utf-8")
    report = load_region_file(Region, path)
    assert report.created == 0 and "前缀不一致" in report.errors[0]
