"""The tables of the weekly (周调度) and monthly (每月研判) views, from their JSON (``progress.py``).

One rendering path: the page shows each table's cell ``text`` and the workbook writes each cell's ``value``
with its format (``progress_workbook``), so the page and the xlsx cannot disagree. A cell is
``{"text", "value", "fmt", "tone"}`` with ``fmt`` one of text / pct / delta / int.
"""

from __future__ import annotations

import io

import xlsxwriter

from .present import percent, tone


def text(value: str) -> dict:
    return {"text": value, "value": value, "fmt": "text", "tone": ""}


def pct(value: float | None, *, lower_is_better: bool = False) -> dict:
    shade = tone(None if value is None else (1 - value if lower_is_better else value))
    return {"text": percent(value), "value": value, "fmt": "pct", "tone": shade}


def delta(value: float | None) -> dict:
    if value is None:
        return {"text": "—", "value": None, "fmt": "delta", "tone": "cov-none"}
    points = value * 100
    shade = "cov-good" if points > 0.05 else "cov-poor" if points < -0.05 else ""
    return {"text": f"{points:+.1f}个百分点", "value": value, "fmt": "delta", "tone": shade}


def count(value: int) -> dict:
    return {"text": str(value), "value": value, "fmt": "int", "tone": ""}


def _table(key: str, title: str, header: list[str], rows: list[list[dict]], total: list[dict] | None = None):
    return {"key": key, "title": title, "header": header, "rows": rows, "total": total}


def weekly_tables(data: dict) -> list[dict]:
    """进度对比, 数据质量 (this week vs last), 本周新入网 and 仍未入网."""
    quality = data["quality"]

    def progress_row(row: dict, name: str) -> list[dict]:
        return [
            text(name),
            pct(row["coverage"][0]),
            pct(row["coverage"][1]),
            delta(row["coverage"][2]),
            pct(row["approved"][0]),
            pct(row["approved"][1]),
            delta(row["approved"][2]),
            count(row["no_data"][0]),
            count(row["no_data"][1]),
        ]

    def quality_row(row: dict, name: str) -> list[dict]:
        cells = [text(name)]
        for code, _label in quality:
            now, before = row["quality"].get(code, [None, None])
            cells += [pct(now, lower_is_better=True), pct(before, lower_is_better=True)]
        return cells

    children = data["children"]
    quality_header = ["区划"]
    for _code, label in quality:
        quality_header += [f"{label}（本周）", f"{label}（上周）"]
    villages = ["所在区划", "村（社区）", "集体经济组织"]
    return [
        _table(
            "weekly-progress",
            "入网进度对比",
            [
                "区划",
                "本周入网率",
                "上周入网率",
                "变化",
                "本周审核率",
                "上周审核率",
                "变化",
                "本周无数据村",
                "上周无数据村",
            ],
            [progress_row(row, row["name"]) for row in children],
            progress_row(data["total"], "合计"),
        ),
        _table(
            "weekly-quality",
            "数据质量对比（越低越好）",
            quality_header,
            [quality_row(row, row["name"]) for row in children],
            quality_row(data["total"], "合计"),
        ),
        _table(
            "weekly-new",
            "本周新入网的村",
            villages,
            [[text(v["child"]), text(v["village"]), text(v["org"])] for v in data["newly_covered"]],
        ),
        _table(
            "weekly-missing",
            "仍未入网的村（上周、本周均无任何数据）",
            villages,
            [[text(v["child"]), text(v["village"]), text(v["org"])] for v in data["still_missing"]],
        ),
    ]


def monthly_tables(data: dict) -> list[dict]:
    """入网率趋势 (with 环比), 审核率趋势, one trend per data-quality indicator, and 连续未入网."""
    months = data["months"]
    rows = data["children"]

    def series(row: dict, values: list, *, lower_is_better: bool = False, change: bool = False):
        cells = [text(row["name"])] + [pct(v, lower_is_better=lower_is_better) for v in values]
        return [*cells, delta(row["change"])] if change else cells

    tables = [
        _table(
            "monthly-coverage",
            "入网率趋势",
            ["区划", *months, "环比变化"],
            [series(row, row["coverage"], change=True) for row in rows],
            series(data["total"], data["total"]["coverage"], change=True),
        ),
        _table(
            "monthly-approved",
            "审核率趋势",
            ["区划", *months],
            [series(row, row["approved"]) for row in rows],
            series(data["total"], data["total"]["approved"]),
        ),
    ]
    for code, label in data["quality"]:
        tables.append(
            _table(
                f"monthly-{code}",
                f"{label}趋势（越低越好）",
                ["区划", *months],
                [series(row, row["quality"][code], lower_is_better=True) for row in rows],
                series(data["total"], data["total"]["quality"][code], lower_is_better=True),
            )
        )
    tables.append(
        _table(
            "monthly-laggards",
            f"连续{data['streak_months']}个月及以上无任何数据的单位",
            ["所在区划", "村（社区）", "集体经济组织", "连续月数", "起始月份"],
            [
                [text(v["child"]), text(v["village"]), text(v["org"]), count(v["months"]), text(v["since"])]
                for v in data["laggards"]
            ],
        )
    )
    return tables


def progress_workbook(title: str, note: str, tables: list[dict]) -> bytes:
    """One sheet per table: title, note, header, rows and the total row, values with their formats."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    head = book.add_format({"bold": True, "bg_color": "#e2e8f0", "border": 1, "text_wrap": True})
    formats = {
        "text": book.add_format({"border": 1}),
        "pct": book.add_format({"border": 1, "num_format": "0.0%"}),
        "delta": book.add_format({"border": 1, "num_format": "+0.0%;-0.0%;0.0%"}),
        "int": book.add_format({"border": 1, "num_format": "0"}),
    }
    bold = book.add_format({"bold": True, "font_size": 14})
    muted = book.add_format({"font_color": "#64748b"})
    for table in tables:
        sheet = book.add_worksheet(table["title"][:31])
        sheet.write(0, 0, f"{title}：{table['title']}", bold)
        sheet.write(1, 0, note, muted)
        sheet.write_row(3, 0, table["header"], head)
        lines = [*table["rows"], *([table["total"]] if table["total"] else [])]
        for r, cells in enumerate(lines, start=4):
            for c, cell in enumerate(cells):
                fmt = formats[cell["fmt"]]
                if cell["value"] is None:
                    sheet.write_string(r, c, "—", fmt)
                elif cell["fmt"] == "text":
                    sheet.write_string(r, c, cell["value"], fmt)
                else:
                    sheet.write_number(r, c, cell["value"], fmt)
        sheet.freeze_panes(4, 1)
        sheet.set_column(0, 0, 16)
        sheet.set_column(1, max(len(table["header"]) - 1, 1), 13)
    book.close()
    return buffer.getvalue()
