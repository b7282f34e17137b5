"""The report pages of the admin (监测报表): an index of all reports and one page per report.

One data path, two renderings (STYLE.md 11): the page builds the table once with
``reports.engine.build_table`` and shows it; ``?export=xlsx`` / ``?export=csv`` on the same URL hands the
SAME table to ``reports.rendering``. A ``ReportError`` (bad parameter, region outside the user's scope)
becomes a Chinese message on the page, never a 500.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.http import content_disposition_header
from django.views.generic import TemplateView
from unfold.views import UnfoldModelAdminViewMixin

from backoffice.core.scope import SIGNIFICANT_DIGITS, code_in_scope, scope_prefix

from ..forms import ReportParamsForm, default_period, default_region
from ..table import LEVEL_NUMBERS, PERIOD_KINDS, ReportError, ReportTable
from . import presenter

TREND_PERIODS = 6
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def may_view_reports(user) -> bool:
    """Any active staff user with a scope of township level or above may view reports for their subtree
    (DESIGN.md §3). Reports sum villages from the township up, so a village-level account has no report of
    its own (its rows are in the record lists)."""
    prefix = scope_prefix(user)
    if not getattr(user, "is_staff", False) or prefix is None:
        return False
    return not isinstance(prefix, str) or len(prefix) < 12


def report_definitions() -> dict[str, Any]:
    from ..catalogue import REPORTS

    return REPORTS


def out_of_scope_message(user, region_code: str) -> str:
    from backoffice.regions.models import Region

    region = Region.objects.filter(code=region_code).only("name").first()
    name = region.name if region else region_code
    own = Region.objects.filter(code=getattr(user, "scope_region_id", None)).only("name").first()
    own_name = own.name if own else "未设置"
    return f"无权查看“{name}”的报表：该区划不在您的管辖范围（{own_name}）内，请选择本辖区或下级区划。"


def default_kind(definition) -> str:
    kinds = list(getattr(definition, "period_kinds", None) or PERIOD_KINDS)
    kind = getattr(definition, "default_kind", None)
    return kind if kind in kinds else kinds[0]


class ReportAccessMixin(UnfoldModelAdminViewMixin):
    permission_required = ()

    def has_permission(self) -> bool:
        return may_view_reports(self.request.user)


class ReportIndexView(ReportAccessMixin, TemplateView):
    """监测报表: every report with its periods, linking to its page for the user's own region."""

    title = "全部报表"
    template_name = "reports/index.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        region = default_region(self.request.user)
        cards = []
        for code, definition in report_definitions().items():
            kinds = list(getattr(definition, "period_kinds", None) or PERIOD_KINDS)
            period = default_period(default_kind(definition))
            cards.append(
                {
                    "code": code,
                    "label": definition.label,
                    "description": getattr(definition, "description", ""),
                    "kinds": "、".join(PERIOD_KINDS.get(k, k) for k in kinds),
                    "url": presenter.report_url(code, region=region, period=period) if region else None,
                    "statistic": getattr(definition, "statistic", code.startswith("S")),
                }
            )
        context.update(
            {
                "reports": [c for c in cards if not c["statistic"]],
                "statistics": [c for c in cards if c["statistic"]],
                "snapshot_url": self.model_admin.snapshot_changelist_url(),
            }
        )
        return context


