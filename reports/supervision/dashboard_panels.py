"""Dashboard (工作台) panel: data coverage of the user's scope this year, by child region, with a bar chart
and the count of villages with no data; links to the coverage page."""

from __future__ import annotations

from datetime import date

from django.http import HttpRequest
from django.urls import reverse

from ..forms import default_region
from ..table import Period, ReportError
from .access import may_supervise
from .present import coverage_chart, overall, percent, ratio


def coverage_panel(request: HttpRequest) -> dict | None:
    from .coverage import compute_coverage

    user = request.user
    if not may_supervise(user):
        return None
    region = default_region(user)
    period = Period("year", date.today().year, 1)
    url = reverse("admin:supervision_supervisionpage_changelist")
    try:
        coverage = compute_coverage(user=user, region_code=region, period=period)
    except ReportError as exc:
        return {
            "title": "数据入网覆盖情况",
            "template": "supervision/dashboard_panel.html",
            "order": 20,
            "error": str(exc),
            "url": url,
        }
    data = coverage.as_dict()
    units, with_data, approved = overall(data["total"])
    return {
        "title": "数据入网覆盖情况",
        "template": "supervision/dashboard_panel.html",
        "order": 20,
        "region": coverage.region_name,
        "period": period.label,
        "coverage": percent(ratio(with_data, units)),
        "approved": percent(ratio(approved, units)),
        "no_data": sum(1 for lag in data["laggards"] if lag["no_data"]),
        "chart": coverage_chart(data),
        "url": f"{url}?region={coverage.region_code}&period={period.code}",
    }


#: a function of the user's scope and permissions only (backoffice.core.dashboard caches it per scope)
coverage_panel.shared_by_scope = True
PANELS = [coverage_panel]
