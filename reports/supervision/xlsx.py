"""Workbooks of the coverage page and of bulletins (xlsxwriter): title, frozen header, percentage formats,
a total row; built from the same JSON form the pages render."""

from __future__ import annotations

import io

import xlsxwriter

from .present import overall, quality_labels, ratio


def _formats(book):
    return {
        "title": book.add_format({"bold": True, "font_size": 14}),
        "note": book.add_format({"font_color": "#64748b"}),
        "head": book.add_format({"bold": True, "bg_color": "#e2e8f0", "border": 1, "text_wrap": True}),
        "text": book.add_format({"border": 1}),
        "pct": book.add_format({"border": 1, "num_format": "0.0%"}),
        "int": book.add_format({"border": 1, "num_format": "0"}),
        "total": book.add_format({"border": 1, "bold": True, "bg_color": "#f1f5f9"}),
        "total_pct": book.add_format(
            {"border": 1, "bold": True, "bg_color": "#f1f5f9", "num_format": "0.0%"}
        ),
    }


def _cell(sheet, row, col, value, fmt):
    if value is None:
        sheet.write_string(row, col, "—", fmt)
    else:
        sheet.write_number(row, col, value, fmt)


def write_coverage_sheets(book, data: dict, title: str) -> None:
    """Sheets 覆盖情况, 进场与质量 and 未入网单位 of one coverage."""
    f = _formats(book)
    modules, extras, quality = data["modules"], data["extras"], quality_labels(data)
    rows = [*data["children"], data["total"]]

    sheet = book.add_worksheet("覆盖情况")
    sheet.write(0, 0, title, f["title"])
    sheet.write(
        1,
        0,
        f"统计期间 {data['period']}，截至 {data['as_of']}；"
        "入网率=有数据的村占比，审核率=数据全部已审核的村占比",
        f["note"],
    )
    header = ["区划代码", "区划名称", "综合入网率"]
    for _code, label in modules:
        header += [f"{label}\n入网率", f"{label}\n审核率", f"{label}\n最新期间"]
    sheet.write_row(3, 0, header, f["head"])
    for index, row in enumerate(rows):
        line = 4 + index
        is_total = index == len(rows) - 1
        text, pct = (f["total"], f["total_pct"]) if is_total else (f["text"], f["pct"])
        units, with_data, _approved = overall(row)
        sheet.write_string(line, 0, "合计" if is_total else row["code"], text)
        sheet.write_string(line, 1, row["name"], text)
        _cell(sheet, line, 2, ratio(with_data, units), pct)
        for m, (code, _label) in enumerate(modules):
            cell = row["cells"][code]
            _cell(sheet, line, 3 + 3 * m, ratio(cell["with_data"], cell["units"]), pct)
            _cell(sheet, line, 4 + 3 * m, ratio(cell["approved"], cell["units"]), pct)
            sheet.write_string(line, 5 + 3 * m, cell["latest"] or "无", text)
    sheet.freeze_panes(4, 2)
    sheet.set_column(0, 0, 14)
    sheet.set_column(1, 1, 16)
    sheet.set_column(2, 2 + 3 * len(modules), 11)
    sheet.set_row(3, 45)

    sheet = book.add_worksheet("进场与质量")
    sheet.write(0, 0, f"{title}：应进必进、银农直连、预警处置、数据质量", f["title"])
    header = ["区划代码", "区划名称"]
    for _code, label in extras:
        header += [label, f"{label}（分子/分母）"]
    for _code, label in quality:
        header += [label, f"{label}（问题数/总数）"]
    header.append("期间记录数")
    sheet.write_row(2, 0, header, f["head"])
    for index, row in enumerate(rows):
        line = 3 + index
        is_total = index == len(rows) - 1
        text, pct = (f["total"], f["total_pct"]) if is_total else (f["text"], f["pct"])
        sheet.write_string(line, 0, "合计" if is_total else row["code"], text)
        sheet.write_string(line, 1, row["name"], text)
        for e, (code, _label) in enumerate(extras):
            numerator, denominator = row["extras"].get(code, [0, 0])
            _cell(sheet, line, 2 + 2 * e, ratio(numerator, denominator), pct)
            sheet.write_string(line, 3 + 2 * e, f"{numerator}/{denominator}", text)
        for q, (code, _label) in enumerate(quality, start=len(extras)):
            bad, total = row.get("quality", {}).get(code, [0, 0])
            _cell(sheet, line, 2 + 2 * q, ratio(bad, total), pct)
            sheet.write_string(line, 3 + 2 * q, f"{bad}/{total}", text)
        sheet.write_number(line, 2 + 2 * (len(extras) + len(quality)), row["rows"], text)
    sheet.freeze_panes(3, 2)
    sheet.set_column(0, 1, 15)
    sheet.set_column(2, 2 + 2 * (len(extras) + len(quality)), 13)

    sheet = book.add_worksheet("未入网单位")
    sheet.write(0, 0, f"{title}：有模块未录入数据的集体经济组织", f["title"])
    sheet.write_row(
        2,
        0,
        ["所在区划", "村（社区）", "区划代码", "集体经济组织", "全部模块无数据", "缺少的模块"],
        f["head"],
    )
    for index, lag in enumerate(data["laggards"]):
        line = 3 + index
        sheet.write_row(
            line,
            0,
            [
                lag["child"],
                lag["village"],
                lag["code"],
                lag["org"],
                "是" if lag["no_data"] else "否",
                "、".join(lag["missing"]),
            ],
            f["text"],
        )
    sheet.freeze_panes(3, 0)
    sheet.set_column(0, 3, 18)
    sheet.set_column(5, 5, 60)


def coverage_workbook(data: dict, title: str) -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    write_coverage_sheets(book, data, title)
    book.close()
    return buffer.getvalue()


def bulletin_workbook(bulletin: dict) -> bytes:
    """The bulletin workbook: ranking with change since the previous bulletin, then the coverage sheets."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    f = _formats(book)
    sheet = book.add_worksheet("排名")
    sheet.write(0, 0, bulletin["title"], f["title"])
    sheet.write(1, 0, bulletin["summary"], f["note"])
    sheet.write_row(
        3,
        0,
        [
            "名次",
            "区划代码",
            "区划名称",
            "考核得分",
            "综合入网率",
            "上期名次",
            "上期得分",
            "得分变化",
            "未入网村数",
        ],
        f["head"],
    )
    for index, item in enumerate(bulletin["ranking"]):
        line = 4 + index
        sheet.write(line, 0, item["rank"] if item["rank"] is not None else "—", f["text"])
        sheet.write_string(line, 1, item["code"], f["text"])
        sheet.write_string(line, 2, item["name"], f["text"])
        _cell(sheet, line, 3, item["score"], f["int"] if item["score"] is None else f["text"])
        _cell(sheet, line, 4, item["coverage"], f["pct"])
        sheet.write(line, 5, item["previous_rank"] if item["previous_rank"] is not None else "—", f["text"])
        _cell(sheet, line, 6, item["previous_score"], f["text"])
        _cell(sheet, line, 7, item["change"], f["text"])
        sheet.write_number(line, 8, item["laggard_villages"], f["text"])
    sheet.freeze_panes(4, 3)
    sheet.set_column(0, 0, 6)
    sheet.set_column(1, 2, 16)
    sheet.set_column(3, 8, 12)
    write_coverage_sheets(book, bulletin["coverage"], bulletin["title"])
    book.close()
    return buffer.getvalue()