class ReportPageView(ReportAccessMixin, TemplateView):
    """One report: parameters form, the table with drill-down, checks, units, charts and downloads."""

    template_name = "reports/report_page.html"

    @property
    def title(self) -> str:  # required by UnfoldModelAdminViewMixin; set per report in get()
        return getattr(self, "_title", "监测报表")

    def get(self, request: HttpRequest, code: str, *args, **kwargs):
        definition = report_definitions().get(code)
        if definition is None:
            raise Http404("没有这张报表")
        self._title = f"{code} {definition.label}"
        form = self.bound_form(request, definition)
        table, error = None, None
        if form.is_valid():
            region = form.cleaned_data["region"]
            period = form.cleaned_data["period_obj"]
            if not code_in_scope(request.user, region):
                error = out_of_scope_message(request.user, region)
            else:
                try:
                    table = self.build(code, region, period)
                except ReportError as exc:
                    error = str(exc)
        export = request.GET.get("export")
        if export:
            if table is not None and export in ("xlsx", "csv"):
                return download(table, export)
            messages.error(request, error or "无法下载：请先修正报表参数。")
        context = self.get_context_data(definition=definition, form=form, table=table, error=error, **kwargs)
        return self.render_to_response(context)

    def build(self, code: str, region: str, period) -> ReportTable:
        from ..engine import build_table

        return build_table(code, region_code=region, period=period, user=self.request.user)

    def bound_form(self, request: HttpRequest, definition) -> ReportParamsForm:
        data = request.GET.copy()
        if not data.get("kind"):
            data["kind"] = default_kind(definition)
        if not data.get("region"):
            data["region"] = default_region(request.user) or ""
        if not data.get("period"):
            data["period"] = default_period(data["kind"]).code
        return ReportParamsForm(data, user=request.user, definition=definition)

    def get_context_data(self, *, definition, form, table, error, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update({"definition": definition, "form": form, "table": table, "error": error})
        if table is None:
            return context
        indicator = presenter.main_indicator(table, definition, self.request.GET.get("indicator"))
        query = self.request.GET.copy()
        query.pop("export", None)
        context.update(
            {
                "headers": presenter.header_cells(table),
                "rows": presenter.present_rows(table, definition, request=self.request),
                "failed_checks": [c for c in table.checks if not c.ok],
                "passed_checks": [c for c in table.checks if c.ok],
                "indicator": indicator,
                "bar_chart": presenter.bar_chart(table, indicator) if indicator else None,
                "download_xlsx": "?" + _with(query, export="xlsx"),
                "download_csv": "?" + _with(query, export="csv"),
                "trend_url": "?" + _with(query, trend="1"),
                "parent_url": self.parent_url(table),
            }
        )
        if indicator and self.request.GET.get("trend"):
            context["trend_chart"], context["trend_error"] = self.trend(table, indicator)
        return context

    def parent_url(self, table: ReportTable) -> str | None:
        """One level up, if the user may see it (a township user gets no link to their county)."""
        level = LEVEL_NUMBERS.get(table.level, 1)
        if level <= 1:
            return None
        parent = table.region_code[: SIGNIFICANT_DIGITS[level - 1]].ljust(12, "0")
        if not code_in_scope(self.request.user, parent):
            return None
        return presenter.report_url(table.report_code, region=parent, period=table.period)

    def trend(self, table: ReportTable, indicator) -> tuple[str | None, str | None]:
        """The total of one indicator over the last periods (one table per period, built on request)."""
        points = []
        unit = table.column_unit(indicator)
        for period in presenter.previous_periods(table.period, TREND_PERIODS):
            if period == table.period:
                built = table
            else:
                try:
                    built = self.build(table.report_code, table.region_code, period)
                except ReportError as exc:
                    return None, str(exc)
            number = built.display_number(built.total, built.column(indicator.code))
            points.append((period.label, float(number) if number is not None else None))
        label = f"{table.region_name}{indicator.label}（{unit}）" if unit else indicator.label
        return presenter.line_chart(points, label), None


def _with(query, **params: str) -> str:
    copy = query.copy()
    for key, value in params.items():
        copy[key] = value
    return copy.urlencode()


def download(table: ReportTable, kind: str) -> HttpResponse:
    """The xlsx or CSV rendering of the very table the page shows."""
    from ..rendering import render_csv, render_xlsx

    filename = f"{table.report_code}_{table.region_name}_{table.period.code}.{kind}"
    if kind == "xlsx":
        response = HttpResponse(render_xlsx(table), content_type=XLSX_TYPE)
    else:
        text = render_csv(table)
        # A BOM so that Excel on Windows reads the Chinese labels as UTF-8.
        body = text if text.startswith("\ufeff") else "\ufeff" + text
        response = HttpResponse(body.encode("utf-8"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response
