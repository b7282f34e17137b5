"""Turns a ``ReportTable`` into what the admin page shows: header cells with units, formatted and
right-aligned cells with drill-down links, and Chart.js data for Unfold's chart components.

Every number on screen comes from ``ReportTable.display`` — the same formatting the xlsx uses — so the
page and the download cannot disagree.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from decimal import Decimal
from urllib.parse import urlencode

from django.apps import apps
from django.contrib import admin
from django.urls import NoReverseMatch, reverse

from backoffice.core.choices import ReviewStatus
from backoffice.core.models import RecordModel
from backoffice.core.scope import prefix_of_code

from ..table import Indicator, Period, ReportTable, TableRow

CHART_COLOURS = ("#2563eb", "#16a34a", "#d97706", "#dc2626", "#7c3aed")


@dataclass
class Cell:
    text: str
    link: str | None = None
    numeric: bool = True


@dataclass
class Row:
    key: str
    label: str
    kind: str
    link: str | None
    link_title: str
    units: int
    cells: list[Cell] = field(default_factory=list)


def report_url(code: str, *, region: str, period: Period, **extra: str) -> str:
    """The admin report page of ``code`` for a region and period (drill-down and trend links)."""
    query = {"region": region, "kind": period.kind, "period": period.code, **extra}
    return f"{reverse('admin:reports_report_page', args=[code])}?{urlencode(query)}"


def detail_url(definition, row: TableRow, period: Period, request=None) -> str | None:
    """The scoped admin changelist of the report's detail record type, filtered to the row's region and
    period — the normal admin applies the viewer's scope, so the link never shows more than they may see."""
    model_label = getattr(definition, "detail_model", None)
    if not model_label or not (row.key.isdigit() and len(row.key) == 12):
        return None
    try:
        model = apps.get_model(model_label)
        base = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    except (LookupError, NoReverseMatch):
        return None
    detail_filter = getattr(definition, "detail_filter", None)
    params = dict(detail_filter(prefix_of_code(row.key), period)) if detail_filter else {}
    if isinstance(model, type) and issubclass(model, RecordModel):
        # The table counts approved records only; the list it opens should show the same rows.
        params.setdefault("review_status__exact", ReviewStatus.APPROVED)
    model_admin = admin.site._registry.get(model)
    # A filter the list refuses would open an error page (400); no link is better than a broken one.
    if (
        request is not None
        and model_admin is not None
        and not all(model_admin.lookup_allowed(key, value, request) for key, value in params.items())
    ):
        return None
    return f"{base}?{urlencode(params)}" if params else base


def header_cells(table: ReportTable) -> list[str]:
    """Column headers with the unit shown ("合同金额（万元）"), as in the xlsx."""
    return [f"{c.label}（{table.column_unit(c)}）" for c in table.columns]


def present_rows(table: ReportTable, definition, *, drill: bool = True, request=None) -> list[Row]:
    """Child rows then the total, each cell formatted; region rows link one level down, bottom-level
    region rows (villages) link to the permitted detail records. ``drill`` False: no links (a frozen
    snapshot is not the live data the links would open)."""
    rows = []
    for source in table.all_rows:
        link, title = None, ""
        if not drill:
            pass
        elif source.kind != "total" and source.drill_region:
            link = report_url(table.report_code, region=source.drill_region, period=table.period)
            title = f"查看{source.label}的下级明细"
        elif source.kind == "region":
            link = detail_url(definition, source, table.period, request)
            title = f"查看{source.label}的明细记录"
        cells = []
        for indicator in table.columns:
            cells.append(
                Cell(text=table.display(source, indicator), link=link if not source.drill_region else None)
            )
        rows.append(
            Row(
                key=source.key,
                label=source.label,
                kind=source.kind,
                link=link,
                link_title=title,
                units=source.units,
                cells=cells,
            )
        )
    return rows


def main_indicator(table: ReportTable, definition, requested: str | None = None) -> Indicator | None:
    """The indicator charted by default: the one asked for, the definition's main one, else the first
    money column, else the first column."""
    by_code = {c.code: c for c in table.columns}
    for code in (requested, getattr(definition, "main_indicator", None)):
        if code and code in by_code:
            return by_code[code]
    money = [c for c in table.columns if c.is_money]
    return (money or table.columns or [None])[0]


def _number(value) -> float | None:
    if value is None:
        return None
    return float(value) if isinstance(value, Decimal | int | float) else None


def bar_chart(table: ReportTable, indicator: Indicator) -> str | None:
    """Chart.js data: the indicator per child region (in the displayed unit), or None with fewer than 2."""
    rows = [r for r in table.rows if r.kind == "region"]  # child regions only, not the region's own org
    if len(rows) < 2:
        return None
    unit = table.column_unit(indicator)
    data = {
        "labels": [r.label for r in rows],
        "datasets": [
            {
                "label": f"{indicator.label}（{unit}）" if unit else indicator.label,
                "data": [_number(table.display_number(r, indicator)) for r in rows],
                "backgroundColor": CHART_COLOURS[0],
                "maxBarThickness": 48,
            }
        ],
    }
    return json.dumps(data, ensure_ascii=False)


def line_chart(points: list[tuple[str, float | None]], label: str) -> str:
    """Chart.js data of a trend: one point per period label."""
    data = {
        "labels": [p[0] for p in points],
        "datasets": [
            {
                "label": label,
                "data": [p[1] for p in points],
                "borderColor": CHART_COLOURS[0],
                "backgroundColor": CHART_COLOURS[0],
                "tension": 0.2,
            }
        ],
    }
    return json.dumps(data, ensure_ascii=False)


def previous_periods(period: Period, count: int) -> list[Period]:
    """``count`` periods ending with ``period``, oldest first."""
    periods = [period]
    current = period
    per_year = {"month": 12, "quarter": 4, "year": 1}[period.kind]
    for _ in range(count - 1):
        if current.number > 1:
            current = Period(current.kind, current.year, current.number - 1)
        else:
            current = Period(current.kind, current.year - 1, per_year)
        periods.append(current)
    return list(reversed(periods))
