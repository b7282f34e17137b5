"""The error workbook of an import: the uploaded rows with a 错误说明 column, rows with errors in red (an
API batch, which has no sheet, gets one line per invalid item)."""

from __future__ import annotations

import io

from django.core.files.storage import default_storage

from .exporting import CellWriter
from .models import ImportJob, ImportRow
from .reading import read_table
from .resources import header_index


def error_workbook(job: ImportJob) -> bytes:
    """The original rows (below the header) plus a 错误说明 column; rows with errors are marked red."""
    import xlsxwriter

    if job.channel == "api":
        return _api_error_workbook(job)
    model = job.record_model
    with default_storage.open(job.file.name, "rb") as stream:
        data = stream.read()
    table = read_table(data, job.original_name, header_index(model))
    errors = dict(
        job.rows.filter(action=ImportRow.Action.INVALID).values_list("row_number", "errors").iterator()
    )
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"constant_memory": True, "in_memory": True})
    sheet = book.add_worksheet("错误清单")
    bold = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    red = book.add_format({"bg_color": "#FFC7CE", "font_color": "#9C0006", "text_wrap": True})
    cells_out = CellWriter(book)
    headers = [h for h in table.raw_headers]
    while headers and not headers[-1]:
        headers.pop()
    width = len(headers)
    for c, text in enumerate(headers):
        sheet.write_string(0, c, text, bold)
    sheet.write_string(0, width, "错误说明", bold)
    sheet.set_column(width, width, 60)
    sheet.freeze_panes(1, 0)
    r = 1
    for number, cells in table.rows:
        for c in range(width):
            value = cells[c] if c < len(cells) else None
            cells_out.write(sheet, r, c, value)
        problem = errors.get(number)
        if problem:
            text = f"原第 {number} 行：" + "；".join(f"{k}：{v}" for k, v in problem.items())
            sheet.write_string(r, width, text, red)
        r += 1
    book.close()
    return out.getvalue()


def _api_error_workbook(job: ImportJob) -> bytes:
    """An API batch has no sheet to annotate: one line per invalid item (序号 from 0, as in the response)."""
    import xlsxwriter

    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    sheet = book.add_worksheet("错误清单")
    bold = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    sheet.write_row(0, 0, ["条目序号（index）", "错误说明"], bold)
    sheet.set_column(1, 1, 80)
    rows = job.rows.filter(action=ImportRow.Action.INVALID).values_list("row_number", "errors")
    for r, (number, errors) in enumerate(rows.iterator(), start=1):
        sheet.write_number(r, 0, number - 1)
        sheet.write_string(r, 1, "；".join(f"{k}：{v}" for k, v in errors.items()))
    book.close()
    return out.getvalue()
