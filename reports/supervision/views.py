"""Admin pages of rollout supervision: 覆盖情况 (coverage table, laggards, xlsx), 考核评分 (scores with their
evidence and spot checks) and 半月通报 (stored bulletins: list, printable page, xlsx, rebuild for a day).

Every page computes through ``coverage`` / ``scoring`` / ``bulletins`` with the request user, so the scope
cut is theirs; a ``ReportError`` becomes a Chinese message on the page.
"""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.views.generic import TemplateView
from unfold.views import UnfoldModelAdminViewMixin

from backoffice.core.scope import level_of_code

from ..forms import default_region
from ..table import Period, ReportError
from .access import may_spot_check, may_supervise
from .forms import BulletinGenerateForm, SpotCheckForm, SupervisionParamsForm
from .present import coverage_chart, present

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(bytes(content), content_type=XLSX_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


class SupervisionAccessMixin(UnfoldModelAdminViewMixin):
    permission_required = ()

    def has_permission(self) -> bool:
        return may_supervise(self.request.user)


class ParamsMixin:
    def params(self):
        data = self.request.GET.copy()
        data.setdefault("region", default_region(self.request.user) or "")
        data.setdefault("period", str(date.today().year))
        return SupervisionParamsForm(data, user=self.request.user)


class CoverageView(ParamsMixin, SupervisionAccessMixin, TemplateView):
    title = "覆盖情况"
    template_name = "supervision/coverage.html"

    def get(self, request, *args, **kwargs):
        from .coverage import compute_coverage

        form = self.params()
        coverage, error = None, None
        if form.is_valid():
            try:
                coverage = compute_coverage(
                    user=request.user,
                    region_code=form.cleaned_data["region"],
                    period=form.cleaned_data["period"],
                )
            except ReportError as exc:
                error = str(exc)
        if coverage is not None and request.GET.get("export") == "xlsx":
            from .xlsx import coverage_workbook

            title = f"{coverage.region_name}{coverage.period.label}数据入网覆盖情况"
            return xlsx_response(
                coverage_workbook(coverage.as_dict(), title),
                f"覆盖情况_{coverage.region_name}_{coverage.period.code}.xlsx",
            )
        context = self.get_context_data(form=form, error=error, **kwargs)
        if coverage is not None:
            data = coverage.as_dict()
            query = request.GET.copy()
            query["region"], query["period"] = coverage.region_code, coverage.period.code
            context.update(
                {
                    "coverage": coverage,
                    "shown": present(data),
                    "chart": coverage_chart(data),
                    "download": "?" + _with(query, export="xlsx"),
                    "drill": level_of_code(coverage.region_code) < 4,
                    "period_code": coverage.period.code,
                }
            )
        return self.render_to_response(context)


class ScoreView(ParamsMixin, SupervisionAccessMixin, TemplateView):
    title = "考核评分"
    template_name = "supervision/scores.html"

    def get(self, request, *args, **kwargs):
        return self.render_page(self.params())

    def post(self, request, *args, **kwargs):
        from .services import spotcheck_record

        form = SpotCheckForm(request.POST)
        if not form.is_valid():
            messages.error(
                request, "抽查结果未保存：" + "；".join(e for errs in form.errors.values() for e in errs)
            )
        else:
            data = form.cleaned_data
            try:
                score = self.current_score(data["region"], data["period"])
                spotcheck_record(
                    user=request.user,
                    region_code=data["region"],
                    period=data["period"],
                    result=data["result"],
                    note=data["note"],
                    computed_score=score,
                )
                messages.success(request, "抽查结果已记录。")
            except ReportError as exc:
                messages.error(request, str(exc))
        return HttpResponseRedirect(request.get_full_path())

    def current_score(self, region_code: str, period: str):
        """The score of the region as its parent sees it now (frozen into the spot check)."""
        from .scoring import compute_scores

        parent_digits = {3: 4, 4: 6}[level_of_code(region_code)]
        parent = region_code[:parent_digits].ljust(12, "0")
        try:
            _coverage, scores = compute_scores(user=self.request.user, region_code=parent, period=period)
        except ReportError:
            return None
        return next((s.score for s in scores if s.code == region_code), None)

    def render_page(self, form):
        from .models import SpotCheck
        from .scoring import compute_scores

        context = self.get_context_data(form=form)
        if not form.is_valid():
            return self.render_to_response(context)
        user = self.request.user
        try:
            coverage, scores = compute_scores(
                user=user, region_code=form.cleaned_data["region"], period=form.cleaned_data["period"]
            )
        except ReportError as exc:
            context["error"] = str(exc)
            return self.render_to_response(context)
        checks = {}
        for check in (
            SpotCheck.objects.visible_to(user)
            .filter(region_id__in=[s.code for s in scores])
            .select_related("checked_by")
            .order_by("-checked_at")
        ):
            checks.setdefault(check.region_id, []).append(check)
        rows = []
        for score in scores:
            rows.append(
                {
                    "score": score,
                    "checks": checks.get(score.code, [])[:3],
                    "can_check": may_spot_check(user, score.code),
                    "form": SpotCheckForm(initial={"region": score.code, "period": coverage.period.code}),
                }
            )
        context.update(
            {"coverage": coverage, "rows": rows, "indicators": scores[0].evidence if scores else []}
        )
        return self.render_to_response(context)


class BulletinListView(SupervisionAccessMixin, TemplateView):
    title = "半月通报"
    template_name = "supervision/bulletins.html"

    def get_context_data(self, **kwargs):
        from .models import Bulletin

        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["bulletins"] = (
            Bulletin.objects.visible_to(user)
            .select_related("region")
            .defer("xlsx", "data")
            .order_by("-as_of", "region_code")[:200]
        )
        context.setdefault(
            "form",
            BulletinGenerateForm(initial={"region": default_region(user), "as_of": date.today()}, user=user),
        )
        return context

    def post(self, request, *args, **kwargs):
        from .bulletins import bulletin_generate

        form = BulletinGenerateForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                bulletin = bulletin_generate(
                    user=request.user,
                    region_code=form.cleaned_data["region"],
                    as_of=form.cleaned_data["as_of"],
                )
            except ReportError as exc:
                messages.error(request, str(exc))
            else:
                return HttpResponseRedirect(reverse("admin:supervision_bulletin_detail", args=[bulletin.pk]))
        return self.render_to_response(self.get_context_data(form=form))


class BulletinDetailView(SupervisionAccessMixin, TemplateView):
    title = "半月通报"
    template_name = "supervision/bulletin_detail.html"

    def get(self, request, pk: int, *args, **kwargs):
        from .models import Bulletin

        bulletin = get_object_or_404(Bulletin.objects.visible_to(request.user), pk=pk)
        if request.GET.get("export") == "xlsx":
            return xlsx_response(bulletin.xlsx, f"{bulletin.title}.xlsx")
        if request.GET.get("export"):
            raise Http404("没有这种下载格式")
        data = bulletin.data
        context = self.get_context_data(
            bulletin=bulletin,
            data=data,
            shown=present(data["coverage"]),
            chart=coverage_chart(data["coverage"]),
            period=Period.parse(data["period"]),
            **kwargs,
        )
        return self.render_to_response(context)


def _with(query, **params) -> str:
    copy = query.copy()
    for key, value in params.items():
        copy[key] = value
    return copy.urlencode()
