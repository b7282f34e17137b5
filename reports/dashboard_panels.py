"""Dashboard (工作台) panel of the reports app: the five real-time statistics S1–S5 for the user's scope,
current year, each with its key totals and a small chart by child region.

Plugged into ``backoffice.core.dashboard.collect_panels`` through ``PANELS``; one ``build_table`` per
statistic, nothing else (the dashboard is every user's landing page).
"""

from __future__ import annotations

from datetime import date

from django.http import HttpRequest

from .forms import default_region
from .table import Period, ReportError, ReportTable
from .web import presenter
from .web.views import may_view_reports

STATISTICS = ("S1", "S2", "S3", "S4", "S5")
#: totals shown per statistic card (the chart shows the main indicator per child region)
KPI_COUNT = 3


def statistic_period(definition, today: date) -> Period:
    """The current year where the statistic allows annual figures, else the current period of its kind."""
    kinds = list(getattr(definition, "period_kinds", None) or ("year",))
    kind = "year" if "year" in kinds else kinds[0]
    return Period.containing(kind, today)


def statistic_card(code: str, definition, table: ReportTable) -> dict:
    indicator = presenter.main_indicator(table, definition)
    kpis = []
    chosen = [indicator] if indicator else []
    chosen += [c for c in table.columns if c is not indicator][: KPI_COUNT - len(chosen)]
    for column in chosen:
        unit = table.column_unit(column)
        value = table.display(table.total, column)
        kpis.append(
            {"label": column.label, "value": value or "—", "unit": "" if column.kind == "ratio" else unit}
        )
    return {
        "code": code,
        "label": definition.label,
        "period": table.period.label,
        "url": presenter.report_url(code, region=table.region_code, period=table.period),
        "kpis": kpis,
        "chart": presenter.bar_chart(table, indicator) if indicator else None,
        "failed_checks": sum(1 for c in table.checks if not c.ok),
        # zeros from a period nobody has reported yet would read as real figures
        "no_data": not table.units_included,
        "units_missing": len(table.units_missing),
    }


def statistics_panel(request: HttpRequest) -> dict | None:
    """Panel of S1–S5; hidden for users who may not view reports."""
    from .catalogue import REPORTS
    from .engine import build_table

    user = request.user
    if not may_view_reports(user):
        return None
    region = default_region(user)
    today = date.today()
    cards = []
    for code in STATISTICS:
        definition = REPORTS.get(code)
        if definition is None:
            continue
        period = statistic_period(definition, today)
        try:
            table = build_table(code, region_code=region, period=period, user=user)
        except ReportError as exc:
            cards.append({"code": code, "label": definition.label, "error": str(exc)})
            continue
        cards.append(statistic_card(code, definition, table))
    return {"title": "五项实时统计", "template": "reports/dashboard_panel.html", "order": 10, "cards": cards}


#: a function of the user's scope and permissions only: users of the same region and role share it for
#: DASHBOARD_CACHE_SECONDS (backoffice.core.dashboard)
statistics_panel.shared_by_scope = True
PANELS = [statistics_panel]
