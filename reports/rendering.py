"""Renderings of one ReportTable: xlsx (xlsxwriter), CSV and JSON. The numbers come from
``ReportTable.display_number``, the same values the admin page shows via ``ReportTable.display``."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from typing import Any

import xlsxwriter

from .table import Indicator, ReportTable, TableRow

HEADER_ROW = 4  # 0-based row of the column headers in the sheet (title, region/period, units, blank)


def _header(table: ReportTable, indicator: Indicator) -> str:
    return f"{indicator.label}（{table.column_unit(indicator)}）"


def cell_value(table: ReportTable, row: TableRow, indicator: Indicator) -> float | int | None:
    """The number written to a sheet cell (the display number; ratios as a fraction for a % format)."""
    number = table.display_number(row, indicator)
    if number is None:
        return None
    if indicator.kind == "ratio":
        return float(number / 100)
    return float(number) if isinstance(number, Decimal) else number


def render_xlsx(table: ReportTable) -> bytes:
    """A workbook with the table sheet (title, region, period, units, frozen header, number formats,
    total row, checks) and a 说明 sheet (notes, units included and missing)."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    title_fmt = book.add_format({"bold": True, "font_size": 14})
    header_fmt = book.add_format(
        {"bold": True, "bg_color": "#E8EEF7", "border": 1, "text_wrap": True, "valign": "vcenter"}
    )
    text_fmt = book.add_format({"border": 1})
    money_fmt = book.add_format({"num_format": "#,##0.00", "border": 1})
    count_fmt = book.add_format({"num_format": "#,##0", "border": 1})
    ratio_fmt = book.add_format({"num_format": "0.0%", "border": 1})
    total_text = book.add_format({"bold": True, "border": 1, "bg_color": "#F3F3F3"})
    total_money = book.add_format(
        {"bold": True, "num_format": "#,##0.00", "border": 1, "bg_color": "#F3F3F3"}
    )
    total_count = book.add_format({"bold": True, "num_format": "#,##0", "border": 1, "bg_color": "#F3F3F3"})
    total_ratio = book.add_format({"bold": True, "num_format": "0.0%", "border": 1, "bg_color": "#F3F3F3"})
    failed_fmt = book.add_format({"font_color": "#B00020", "bold": True})

    sheet = book.add_worksheet(table.report_code)
    sheet.write(0, 0, table.title, title_fmt)
    place = f"区划：{table.region_name}（{table.region_code}）  级别：{table.level_label}"
    sheet.write(1, 0, f"{place}  期间：{table.period.label}")
    units = f"汇入单位：{len(table.units_included)}个  未汇入：{len(table.units_missing)}个"
    sheet.write(2, 0, f"金额单位：{table.display_unit}  {units}")
    headers = ["代码", "单位", *(_header(table, c) for c in table.columns)]
    for col, text in enumerate(headers):
        sheet.write(HEADER_ROW, col, text, header_fmt)
    sheet.set_row(HEADER_ROW, 36)
    sheet.freeze_panes(HEADER_ROW + 1, 2)
    sheet.set_column(0, 0, 20)
    sheet.set_column(1, 1, 26)
    sheet.set_column(2, len(headers) - 1, 14)

    def fmt(indicator: Indicator, total: bool):
        if indicator.kind == "ratio":
            return total_ratio if total else ratio_fmt
        if indicator.kind == "count":
            return total_count if total else count_fmt
        return total_money if total else money_fmt

    for offset, row in enumerate(table.all_rows, start=1):
        r = HEADER_ROW + offset
        is_total = row.kind == "total"
        sheet.write(r, 0, "" if is_total else row.key, total_text if is_total else text_fmt)
        sheet.write(r, 1, row.label, total_text if is_total else text_fmt)
        for col, indicator in enumerate(table.columns, start=2):
            value = cell_value(table, row, indicator)
            if value is None:
                sheet.write_blank(r, col, None, fmt(indicator, is_total))
            else:
                sheet.write_number(r, col, value, fmt(indicator, is_total))
    r = HEADER_ROW + len(table.all_rows) + 2
    sheet.write(r, 0, "核对结果")
    for check in table.checks:
        r += 1
        sheet.write(r, 0, "通过" if check.ok else "未通过", None if check.ok else failed_fmt)
        sheet.write(r, 1, f"{check.label}：{check.detail}")
    if table.snapshot:
        r += 2
        status = table.snapshot.get("status_label") or table.snapshot.get("status")
        sheet.write(r, 0, f"快照：第{table.snapshot.get('revision')}版，状态：{status}")

    notes = book.add_worksheet("说明")
    notes.set_column(0, 0, 24)
    notes.set_column(1, 1, 60)
    line = 0
    notes.write(line, 0, "说明", title_fmt)
    for text in table.notes:
        line += 1
        notes.write(line, 0, text)
    line += 2
    notes.write(line, 0, f"汇入本表单位（{len(table.units_included)}个）", header_fmt)
    notes.write(line, 1, "名称", header_fmt)
    for code, name in table.units_included:
        line += 1
        notes.write(line, 0, code)
        notes.write(line, 1, name)
    line += 2
    notes.write(line, 0, f"未汇入单位（{len(table.units_missing)}个）", header_fmt)
    notes.write(line, 1, "名称", header_fmt)
    for code, name in table.units_missing:
        line += 1
        notes.write(line, 0, code)
        notes.write(line, 1, name)
    book.close()
    return buffer.getvalue()


def render_csv(table: ReportTable) -> str:
    """CSV of the displayed table: a title line, the header and one line per row (display strings
    without thousands separators)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([table.title, f"金额单位：{table.display_unit}"])
    writer.writerow(["代码", "单位", *(_header(table, c) for c in table.columns)])
    for row in table.all_rows:
        cells = []
        for indicator in table.columns:
            number = table.display_number(row, indicator)
            cells.append(
                "" if number is None else (f"{number}%" if indicator.kind == "ratio" else str(number))
            )
        writer.writerow(["" if row.kind == "total" else row.key, row.label, *cells])
    for check in table.checks:
        writer.writerow(["核对", "通过" if check.ok else "未通过", f"{check.label}：{check.detail}"])
    return out.getvalue()


def _json_number(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    return value


def render_json(table: ReportTable) -> dict:
    """A JSON-ready dict: parameters, columns, rows with raw values (元, exact decimals as strings) and
    display strings, checks, units and notes. ``reports.snapshots`` stores exactly this."""
    return {
        "report_code": table.report_code,
        "report_label": table.report_label,
        "level": table.level,
        "region_code": table.region_code,
        "region_name": table.region_name,
        "period": table.period.code,
        "period_label": table.period.label,
        "display_unit": table.display_unit,
        "columns": [
            {
                "code": c.code,
                "label": c.label,
                "unit": c.unit,
                "kind": c.kind,
                "display_unit": table.column_unit(c),
            }
            for c in table.columns
        ],
        "rows": [
            {
                "key": row.key,
                "label": row.label,
                "kind": row.kind,
                "drill_region": row.drill_region,
                "units": row.units,
                "values": {code: _json_number(v) for code, v in row.values.items()},
                "display": {c.code: table.display(row, c) for c in table.columns},
            }
            for row in table.all_rows
        ],
        "checks": [{"code": c.code, "label": c.label, "ok": c.ok, "detail": c.detail} for c in table.checks],
        "units_included": [list(u) for u in table.units_included],
        "units_missing": [list(u) for u in table.units_missing],
        "notes": list(table.notes),
        "snapshot": table.snapshot,
    }
