"""xlsx (opened with openpyxl), CSV and JSON renderings show exactly the table's display values."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal

import openpyxl
import pytest

from reports.engine import build_table
from reports.rendering import HEADER_ROW, render_csv, render_json, render_xlsx
from tests.conftest import COUNTY, TOWNSHIP_A

pytestmark = pytest.mark.django_db


@pytest.fixture(params=[COUNTY, TOWNSHIP_A], ids=["county", "township"])
def table(request):
    return build_table("R3", region_code=request.param.ljust(12, "0"), period="2025")


def shown(table, row, indicator) -> Decimal | None:
    """The number the screen shows, parsed back from ReportTable.display."""
    text = table.display(row, indicator)
    if not text:
        return None
    if text.endswith("%"):
        return Decimal(text[:-1]) / 100
    return Decimal(text.replace(",", ""))


def test_xlsx_cells_equal_the_displayed_table(table):
    book = openpyxl.load_workbook(io.BytesIO(render_xlsx(table)))
    sheet = book[table.report_code]
    assert sheet["A1"].value == table.title
    assert table.period.label in sheet["A2"].value and table.region_name in sheet["A2"].value
    assert f"金额单位：{table.display_unit}" in sheet["A3"].value
    assert sheet.freeze_panes == f"C{HEADER_ROW + 2}"
    header = [c.value for c in sheet[HEADER_ROW + 1]]
    assert header[2] == f"{table.columns[0].label}（{table.column_unit(table.columns[0])}）"
    for offset, row in enumerate(table.all_rows, start=HEADER_ROW + 2):
        cells = sheet[offset]
        assert cells[1].value == row.label
        for col, indicator in enumerate(table.columns, start=2):
            cell = cells[col]
            expected = shown(table, row, indicator)
            if expected is None:
                assert cell.value is None
                continue
            assert Decimal(str(cell.value)).quantize(Decimal("0.0001")) == expected.quantize(
                Decimal("0.0001")
            ), (
                row.label,
                indicator.label,
            )
            if indicator.kind == "ratio":
                assert cell.number_format == "0.0%"
            elif indicator.kind == "money":
                assert cell.number_format == "#,##0.00"
    assert cells[1].value == "合计" and cells[1].font.bold
    notes = book["说明"]
    texts = [c.value for c in notes["A"] if c.value]
    assert any(str(t).startswith("汇入本表单位") for t in texts)
    assert any(str(t).startswith("未汇入单位") for t in texts)
    for code, _name in table.units_included + table.units_missing:
        assert code in texts


def test_county_workbook_is_in_wan_yuan():
    table = build_table("R3", region_code=COUNTY.ljust(12, "0"), period="2025")
    sheet = openpyxl.load_workbook(io.BytesIO(render_xlsx(table)))["R3"]
    amount = sheet.cell(row=HEADER_ROW + 1 + len(table.all_rows), column=4).value
    assert amount == pytest.approx(float(table.total.values["ct_amount"] / 10000), abs=0.006)


def test_csv_has_the_header_and_one_line_per_row(table):
    lines = list(csv.reader(io.StringIO(render_csv(table))))
    assert lines[0][0] == table.title
    assert lines[1][:2] == ["代码", "单位"]
    body = lines[2 : 2 + len(table.all_rows)]
    assert [line[1] for line in body] == [row.label for row in table.all_rows]
    for line, row in zip(body, table.all_rows, strict=True):
        assert [c.replace(",", "") for c in line[2:]] == [
            table.display(row, c).replace(",", "") for c in table.columns
        ]
    assert any(line[0] == "核对" for line in lines)


def test_json_keeps_exact_values_and_display_strings(table):
    data = json.loads(json.dumps(render_json(table), default=str))
    assert data["period"] == "2025" and data["report_code"] == "R3"
    total = data["rows"][-1]
    assert total["kind"] == "total"
    assert Decimal(total["values"]["ct_amount"]) == table.total.values["ct_amount"]
    assert total["display"]["ct_fulfilment_rate"] == table.display(
        table.total, table.column("ct_fulfilment_rate")
    )
    assert len(data["units_included"]) == len(table.units_included)
