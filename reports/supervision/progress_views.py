"""Admin pages 周调度 (weekly progress) and 每月研判 (monthly analysis).

Same access and scope rules as the other supervision pages: ``may_supervise`` opens them, the numbers come
from ``compute_coverage`` with the request user (a region outside the scope is a Chinese message), and
``?export=xlsx`` on the same URL downloads the same tables (``progress_present``).
"""

from __future__ import annotations

from datetime import date

from django.views.generic import TemplateView

from ..forms import default_region
from ..table import ReportError
from .forms import MonthlyParamsForm, WeeklyParamsForm
from .progress_present import monthly_tables, progress_workbook, weekly_tables
from .views import SupervisionAccessMixin, xlsx_response


class ProgressView(SupervisionAccessMixin, TemplateView):
    """A parameter form, the tables of one progress view, and their workbook. A subclass names its form
    and defines ``initial()`` (form defaults), ``build(cleaned)`` (the JSON), ``tables(data)`` and
    ``note(data)`` (the line under each title)."""

    template_name = "supervision/progress.html"
    form_class = None
    kind = ""

    def get(self, request, *args, **kwargs):
        query = request.GET.copy()
        for key, value in self.initial().items():
            query.setdefault(key, value)
        form = self.form_class(query, user=request.user)
        data, error = None, None
        if form.is_valid():
            try:
                data = self.build(form.cleaned_data)
            except ReportError as exc:
                error = str(exc)
        if data is not None and request.GET.get("export") == "xlsx":
            content = progress_workbook(data["title"], self.note(data), self.tables(data))
            return xlsx_response(content, f"{data['title']}.xlsx")
        context = self.get_context_data(form=form, error=error, kind=self.kind, **kwargs)
        if data is not None:
            download = query.copy()
            download["export"] = "xlsx"
            context.update(
                {
                    "data": data,
                    "note": self.note(data),
                    "tables": self.tables(data),
                    "download": "?" + download.urlencode(),
                }
            )
        return self.render_to_response(context)


class WeeklyView(ProgressView):
    title = "周调度"
    form_class = WeeklyParamsForm
    kind = "weekly"

    def initial(self) -> dict:
        return {"region": default_region(self.request.user) or "", "as_of": date.today().isoformat()}

    def build(self, cleaned: dict) -> dict:
        from .progress import build_weekly

        return build_weekly(user=self.request.user, region_code=cleaned["region"], as_of=cleaned["as_of"])

    def tables(self, data: dict) -> list[dict]:
        return weekly_tables(data)

    def note(self, data: dict) -> str:
        return (
            f"本年度（{data['period']}）截至 {data['as_of']} 与 {data['previous_as_of']} 对比；"
            "入网率=有数据的村×模块占比，审核率=数据全部已审核的村×模块占比"
        )


class MonthlyView(ProgressView):
    title = "每月研判"
    form_class = MonthlyParamsForm
    kind = "monthly"

    def initial(self) -> dict:
        return {"region": default_region(self.request.user) or "", "month": f"{date.today():%Y-%m}"}

    def build(self, cleaned: dict) -> dict:
        from .progress import build_monthly

        return build_monthly(user=self.request.user, region_code=cleaned["region"], month=cleaned["month"])

    def tables(self, data: dict) -> list[dict]:
        return monthly_tables(data)

    def note(self, data: dict) -> str:
        return (
            f"各月按当月数据统计（截至月末或今天）：{data['months'][0]} 至 {data['months'][-1]}；"
            "环比变化=本月入网率−上月入网率"
        )
