"""Downloadable xlsx import template per record type (issue 4 item 2), generated from the spec.

Sheet 1 (named after the record type): the header row (required columns marked 必填 in the notes and
bold red), dropdown validation for choice and yes/no columns, date/number formats, text format for codes
(leading zeros kept). Sheet "填写说明": one line per column — type, required, allowed codes and labels,
unit. A hidden sheet carries the version stamp (model label + hash of the column spec); an upload whose
stamp names another record type or an older column layout is refused with a clear message.
"""

from __future__ import annotations

import io

import xlsxwriter
from django.db import models

from .reading import STAMP_SHEET
from .resources import columns_for, version_stamp

MAX_ROWS = 20000


def template_bytes(model: type[models.Model], rows: list[list] | None = None) -> bytes:
    cols = columns_for(model)
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    from .cli import sheet_name

    sheet = book.add_worksheet(sheet_name(model))
    notes = book.add_worksheet("填写说明")
    lists = book.add_worksheet("_选项")
    stamp = book.add_worksheet(STAMP_SHEET)
    required_fmt = book.add_format(
        {"bold": True, "font_color": "#C00000", "bg_color": "#FFF2CC", "border": 1}
    )
    optional_fmt = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    text_fmt = book.add_format({"num_format": "@"})
    date_fmt = book.add_format({"num_format": "yyyy-mm-dd"})
    money_fmt = book.add_format({"num_format": "#,##0.00"})
    for c, col in enumerate(cols):
        sheet.write_string(0, c, col.label, required_fmt if col.required else optional_fmt)
        width = max(12, min(40, len(col.label) * 2 + 4))
        fmt = None
        if col.kind in ("char", "text", "fk", "sensitive"):
            fmt = text_fmt
        elif col.kind == "date":
            fmt = date_fmt
        elif col.kind == "decimal":
            fmt = money_fmt
        sheet.set_column(c, c, width, fmt)
        options = (
            list(col.labels.values())
            if col.kind == "choice"
            else (["是", "否"] if col.kind == "bool" else [])
        )
        if options:
            lists.write_string(0, c, col.label)
            for r, option in enumerate(options, start=1):
                lists.write_string(r, c, option)
            letter = xlsxwriter.utility.xl_col_to_name(c)
            sheet.data_validation(
                1,
                c,
                MAX_ROWS,
                c,
                {
                    "validate": "list",
                    "source": f"='_选项'!${letter}$2:${letter}${len(options) + 1}",
                    "error_title": "请从下拉列表中选择",
                    "error_message": f"{col.label}只能填写：{'、'.join(options)[:200]}",
                },
            )
        elif col.kind == "date":
            sheet.data_validation(
                1,
                c,
                MAX_ROWS,
                c,
                {
                    "validate": "date",
                    "criteria": ">=",
                    "value": __import__("datetime").date(1949, 10, 1),
                    "error_message": "请填写日期，例如 2024-03-01",
                },
            )
    sheet.freeze_panes(1, 0)
    for r, row in enumerate(rows or [], start=1):
        for c, value in enumerate(row):
            if value in (None, ""):
                continue
            if isinstance(value, str):
                sheet.write_string(r, c, value)
            else:
                sheet.write(r, c, value)
    header = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    for c, title in enumerate(("列名", "是否必填", "类型", "可填写的值 / 说明", "单位")):
        notes.write_string(0, c, title, header)
    notes.set_column(0, 0, 22)
    notes.set_column(1, 2, 14)
    notes.set_column(3, 3, 70)
    for r, col in enumerate(cols, start=1):
        if col.kind == "choice":
            allowed = "；".join(f"{label}（代码 {code}）" for code, label in col.labels.items())
        elif col.kind == "fk":
            allowed = (
                f"填写已有{col.related._meta.verbose_name}的编码（可从该列表导出核对），多段编码用“ | ”分隔"
            )
        elif col.kind == "sensitive":
            allowed = "完整号码；导出文件中带 * 的脱敏号码原样上传表示不修改"
        elif col.kind == "bool":
            allowed = "是 / 否"
        elif col.kind == "date":
            allowed = "2024-03-01、2024/3/1、2024年3月1日 或 20240301"
        elif col.kind == "decimal":
            allowed = f"数字，保留 {col.places} 位小数；可带千分位逗号；表头写“（万元）”时按万元换算"
        else:
            allowed = f"最多 {col.field.max_length} 个字" if getattr(col.field, "max_length", None) else ""
        help_text = str(col.field.help_text or "")
        if help_text and help_text not in allowed and "单位" not in help_text:
            allowed = f"{allowed}；{help_text}" if allowed else help_text
        notes.write_string(r, 0, col.label)
        notes.write_string(r, 1, "必填" if col.required else "选填")
        notes.write_string(r, 2, col.type_label)
        notes.write_string(r, 3, allowed)
        notes.write_string(r, 4, col.unit.replace("单位：", ""))
    notes.write_string(
        len(cols) + 2, 0, f"模板版本：{version_stamp(model)}（请勿修改隐藏的“{STAMP_SHEET}”工作表）"
    )
    stamp.write_string(0, 0, "version")
    stamp.write_string(0, 1, version_stamp(model))
    lists.hide()
    stamp.hide()
    sheet.activate()
    book.close()
    return out.getvalue()
