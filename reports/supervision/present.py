"""Turn the JSON form of a coverage (``Coverage.as_dict()``, also frozen into bulletins) into what the pages
and workbooks show: percentages, colour classes, chart data. One data path for live pages, bulletins and
xlsx files."""

from __future__ import annotations

import json

GOOD, FAIR = 0.9, 0.6


def ratio(numerator: int, denominator: int) -> float | None:
    return numerator / denominator if denominator else None


def percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def tone(value: float | None) -> str:
    """CSS class of a share: green from 90%, amber from 60%, red below, grey when nothing to count.
    A data-quality share (lower is better) is toned by its complement."""
    if value is None:
        return "cov-none"
    if value >= GOOD:
        return "cov-good"
    if value >= FAIR:
        return "cov-fair"
    return "cov-poor"


def overall(row: dict) -> tuple[int, int, int]:
    """(units × modules, with data, approved) over all modules of a row."""
    cells = row["cells"].values()
    return (
        sum(c["units"] for c in cells),
        sum(c["with_data"] for c in cells),
        sum(c["approved"] for c in cells),
    )


def present_row(row: dict, modules: list, extras: list, quality: list) -> dict:
    cells = []
    for code, _label in modules:
        cell = row["cells"][code]
        rate = ratio(cell["with_data"], cell["units"])
        approved = ratio(cell["approved"], cell["units"])
        cells.append(
            {
                "rate": percent(rate),
                "approved": percent(approved),
                "latest": cell["latest"] or "无",
                "tone": tone(rate),
                "title": f"{cell['with_data']}/{cell['units']} 个村有数据，{cell['approved']} 个全部已审核",
            }
        )
    units, with_data, approved = overall(row)
    extra_cells = []
    for code, _label in extras:
        numerator, denominator = row["extras"].get(code, [0, 0])
        value = ratio(numerator, denominator)
        extra_cells.append(
            {"text": percent(value), "tone": tone(value), "title": f"{numerator}/{denominator}"}
        )
    quality_cells = []
    for code, _label in quality:
        bad, total = row.get("quality", {}).get(code, [0, 0])
        value = ratio(bad, total)
        quality_cells.append(
            {
                "text": percent(value),
                "tone": tone(None if value is None else 1 - value),
                "title": f"{bad}/{total}",
            }
        )
    return {
        "code": row["code"],
        "name": row["name"],
        "cells": cells,
        "overall": percent(ratio(with_data, units)),
        "overall_value": ratio(with_data, units),
        "overall_tone": tone(ratio(with_data, units)),
        "approved": percent(ratio(approved, units)),
        "extras": extra_cells,
        "quality": quality_cells,
        "rows": row["rows"],
    }


def quality_labels(data: dict) -> list:
    """[code, label] of the data-quality indicators (bulletins stored before they existed have none)."""
    return data.get("quality", [])


def present(data: dict) -> dict:
    """Everything a coverage page or bulletin shows, from the JSON form."""
    modules, extras, quality = data["modules"], data["extras"], quality_labels(data)
    return {
        "module_labels": [label for _code, label in modules],
        "extra_labels": [label for _code, label in extras],
        "quality_labels": [label for _code, label in quality],
        "rows": [present_row(row, modules, extras, quality) for row in data["children"]],
        "total": present_row(data["total"], modules, extras, quality),
        "laggards": data["laggards"],
        "no_data_count": sum(1 for lag in data["laggards"] if lag["no_data"]),
    }


def coverage_chart(data: dict) -> str | None:
    """Chart.js data: overall data coverage (%) per child region."""
    rows = data["children"]
    if not rows:
        return None
    values = []
    for row in rows:
        units, with_data, _approved = overall(row)
        value = ratio(with_data, units)
        values.append(None if value is None else round(value * 100, 1))
    return json.dumps(
        {
            "labels": [row["name"] for row in rows],
            "datasets": [
                {
                    "label": "数据入网率（%）",
                    "data": values,
                    "backgroundColor": "#2563eb",
                    "maxBarThickness": 48,
                }
            ],
        },
        ensure_ascii=False,
    )
